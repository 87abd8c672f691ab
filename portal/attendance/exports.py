"""Attendance on paper and in spreadsheets: the daftar hadir of a session as PDF, and the event's
attendance as CSV and XLSX (one row per person, one column per session), written with the
registrations' helpers so formula-like cells are neutralised the same way."""

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.attendance import queries, services
from portal.documents.pdf import render_pdf
from portal.events.models import Event, EventSession
from portal.i18n import to_local
from portal.registrations import exports as registration_exports

# Empty numbered rows after the list, where people who came without a seat sign.
BLANK_ROWS = 10

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attendance_sheet_pdf(event: Event, session: EventSession, language: str = "id") -> bytes:
    """The daftar hadir: letterhead, event, day, time and place, then numbered rows (name,
    cooperative, position, signature) for everyone expected, then blank rows for walk-ins."""
    registrations = queries.attending(event.id)
    number = sorted(event.sessions, key=lambda s: s.starts_at).index(session) + 1
    return render_pdf("attendance/daftar_hadir.html", language=language, event=event, session=session,
                      session_number=number, registrations=registrations, blank_rows=BLANK_ROWS,
                      day=to_local(session.starts_at).date())


def ticket_qr_pdf(registration) -> bytes:
    """A participant's check-in QR code on one page, to keep on a phone for a door without signal:
    the event, the person, the sessions, the code and the short code to type."""
    return render_pdf("attendance/ticket_qr.html", registration=registration, event=registration.event,
                      check_in_url=services.check_in_url(registration))


def _session_header(number: int, session: EventSession) -> str:
    day = format_date(to_local(session.starts_at).date(), "d MMM y", locale=str(get_locale()))
    return _("Session %(number)d (%(day)s)", number=number, day=day)


def table(event: Event) -> tuple[list[str], list[list]]:
    """The header and rows of the event's attendance export."""
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    marks = queries.marks_by_registration(event.id)
    header = [_("Name"), _("Cooperative or organisation"), _("Position"), _("Phone"), _("State"),
              *(_session_header(n, s) for n, s in enumerate(sessions, start=1)), _("Sessions attended")]
    rows = []
    for registration in queries.attending(event.id):
        person = registration.participant
        own = marks.get(registration.id, {})
        rows.append([person.full_name, person.affiliation, str(person.position.label), person.phone or "",
                     str(registration.status.label), *(str(own[s.id].label) if s.id in own else "" for s in sessions),
                     queries.attended_count(own)])
    return header, [[registration_exports.neutralise(value) for value in row] for row in rows]


def to_csv(event: Event) -> bytes:
    header, rows = table(event)
    return registration_exports.to_csv(rows, header)


def to_xlsx(event: Event) -> bytes:
    header, rows = table(event)
    return registration_exports.to_xlsx(rows, header, title=_("Attendance"))
