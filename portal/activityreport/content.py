"""What the laporan kegiatan says, read from the rows of the capabilities before it: the event and
its sessions, speakers, participants counted by cooperative, district, status, position and sex,
attendance per session, notulen, follow-ups, evaluation averages with a chart, certificates, photos."""

import base64
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from portal.activityreport.attachments import appended, joined
from portal.activityreport.models import ReportTexts
from portal.attendance.models import ATTENDED_MARKS, AttendanceRecord
from portal.attendance.queries import session_counts
from portal.certificates.models import Certificate
from portal.cooperatives.models import Cooperative
from portal.documents.pdf import render_pdf
from portal.events.models import Event
from portal.extensions import db
from portal.minutes.queries import minutes_of
from portal.offices.context import in_office_of
from portal.registrations.models import Registration
from portal.reports.charts import bar_chart
from portal.surveys.models import Survey
from portal.surveys.results import results


def attended_query(event_id: int):
    """The registrations of ``event_id`` with at least one session attended (present or late)."""
    return (select(Registration).where(Registration.event_id == event_id, exists().where(
        AttendanceRecord.registration_id == Registration.id, AttendanceRecord.mark.in_(ATTENDED_MARKS))))


def has_attendance(event_id: int) -> bool:
    return bool(db.session.scalar(select(exists(attended_query(event_id).subquery().select()))))


@dataclass
class Breakdown:
    title: str
    rows: list[tuple[str, int]]


def _counted(title: str, values) -> Breakdown:
    return Breakdown(title, sorted(Counter(values).items(), key=lambda item: (-item[1], item[0])))


def participants(event_id: int) -> tuple[int, list[Breakdown]]:
    registrations = list(db.session.scalars(attended_query(event_id).options(
        joinedload(Registration.participant),
        joinedload(Registration.cooperative).joinedload(Cooperative.district))))
    not_recorded = _("Not recorded")
    other = _("Other organisation")
    coops = [r.cooperative for r in registrations]
    return len(registrations), [
        _counted(_("By cooperative"), [c.name if c else other for c in coops]),
        _counted(_("By district"), [c.district.name if c else other for c in coops]),
        _counted(_("By cooperative status"), [str(c.status.label) if c else other for c in coops]),
        _counted(_("By position"), [str(r.participant.position.label) for r in registrations]),
        _counted(_("By sex"), [str(r.participant.sex.label) if r.participant.sex else not_recorded
                               for r in registrations]),
    ]


def _chart_uri(ratings) -> str | None:
    rated = [rating for rating in ratings if rating.average is not None]
    if not rated:
        return None
    svg = bar_chart(_("Evaluation: average rating (1–5)"), [rating.question for rating in rated],
                    {_("Average"): [round(rating.average, 2) for rating in rated]})
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def gather(event: Event) -> dict:
    texts = db.session.get(ReportTexts, event.id) or ReportTexts(event_id=event.id, background="",
                                                                 legal_basis="", purpose="", conclusion="")
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    counts = session_counts(event)
    total, breakdowns = participants(event.id)
    survey = db.session.scalar(select(Survey).where(Survey.event_id == event.id))
    evaluation = results(survey) if survey is not None else None
    minutes = minutes_of(event.id)
    photos = [(photo.caption, f"data:{photo.file.content_type};base64,{base64.b64encode(photo.file.data).decode()}")
              for photo in minutes.photos]
    certificates = list(db.session.scalars(select(Certificate).where(
        Certificate.event_id == event.id, Certificate.revoked_at.is_(None)).order_by(Certificate.full_name)))
    return {"event": event, "texts": texts, "sessions": [(s, counts[s.id]) for s in sessions],
            "total": total, "breakdowns": breakdowns, "minutes": minutes, "evaluation": evaluation,
            "chart": _chart_uri(evaluation.ratings) if evaluation else None, "photos": photos,
            "certificates": certificates}


@in_office_of(lambda event, **kwargs: event.office)
def report_pdf(event: Event, *, day, language: str = "id") -> bytes:
    """The report, then its appended attachments (the letter, the daftar hadir of each session),
    which its last attachment page lists."""
    parts = appended(event)
    report = render_pdf("activityreport/report.html", language=language, day=day, appended=parts, **gather(event))
    return joined(report, parts)
