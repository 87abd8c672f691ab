"""How long participants' names and contacts are kept (UU 27/2022): past the office's period after
a person's last event, the person is anonymised. Their registrations and attendance marks stay,
so every count a report makes is unchanged; issued certificates keep their own copy of the name
(``Certificate.full_name``) and stay verifiable by code."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from portal.events.models import Event
from portal.extensions import db
from portal.offices.models import Office
from portal.registrations.models import Participant, Registration, RegistrationStatus

ANONYMISED_NAME = "[dihapus]"
ANONYMOUS_VALUES = {"full_name": ANONYMISED_NAME, "email": None, "phone": None, "phone_key": None, "sex": None}


def _due(office: Office, days: int, now: datetime, walk_ins: bool):
    """The office's people, not yet anonymised, whose last event (in any office) ended more than
    ``days`` ago: walk-ins only (``walk_ins``) or those who had a seat at least once."""
    cutoff = (now - timedelta(days=days)).date()
    of_office = select(Registration.participant_id).join(Event, Event.id == Registration.event_id).where(
        Event.office_id == office.id)
    recent = select(Registration.participant_id).join(Event, Event.id == Registration.event_id).where(
        Event.ends_on >= cutoff)
    seated = select(Registration.participant_id).where(Registration.status != RegistrationStatus.WALK_IN)
    return (Participant.anonymised_at.is_(None), Participant.id.in_(of_office), Participant.id.not_in(recent),
            Participant.id.not_in(seated) if walk_ins else Participant.id.in_(seated))


def _anonymise(office: Office, days: int, now: datetime, dry_run: bool, walk_ins: bool) -> int:
    where = _due(office, days, now, walk_ins)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Participant).where(*where)) or 0
    result = db.session.execute(update(Participant).where(*where).values(anonymised_at=now, **ANONYMOUS_VALUES)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def forget_contacts(now: datetime, office: Office, days: int, dry_run: bool) -> int:
    return _anonymise(office, days, now, dry_run, walk_ins=False)


def forget_walk_ins(now: datetime, office: Office, days: int, dry_run: bool) -> int:
    return _anonymise(office, days, now, dry_run, walk_ins=True)


def anonymise_participant(participant: Participant, now: datetime) -> None:
    """One person's erasure (a granted request): the same blanks as the retention run."""
    for field, value in ANONYMOUS_VALUES.items():
        setattr(participant, field, value)
    participant.anonymised_at = now
    db.session.flush()
