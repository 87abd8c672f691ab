"""The waiting list: filling free seats in order, and the organiser's promotions and moves. Each
runs under the event's lock (``seats.lock_event``)."""

from flask_babel import gettext as _

from portal.accounts.policies import require_staff
from portal.audit.services import record_change
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.registrations import emails
from portal.registrations.models import SEAT_STATUSES, Registration, RegistrationStatus
from portal.registrations.seats import (
    cooperative_count,
    lock_event,
    seat_count,
    seat_status,
    waitlist,
)


def _give_seat(actor, registration: Registration, action: str) -> None:
    before = registration.status.value
    registration.status = seat_status(registration.event)
    if registration.status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = utcnow()
    db.session.flush()
    record_change(actor, action, registration, before={"status": before}, after={"status": registration.status.value})


def promote_from_waitlist(actor, event: Event) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served, skipping people whose
    cooperative already holds its limit of seats. Call it with the event locked."""
    if event.status != EventStatus.PUBLISHED:
        return []
    free = event.seats - seat_count(event.id)
    promoted = []
    for registration in waitlist(event.id):
        if free <= 0:
            break
        limit = event.seats_per_cooperative
        if limit and registration.cooperative_id and cooperative_count(
                event.id, registration.cooperative_id, SEAT_STATUSES) >= limit:
            continue
        _give_seat(actor, registration, "registration.promoted")
        promoted.append(registration)
        free -= 1
    emails.send_promoted(promoted)
    return promoted


def next_in_line(registration: Registration) -> Registration | None:
    """Who would get the seat if ``registration`` were cancelled now: the first waiting person
    whose cooperative is under its limit once this seat is free (what ``promote_from_waitlist``
    will do); None when no seat would free or nobody is waiting."""
    event = registration.event
    holds_seat = registration.status in SEAT_STATUSES
    if event.status != EventStatus.PUBLISHED or event.seats - seat_count(event.id) + holds_seat <= 0:
        return None
    limit = event.seats_per_cooperative
    for waiting in waitlist(event.id):
        if waiting.id == registration.id:
            continue
        if limit and waiting.cooperative_id:
            held = cooperative_count(event.id, waiting.cooperative_id, SEAT_STATUSES)
            held -= holds_seat and waiting.cooperative_id == registration.cooperative_id
            if held >= limit:
                continue
        return waiting
    return None


def promote_registration(actor, registration: Registration) -> None:
    """An organiser gives a waiting person a seat by hand, if one is free."""
    require_staff(actor)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RuleViolation(None, _("Only a person on the waiting list can be promoted."))
    if seat_count(event.id) >= event.seats:
        raise RuleViolation(None, _("There is no free seat; raise the seats or cancel a registration first."))
    _give_seat(actor, registration, "registration.promoted_by_hand")
    emails.send_promoted([registration])


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
