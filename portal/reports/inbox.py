"""The board's inbox ("Koperasi saya"): everything a cooperative received, event by event — the
invitation (its answer, letter and names still owed), the people registered, their attendance and
their certificates. A page of events loads in a fixed number of queries."""

import io
import zipfile
from dataclasses import dataclass, field

from sqlalchemy import func, select, union
from sqlalchemy.orm import selectinload

from portal.attendance.models import ATTENDED_MARKS, AttendanceRecord
from portal.certificates.models import Certificate
from portal.events.models import Event
from portal.extensions import db
from portal.invitations.models import Invitation, InvitationAnswer
from portal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus


@dataclass
class InboxEvent:
    event: Event
    invitation: Invitation | None = None
    registrations: list[Registration] = field(default_factory=list)
    attended: dict[int, int] = field(default_factory=dict)  # registration id: sessions attended
    certificates: list[Certificate] = field(default_factory=list)

    @property
    def names_owed(self) -> int:
        """People announced on an accepted invitation and not named yet."""
        invitation = self.invitation
        if invitation is None or invitation.answer != InvitationAnswer.ACCEPTED or not invitation.attendee_count:
            return 0
        named = sum(1 for r in self.registrations if r.status in ACTIVE_STATUSES)
        return max(invitation.attendee_count - named, 0)


def events_query(cooperative_id: int):
    """The events a cooperative was invited to or registered for, latest first."""
    ids = union(select(Invitation.event_id).where(Invitation.cooperative_id == cooperative_id),
                select(Registration.event_id).where(Registration.cooperative_id == cooperative_id)).subquery()
    return (select(Event).where(Event.id.in_(select(ids.c.event_id)))
            .options(selectinload(Event.sessions)).order_by(Event.starts_on.desc(), Event.id.desc()))


def fill(cooperative_id: int, events: list[Event]) -> list[InboxEvent]:
    """What the cooperative received for each of ``events``: four statements, however many."""
    rows = {event.id: InboxEvent(event) for event in events}
    if not rows:
        return []
    ids = list(rows)
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.cooperative_id == cooperative_id, Invitation.event_id.in_(ids))
            .options(selectinload(Invitation.round))):
        rows[invitation.event_id].invitation = invitation
    for registration in db.session.scalars(select(Registration).where(
            Registration.cooperative_id == cooperative_id, Registration.event_id.in_(ids),
            Registration.status != RegistrationStatus.REJECTED)
            .options(selectinload(Registration.participant)).order_by(Registration.id)):
        rows[registration.event_id].registrations.append(registration)
    attended = (select(Registration.event_id, AttendanceRecord.registration_id, func.count())
                .join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
                .where(Registration.cooperative_id == cooperative_id, Registration.event_id.in_(ids),
                       AttendanceRecord.mark.in_(ATTENDED_MARKS))
                .group_by(Registration.event_id, AttendanceRecord.registration_id))
    for event_id, registration_id, n in db.session.execute(attended):
        rows[event_id].attended[registration_id] = n
    for certificate in db.session.scalars(certificates_query(cooperative_id, ids)):
        rows[certificate.event_id].certificates.append(certificate)
    return [rows[event.id] for event in events]


def certificates_query(cooperative_id: int, event_ids: list[int]):
    """The valid certificates of the cooperative's people at those events, by name."""
    return (select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
            .where(Registration.cooperative_id == cooperative_id, Certificate.event_id.in_(event_ids),
                   Certificate.revoked_at.is_(None))
            .order_by(Certificate.full_name, Certificate.id))


def certificates_zip(certificates: list[Certificate], render, filename) -> bytes:
    """One ZIP of the certificates' PDFs (``render(certificate)`` gives the bytes), each under
    its own file name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            archive.writestr(filename(certificate), render(certificate))
    return buffer.getvalue()
