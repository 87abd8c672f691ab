"""Demo attendance: the chairs of the first active cooperatives at the demo's past coordination
meeting (December 2022), most present, some late, one excused, one absent, and a walk-in from
the bank. Safe to run again: a meeting that already has registrations is left alone."""

from datetime import time, timedelta

from sqlalchemy import select

from portal.attendance import services
from portal.cooperatives.models import Cooperative, CooperativeStatus
from portal.events.models import Event
from portal.events.services import local_moment
from portal.extensions import db
from portal.registrations import participants, tickets
from portal.registrations.models import Registration, RegistrationStatus

MEETING_TITLE = "Rapat Koordinasi Pengurus Koperasi se-Kabupaten Kupang 2022"
MARKS = ["present"] * 8 + ["late", "late", "excused", "absent"]


def seed_attendance(actor) -> None:
    meeting = db.session.scalar(select(Event).where(Event.title == MEETING_TITLE))
    if meeting is None or actor is None or not meeting.sessions or db.session.scalar(
            select(Registration.id).where(Registration.event_id == meeting.id)) is not None:
        return
    session = meeting.sessions[0]
    start = session.starts_at
    chairs = db.session.scalars(select(Cooperative).where(Cooperative.status == CooperativeStatus.ACTIVE)
                                .order_by(Cooperative.id).limit(len(MARKS)))
    for n, (cooperative, mark) in enumerate(zip(chairs, MARKS, strict=False), start=1):
        chair = cooperative.board_members[0]
        person = participants.participants_from_board(actor, cooperative, [chair.id])[0]
        # The meeting is long past, so its registrations are written as they stood on the day.
        registration = Registration(event_id=meeting.id, participant=person, cooperative_id=cooperative.id,
                                    status=RegistrationStatus.CONFIRMED, queue_number=n, signed_up_by_id=actor.id,
                                    confirmed_at=start - timedelta(days=14))
        tickets.assign_check_in_code(registration)
        db.session.add(registration)
        db.session.flush()
        arrived = start + timedelta(minutes=40 if mark == "late" else -25 + 2 * n)
        services.mark_attendance(actor, registration.id, session.id, mark, arrived)
    services.record_walk_in(actor, session, "Yohanes Mau", "Bank NTT Cabang Oelamasi", "staff", None,
                            local_moment(meeting.starts_on, time(9, 10)))
