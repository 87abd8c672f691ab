"""The rules of registration: who may sign up, seats and the per-cooperative limit, the waiting
list, approval and cancellation.

Every change to an event's registrations first locks the event's row (``lock_event``): on
PostgreSQL with ``SELECT ... FOR UPDATE``, so two sign-ups cannot both count the same free seat;
on SQLite writers are already serialised by ``BEGIN IMMEDIATE`` (the request hook, or
``begin_write`` for callers outside a request). The count, the insert and any promotion then
happen under that lock, in the caller's transaction.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.policies import is_staff, require_staff
from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative, CooperativeStatus
from portal.cooperatives.services import approved_cooperative_id
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events.models import Audience, Event, EventStatus, GuestListEntry
from portal.extensions import db
from portal.registrations import emails, participants, tickets
from portal.registrations.models import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    Participant,
    ParticipantPosition,
    Registration,
    RegistrationStatus,
)

# -- eligibility --------------------------------------------------------------------------------


def is_in_audience(event: Event, cooperative: Cooperative) -> bool:
    """The event's audience rule; a cooperative on the guest list is always in."""
    on_guest_list = db.session.scalar(select(GuestListEntry.id).where(
        GuestListEntry.event_id == event.id, GuestListEntry.cooperative_id == cooperative.id)) is not None
    return on_guest_list or audience_admits(event, cooperative)


def audience_admits(event: Event, cooperative: Cooperative) -> bool:
    """The event's audience rule alone, without its guest list."""
    match event.audience:
        case Audience.ALL:
            return True
        case Audience.ACTIVE_ONLY:
            return cooperative.status == CooperativeStatus.ACTIVE
        case Audience.DISTRICTS:
            return cooperative.district_id in {d.id for d in event.audience_districts}
        case Audience.TYPES:
            return cooperative.type in event.audience_types
    return False


def registration_closes_at(event: Event):
    return event.registration_closes_at or (event.first_session.starts_at if event.first_session else None)


def is_open_for_registration(event: Event, now=None) -> bool:
    now = now or utcnow()
    closes = registration_closes_at(event)
    return (event.status == EventStatus.PUBLISHED
            and (event.registration_opens_at is None or event.registration_opens_at <= now)
            and (closes is None or now < closes))


def check_can_sign_up(event: Event, cooperative: Cooperative) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise RuleViolation(None, _("This event is not open for registration."))
    now = utcnow()
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RuleViolation(None, _("Registration has not opened yet."))
    closes = registration_closes_at(event)
    if closes and now >= closes:
        raise RuleViolation(None, _("Registration has closed."))
    if not is_in_audience(event, cooperative):
        raise RuleViolation(None, _("This event is not open to your cooperative."))


def cancellation_deadline(event: Event):
    return event.cancellation_deadline_at or (event.first_session.starts_at if event.first_session else None)


def can_cancel(user, registration: Registration) -> bool:
    if registration.status not in ACTIVE_STATUSES:
        return False
    if is_staff(user):
        return True
    if approved_cooperative_id(user) != registration.cooperative_id or registration.cooperative_id is None:
        return False
    return is_cancellable_by_board(registration)


def is_cancellable_by_board(registration: Registration) -> bool:
    """Still active and before the event's cancellation deadline; whose it is, is checked apart."""
    deadline = cancellation_deadline(registration.event)
    return registration.status in ACTIVE_STATUSES and (deadline is None or utcnow() < deadline)


# -- seats and the lock -------------------------------------------------------------------------


def lock_event(event_id: int) -> Event:
    """The event, with its row locked until the transaction ends (PostgreSQL); on SQLite the
    caller's ``BEGIN IMMEDIATE`` already holds the database's write lock."""
    event = db.session.scalar(select(Event).where(Event.id == event_id).with_for_update()
                              .execution_options(populate_existing=True))
    if event is None:
        raise RuleViolation(None, _("This event does not exist."))
    return event


def count_seats_taken(event_ids) -> dict[int, int]:
    """Seats held per event (confirmed and awaiting approval): the counter events displays."""
    rows = db.session.execute(select(Registration.event_id, func.count()).where(
        Registration.event_id.in_(list(event_ids)), Registration.status.in_(SEAT_STATUSES))
        .group_by(Registration.event_id))
    return dict(rows.all())


def _seats_taken(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(SEAT_STATUSES)))


def _cooperative_count(event_id: int, cooperative_id: int, statuses) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.cooperative_id == cooperative_id,
        Registration.status.in_(statuses)))


def _next_queue_number(event_id: int) -> int:
    return (db.session.scalar(select(func.max(Registration.queue_number)).where(
        Registration.event_id == event_id)) or 0) + 1


def waitlist(event_id: int) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queue_number, Registration.id)))


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return 1 + db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == RegistrationStatus.WAITLISTED,
        Registration.queue_number < registration.queue_number))


# -- signing up ---------------------------------------------------------------------------------


def _seat_status(event: Event) -> RegistrationStatus:
    return RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED


def _place(actor, event: Event, participant: Participant, *, by_organiser: bool) -> Registration:
    """Insert one registration under the event's lock: a seat if one is free, else the list.
    A person whose registration was cancelled can be signed up again: the same row comes back
    at the end of the queue."""
    existing = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.participant_id == participant.id))
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise RuleViolation("participants", _("%(name)s is already registered for this event.",
                                              name=participant.full_name))
    limit = event.seats_per_cooperative
    if (limit and participant.cooperative_id and not by_organiser
            and _cooperative_count(event.id, participant.cooperative_id, ACTIVE_STATUSES) >= limit):
        raise RuleViolation("participants", _("Your cooperative may send at most %(count)d people.", count=limit))
    full = _seats_taken(event.id) >= event.seats
    status = RegistrationStatus.WAITLISTED if full else _seat_status(event)
    if existing is not None:
        registration = existing
        registration.status, registration.reason, registration.cancelled_at = status, None, None
        registration.queue_number = _next_queue_number(event.id)
        registration.signed_up_by_id = actor.id if actor else None
        action = "registration.renewed"
    else:
        registration = Registration(
            event_id=event.id, participant=participant, cooperative_id=participant.cooperative_id, status=status,
            queue_number=_next_queue_number(event.id), signed_up_by_id=actor.id if actor else None)
        action = "registration.created"
        tickets.assign_check_in_code(registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        raise RuleViolation("participants", _("%(name)s is already registered for this event.",
                                              name=participant.full_name)) from None
    record_change(actor, action, registration,
                  after={"participant": participant.full_name, "status": registration.status.value})
    emails.send_status(registration)
    return registration


def _board_cooperative_id(actor) -> int:
    cooperative_id = approved_cooperative_id(actor)
    if cooperative_id is None:
        raise RuleViolation(None, _("Only a verified board member can sign people up."))
    return cooperative_id


def sign_up(actor, event_id: int, participant_ids: list[int], cooperative_id: int | None = None) -> list[Registration]:
    """A board member signs people of their cooperative up: each gets a seat while seats last,
    then joins the waiting list in order. A caller that has checked the authority itself (an
    invitation's link) names ``cooperative_id``; ``actor`` may then be None."""
    cooperative_id = cooperative_id if cooperative_id is not None else _board_cooperative_id(actor)
    if not participant_ids:
        raise RuleViolation("participants", _("Choose at least one person."))
    event = lock_event(event_id)
    cooperative = db.session.get(Cooperative, cooperative_id)
    check_can_sign_up(event, cooperative)
    participants = list(db.session.scalars(select(Participant).where(
        Participant.id.in_(participant_ids), Participant.cooperative_id == cooperative_id).order_by(Participant.id)))
    if len(participants) != len(set(participant_ids)):
        raise RuleViolation("participants", _("Choose people of your own cooperative."))
    return [_place(actor, event, participant, by_organiser=False) for participant in participants]


def sign_up_people(actor, event_id: int, participant_ids: list[int], board_member_ids: list[int],
                   new_person: dict | None = None, cooperative_id: int | None = None) -> list[Registration]:
    """The sign-up form: people the cooperative sent before, its board members, and perhaps one
    new person (``full_name``, ``position``, ``email``, ``phone``). ``cooperative_id`` as for ``sign_up``."""
    cooperative_id = cooperative_id if cooperative_id is not None else _board_cooperative_id(actor)
    lock_event(event_id)  # before finding or creating people, so two forms cannot create one person twice
    cooperative = db.session.get(Cooperative, cooperative_id)
    chosen = participants.participants_from_board(actor, cooperative, board_member_ids)
    if new_person and (new_person.get("full_name") or "").strip():
        chosen.append(participants.find_or_create_participant(actor, cooperative, **new_person))
    ids = list(dict.fromkeys([*participant_ids, *(p.id for p in chosen)]))
    return sign_up(actor, event_id, ids, cooperative_id)


def register_guest(actor, event_id: int, participant: Participant) -> Registration:
    """An organiser adds someone by hand (a cooperative's person or an outside guest), outside
    the audience rule and the per-cooperative limit, never beyond the seats."""
    require_staff(actor, _("Only organisers can add participants by hand."))
    event = lock_event(event_id)
    if not event.is_editable:
        raise RuleViolation(None, _("A cancelled or completed event can no longer be changed."))
    return _place(actor, event, participant, by_organiser=True)


def add_guest(actor, event_id: int, full_name: str, organisation_name: str, email: str | None = None,
              phone: str | None = None) -> Registration:
    """An organiser registers someone from outside the cooperatives (a bank, a partner office)."""
    require_staff(actor)
    person = participants.find_or_create_participant(actor, None, full_name, ParticipantPosition.STAFF, email, phone,
                                                     organisation_name=organisation_name)
    return register_guest(actor, event_id, person)


# -- freeing seats and the waiting list ----------------------------------------------------------


def _give_seat(actor, registration: Registration, action: str) -> None:
    before = registration.status.value
    registration.status = _seat_status(registration.event)
    if registration.status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = utcnow()
    db.session.flush()
    record_change(actor, action, registration, before={"status": before}, after={"status": registration.status.value})
    emails.send_promoted(registration)


def promote_from_waitlist(actor, event: Event) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served, skipping people whose
    cooperative already holds its limit of seats. Call it with the event locked."""
    if event.status != EventStatus.PUBLISHED:
        return []
    free = event.seats - _seats_taken(event.id)
    promoted = []
    for registration in waitlist(event.id):
        if free <= 0:
            break
        limit = event.seats_per_cooperative
        if limit and registration.cooperative_id and _cooperative_count(
                event.id, registration.cooperative_id, SEAT_STATUSES) >= limit:
            continue
        _give_seat(actor, registration, "registration.promoted")
        promoted.append(registration)
        free -= 1
    return promoted


def cancel_registration(actor, registration: Registration, cooperative_id: int | None = None) -> list[Registration]:
    """The board until the event's cancellation deadline, organisers any time; ``cooperative_id``
    is the cooperative a caller vouches for (an invitation's link), as in ``sign_up``. A freed seat
    goes to the waiting list; returns who was promoted."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    vouched = (cooperative_id is not None and cooperative_id == registration.cooperative_id
               and registration.status in ACTIVE_STATUSES and is_cancellable_by_board(registration))
    if not (vouched or can_cancel(actor, registration)):
        if registration.status not in ACTIVE_STATUSES:
            raise RuleViolation(None, _("This registration is no longer active."))
        raise RuleViolation(None, _("The cancellation deadline has passed; please contact the organisers."))
    before = registration.status.value
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    record_change(actor, "registration.cancelled", registration, before={"status": before},
                  after={"status": "cancelled"})
    emails.send_status(registration)
    return promote_from_waitlist(actor, event)


def approve_registrations(actor, event_id: int, registration_ids: list[int]) -> int:
    """Confirm sign-ups that wait for approval; returns how many."""
    require_staff(actor)
    lock_event(event_id)
    pending = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.id.in_(registration_ids),
        Registration.status == RegistrationStatus.PENDING)))
    for registration in pending:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = utcnow()
        registration.decided_by_id = actor.id
        db.session.flush()
        record_change(actor, "registration.approved", registration, before={"status": "pending"},
                      after={"status": "confirmed"})
        emails.send_status(registration)
    return len(pending)


def reject_registrations(actor, event_id: int, registration_ids: list[int], reason: str) -> int:
    """Refuse sign-ups (pending or waiting) with a reason; freed seats go to the waiting list."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason", _("Give the reason for the rejection."))
    event = lock_event(event_id)
    chosen = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.id.in_(registration_ids),
        Registration.status.in_((RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED)))))
    for registration in chosen:
        before = registration.status.value
        registration.status = RegistrationStatus.REJECTED
        registration.reason = reason[:500]
        registration.decided_by_id = actor.id
        db.session.flush()
        record_change(actor, "registration.rejected", registration, before={"status": before},
                      after={"status": "rejected", "reason": registration.reason})
        emails.send_status(registration)
    promote_from_waitlist(actor, event)
    return len(chosen)


def promote_registration(actor, registration: Registration) -> None:
    """An organiser gives a waiting person a seat by hand, if one is free."""
    require_staff(actor)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RuleViolation(None, _("Only a person on the waiting list can be promoted."))
    if _seats_taken(event.id) >= event.seats:
        raise RuleViolation(None, _("There is no free seat; raise the seats or cancel a registration first."))
    _give_seat(actor, registration, "registration.promoted_by_hand")


def move_on_waitlist(actor, registration: Registration, position: int) -> None:
    """Put a waiting person at ``position`` (1 = next in line)."""
    require_staff(actor)
    lock_event(registration.event_id)
    queue = waitlist(registration.event_id)
    if registration not in queue:
        raise RuleViolation("position", _("Only a person on the waiting list can be moved."))
    before = queue.index(registration) + 1
    queue.remove(registration)
    queue.insert(max(0, min(position - 1, len(queue))), registration)
    numbers = sorted(r.queue_number for r in queue)
    for number, entry in zip(numbers, queue, strict=True):
        entry.queue_number = number
    db.session.flush()
    record_change(actor, "registration.moved", registration, before={"position": before},
                  after={"position": queue.index(registration) + 1})


def check_seat_change(event: Event, seats: int) -> None:
    """Seats cannot go below the seats already taken."""
    taken = _seats_taken(event.id)
    if seats < taken:
        raise RuleViolation("seats", _("%(taken)d seats are already taken; the event cannot have fewer "
                                       "(you entered %(seats)d).", taken=taken, seats=seats))
