"""The daftar penerimaan uang transport of one session: who is paid, how much, as PDF and XLSX.

This is money, so only attendance the office stands behind counts: a mark an organiser made (on
the sheet, by scanning or typing a ticket code, a walk-in, a volunteer's door pass the organiser
handed out), or a self check-in once an organiser confirmed it. A self check-in that waits for
confirmation is left out, as is anyone excused or absent."""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from portal.activityreport.models import ReportTexts
from portal.attendance.models import ATTENDED_MARKS, AttendanceRecord, MarkSource
from portal.audit.services import record_change
from portal.documents.pdf import render_pdf
from portal.errors import RuleViolation
from portal.events.models import Event, EventSession
from portal.extensions import db
from portal.i18n import to_local
from portal.offices.context import in_office_of
from portal.offices.scope import may_change
from portal.registrations.models import Participant, Registration

# Far above any allowance an office pays one person for one day, far below the integer column's limit.
MAX_AMOUNT = 100_000_000
# "50000", "50.000", "Rp 50.000", "50 000": Indonesian thousands are separated by dots.
_AMOUNT = re.compile(r"^(?:rp\.?)?\s*(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,-|,00)?$", re.I)


@dataclass(frozen=True)
class Payee:
    full_name: str
    affiliation: str
    amount: int


def amount_of(event_id: int) -> int | None:
    texts = db.session.get(ReportTexts, event_id)
    return texts.transport_amount if texts is not None else None


def parse_amount(text: str | None) -> int:
    """Whole rupiah, 0 or more, as an office types it; refused on the ``amount`` field otherwise."""
    found = _AMOUNT.match((text or "").strip())
    amount = int(re.sub(r"\D", "", found.group(1))) if found else None
    if amount is None or amount > MAX_AMOUNT:
        raise RuleViolation("amount", _("Enter the amount in whole rupiah, 0 or more (for example 50000 or 50.000)."))
    return amount


def set_amount(actor, event: Event, text: str | None) -> ReportTexts:
    if not may_change(actor, event.office_id):
        raise RuleViolation(None, _("You may not change this event's report."))
    amount = parse_amount(text)
    texts = db.session.get(ReportTexts, event.id)
    if texts is None:
        texts = ReportTexts(event_id=event.id, background="", legal_basis="", purpose="", conclusion="")
        db.session.add(texts)
    before = texts.transport_amount
    texts.transport_amount = amount
    db.session.flush()
    record_change(actor, "activity_report.transport_amount", event, before={"transport_amount": before},
                  after={"transport_amount": amount})
    return texts


def counts_for_payment():
    """The clause that keeps the marks the office stands behind (see the module's docstring)."""
    return AttendanceRecord.mark.in_(ATTENDED_MARKS) & or_(
        AttendanceRecord.source != MarkSource.SELF, AttendanceRecord.confirmed_at.is_not(None))


def payees(session: EventSession, amount: int) -> list[Payee]:
    """Everyone of ``session`` whose attendance counts for payment, by name: one query."""
    records = db.session.scalars(
        select(AttendanceRecord).join(AttendanceRecord.registration).join(Registration.participant)
        .where(AttendanceRecord.session_id == session.id, counts_for_payment())
        .options(contains_eager(AttendanceRecord.registration).contains_eager(Registration.participant)
                 .joinedload(Participant.cooperative))
        .order_by(Participant.full_name, AttendanceRecord.id))
    return [Payee(r.registration.participant.full_name, r.registration.participant.affiliation or "", amount)
            for r in records]


def session_number(event: Event, session: EventSession) -> int:
    return sorted(event.sessions, key=lambda s: s.starts_at).index(session) + 1


def require_amount(event: Event) -> int:
    amount = amount_of(event.id)
    if amount is None:
        raise RuleViolation("amount", _("Set the transport allowance per person first."))
    return amount


@in_office_of(lambda event, *args, **kwargs: event.office)
def transport_pdf(event: Event, session: EventSession, language: str = "id") -> bytes:
    amount = require_amount(event)
    rows = payees(session, amount)
    return render_pdf("activityreport/transport.html", language=language, event=event, session=session,
                      session_number=session_number(event, session), payees=rows, amount=amount,
                      total=sum(p.amount for p in rows), day=to_local(session.starts_at).date())


def transport_table(event: Event, session: EventSession) -> tuple[list[str], list[list]]:
    """The XLSX's header and rows: one per payee, then the total; the signature column left empty."""
    amount = require_amount(event)
    rows = payees(session, amount)
    header = [_("No."), _("Name"), _("Cooperative or organisation"), _("Amount (Rp)"), _("Signature")]
    body = [[n, p.full_name, p.affiliation, p.amount, None] for n, p in enumerate(rows, start=1)]
    return header, [*body, [None, _("Total"), None, sum(p.amount for p in rows), None]]
