"""The rules of registration: signing people up (boards and organisers), cancelling, and the
organisers' approvals. Who may sign up is in ``eligibility``; seats, the lock every change takes
first and the waiting list's order in ``seats``; the waiting list's moves in ``waitlist``.
"""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.policies import is_staff, require_staff
from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import approved_cooperative_id
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events.models import Event
from portal.extensions import db
from portal.registrations import emails, participants, tickets
from portal.registrations.eligibility import can_cancel, check_can_sign_up, check_window, is_cancellable_by_board
from portal.registrations.models import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    Participant,
    ParticipantPosition,
    Registration,
    RegistrationStatus,
)
from portal.registrations.seats import cooperative_count, lock_event, next_queue_number, seat_count, seat_status
from portal.registrations.waitlist import promote_from_waitlist


def _place(actor, event: Event, participant: Participant, *, by_organiser: bool,
           over_limit_waits: bool = False) -> Registration:
    """Insert one registration under the event's lock: a seat if one is free, else the list.
    A person whose registration was cancelled can be signed up again: the same row comes back
    at the end of the queue. Beyond the cooperative's limit a sign-up is refused, or, with
    ``over_limit_waits`` (the names of an answer), joins the waiting list."""
    existing = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.participant_id == participant.id))
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise RuleViolation("participants", _("%(name)s is already registered for this event.",
                                              name=participant.full_name))
    limit = event.seats_per_cooperative if participant.cooperative_id and not by_organiser else None
    over_limit = False
    if limit and over_limit_waits:
        over_limit = cooperative_count(event.id, participant.cooperative_id, SEAT_STATUSES) >= limit
    elif limit and cooperative_count(event.id, participant.cooperative_id, ACTIVE_STATUSES) >= limit:
        raise RuleViolation("participants", _("Your cooperative may send at most %(count)d people.", count=limit))
    full = over_limit or seat_count(event.id) >= event.seats
    status = RegistrationStatus.WAITLISTED if full else seat_status(event)
    if existing is not None:
        registration = existing
        registration.status, registration.reason, registration.cancelled_at = status, None, None
        registration.queue_number = next_queue_number(event.id)
        registration.signed_up_by_id = actor.id if actor else None
        action = "registration.renewed"
    else:
        registration = Registration(
            event_id=event.id, participant=participant, cooperative_id=participant.cooperative_id, status=status,
            queue_number=next_queue_number(event.id), signed_up_by_id=actor.id if actor else None)
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
    record_change(actor, action, registration, after=_record(actor, participant, registration))
    return registration


def _record(actor, participant: Participant, registration: Registration) -> dict:
    """What the audit keeps of a sign-up; an organiser's for a cooperative says on whose behalf."""
    after = {"participant": participant.full_name, "status": registration.status.value}
    if participant.cooperative_id and is_staff(actor):
        after["on_behalf_of"] = participant.cooperative.name
    return after


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
    placed = [_place(actor, event, participant, by_organiser=False) for participant in participants]
    emails.send_statuses(placed)
    return placed


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


def sign_up_for_cooperative(actor, event_id: int, cooperative_id: int, participant_ids: list[int],
                            board_member_ids: list[int], new_person: dict | None = None) -> list[Registration]:
    """An organiser signs people up on a cooperative's behalf (one without an account, often), as
    its board would: the audience, the window, seats and the cooperative's limit all apply. The
    audit names the organiser, on the cooperative's behalf."""
    require_staff(actor, _("Only organisers can sign people up for a cooperative."))
    if db.session.get(Cooperative, cooperative_id) is None:
        raise RuleViolation("cooperative_id", _("Choose a cooperative from the registry."))
    return sign_up_people(actor, event_id, participant_ids, board_member_ids, new_person, cooperative_id)


def sign_up_named(actor, event_id: int, people: list[Participant], cooperative: Cooperative | None,
                  vouched: bool = False) -> list[Registration]:
    """The people an invitee named when it accepted, not yet signed up: each under the rules of a
    sign-up (the window, the audience, seats), except that names beyond the cooperative's limit
    join the waiting list rather than being refused. ``cooperative`` is None for an outside
    organisation, which its invitation admits. The caller (the answer) has checked who may name them:
    the invitation's link, its board, or an organiser recording the answer."""
    if not vouched:
        require_staff(actor)
    if not people:  # the same names (or fewer) confirmed: nobody to place, so no window to check
        return []
    event = lock_event(event_id)
    if cooperative is not None:
        check_can_sign_up(event, cooperative)
    else:
        check_window(event)
    placed = [_place(actor, event, person, by_organiser=False, over_limit_waits=True) for person in people]
    emails.send_statuses(placed)
    return placed


def register_guest(actor, event_id: int, participant: Participant) -> Registration:
    """An organiser adds someone by hand (a cooperative's person or an outside guest), outside
    the audience rule and the per-cooperative limit, never beyond the seats."""
    require_staff(actor, _("Only organisers can add participants by hand."))
    event = lock_event(event_id)
    if not event.is_editable:
        raise RuleViolation(None, _("A cancelled or completed event can no longer be changed."))
    placed = _place(actor, event, participant, by_organiser=True)
    emails.send_status(placed)
    return placed


def add_guest(actor, event_id: int, full_name: str, organisation_name: str, email: str | None = None,
              phone: str | None = None) -> Registration:
    """An organiser registers someone from outside the cooperatives (a bank, a partner office)."""
    require_staff(actor)
    person = participants.find_or_create_participant(actor, None, full_name, ParticipantPosition.STAFF, email, phone,
                                                     organisation_name=organisation_name)
    return register_guest(actor, event_id, person)


def cancel_registration(actor, registration: Registration, cooperative_id: int | None = None,
                        vouched: bool = False) -> list[Registration]:
    """The board until the event's cancellation deadline, organisers any time; ``cooperative_id``
    is the cooperative a caller vouches for (an invitation's link), as in ``sign_up``, and
    ``vouched`` says a caller has checked whose registration it is (an organisation's link). A
    freed seat goes to the waiting list; returns who was promoted."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    vouched = ((vouched or (cooperative_id is not None and cooperative_id == registration.cooperative_id))
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
    emails.send_statuses(pending)
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
    emails.send_statuses(chosen)
    promote_from_waitlist(actor, event)
    return len(chosen)

