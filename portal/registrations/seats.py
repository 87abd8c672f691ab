"""Seats, the per-cooperative count and the waiting list's order, and the lock they are counted under.

Every change to an event's registrations first locks the event's row (``lock_event``): on
PostgreSQL with ``SELECT ... FOR UPDATE``, so two sign-ups cannot both count the same free seat;
on SQLite writers are already serialised by ``BEGIN IMMEDIATE`` (the request hook, or
``begin_write`` for callers outside a request). The count, the insert and any promotion then
happen under that lock, in the caller's transaction.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.errors import RuleViolation
from portal.events.models import Event
from portal.extensions import db
from portal.registrations.models import SEAT_STATUSES, Registration, RegistrationStatus


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


def seat_count(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(SEAT_STATUSES)))


def cooperative_count(event_id: int, cooperative_id: int, statuses) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.cooperative_id == cooperative_id,
        Registration.status.in_(statuses)))


def next_queue_number(event_id: int) -> int:
    return (db.session.scalar(select(func.max(Registration.queue_number)).where(
        Registration.event_id == event_id)) or 0) + 1


def seat_status(event: Event) -> RegistrationStatus:
    return RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED


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
