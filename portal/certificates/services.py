"""The rules of certificates: who qualifies (sessions attended, present or late, against the
training's minimum), issuing in one step under the event's lock so nobody gets two, revoking
with a reason, and the public check of a code."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.policies import require_staff
from portal.attendance import queries as attendance
from portal.attendance.models import ATTENDED_MARKS, AttendanceMark
from portal.audit.services import record_change
from portal.certificates import emails
from portal.certificates.models import CODE_LENGTH, Certificate, random_code
from portal.errors import RuleViolation
from portal.events.models import Event, EventKind, EventStatus
from portal.extensions import db
from portal.mail.services import cancel_concerning
from portal.registrations.models import Registration
from portal.registrations.seats import lock_event
from portal.registrations.tickets import normalise_code


@dataclass
class Eligibility:
    """One person on a training: sessions attended against the minimum, and any certificate."""

    registration: Registration
    attended: int
    excused: int
    required: int
    minutes: int
    certificate: Certificate | None

    @property
    def qualifies(self) -> bool:
        return self.attended >= max(self.required, 1)

    @property
    def will_be_issued(self) -> bool:
        return self.qualifies and self.certificate is None


def required_sessions(event: Event) -> int:
    """The training's minimum; without one, every session."""
    return event.min_sessions_for_certificate or len(event.sessions)


def _require_training(event: Event) -> None:
    if event.kind != EventKind.TRAINING:
        raise RuleViolation(None, _("Only trainings grant certificates."))


def eligibility(event: Event) -> list[Eligibility]:
    """Everyone expected at the training, qualifying first, in a fixed number of queries."""
    _require_training(event)
    marks = attendance.marks_by_registration(event.id)
    minutes = {s.id: int((s.ends_at - s.starts_at).total_seconds() // 60) for s in event.sessions}
    issued = {c.registration_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.event_id == event.id))}
    required = required_sessions(event)
    rows = []
    for registration in attendance.attending(event.id):
        own = marks.get(registration.id, {})
        came = [session_id for session_id, mark in own.items() if mark in ATTENDED_MARKS]
        rows.append(Eligibility(registration, len(came), sum(m == AttendanceMark.EXCUSED for m in own.values()),
                                required, sum(minutes.get(session_id, 0) for session_id in came),
                                issued.get(registration.id)))
    return sorted(rows, key=lambda row: (not row.qualifies, row.registration.participant.full_name.casefold()))


def _unique_code() -> str:
    while True:
        code = random_code()
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def issue_certificates(actor, event_id: int, now) -> list[Certificate]:
    """Issue a certificate to everyone who qualifies and has none yet, and email each one who has
    an address (the PDF is built by the mail worker). Runs under the event's lock, so two
    organisers issuing at once issue nobody twice; a second run issues only newcomers."""
    require_staff(actor, _("Only organisers can issue or revoke certificates."))
    event = lock_event(event_id)
    _require_training(event)
    if event.status != EventStatus.COMPLETED:
        raise RuleViolation(None, _("Mark the training as completed before issuing certificates."))
    issued = []
    for row in eligibility(event):
        if not row.will_be_issued:
            continue
        person = row.registration.participant
        certificate = Certificate(registration_id=row.registration.id, event_id=event.id, code=_unique_code(),
                                  full_name=person.full_name, affiliation=person.affiliation or "",
                                  sessions_attended=row.attended, minutes_attended=row.minutes, issued_at=now,
                                  issued_by_id=actor.id)
        db.session.add(certificate)
        db.session.flush()
        record_change(actor, "certificate.issued", certificate,
                      after={"code": certificate.code, "sessions_attended": row.attended})
        emails.send_certificate(certificate)
        issued.append(certificate)
    return issued


def revoke_certificate(actor, certificate: Certificate, reason: str, now) -> None:
    """Revoke with a reason: the public check then says revoked, downloads stop, and an email
    with the certificate that has not left yet is cancelled."""
    require_staff(actor, _("Only organisers can issue or revoke certificates."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason", _("Give the reason for revoking the certificate."))
    if certificate.revoked_at is not None:
        raise RuleViolation(None, _("This certificate has already been revoked."))
    certificate.revoked_at, certificate.revoked_by_id, certificate.revoke_reason = now, actor.id, reason[:500]
    cancel_concerning("certificate", [certificate.id], "the certificate was revoked")
    db.session.flush()
    record_change(actor, "certificate.revoked", certificate, before={"revoked": False},
                  after={"revoked": True, "reason": certificate.revoke_reason})


def find_by_code(code: str) -> Certificate | None:
    """The certificate a typed or scanned code names (any case, with or without dashes)."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def valid_certificate_of(registration: Registration) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.registration_id == registration.id, Certificate.revoked_at.is_(None)))


def cooperative_certificates(cooperative_id: int) -> list[Certificate]:
    """A cooperative's certificates, newest first, for its page."""
    return list(db.session.scalars(
        select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.cooperative_id == cooperative_id)
        .options(selectinload(Certificate.event))
        .order_by(Certificate.issued_at.desc(), Certificate.full_name)))
