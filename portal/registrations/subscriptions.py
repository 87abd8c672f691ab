"""How registrations plugs into events: the seat counter and the events' signals."""

from sqlalchemy import select

from portal.events import signals
from portal.events.models import Event
from portal.extensions import db
from portal.privacy.services import RetentionRule
from portal.registrations import emails, queries, retention, seats, waitlist
from portal.registrations.models import ACTIVE_STATUSES, Registration
from portal.seams import RETENTION_RULES, SEAT_COUNTERS, register


def active_registrations(event_id: int) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(ACTIVE_STATUSES)).order_by(Registration.id)))


def on_event_rescheduled(event: Event, session=None, before=None, **_kwargs) -> None:
    emails.send_event_changed(active_registrations(event.id), f"rescheduled:{session.id}:{session.sequence}")


def on_event_cancelled(event: Event, reason=None, **_kwargs) -> None:
    emails.send_event_cancelled(active_registrations(event.id), reason)


def on_seats_changed(event: Event, **_kwargs) -> None:
    seats.lock_event(event.id)
    waitlist.promote_from_waitlist(None, event)


def register_subscriptions(app) -> None:
    register(app, SEAT_COUNTERS, seats.count_seats_taken)
    register(app, RETENTION_RULES, RetentionRule("registrations.contacts", "contact_days", retention.forget_contacts))
    register(app, RETENTION_RULES, RetentionRule("registrations.walk_ins", "walk_in_days", retention.forget_walk_ins))
    signals.event_rescheduled.connect(on_event_rescheduled, weak=False)
    signals.event_cancelled.connect(on_event_cancelled, weak=False)
    signals.event_seats_changed.connect(on_seats_changed, weak=False)
    app.jinja_env.globals["waitlist_length"] = queries.waitlist_length
