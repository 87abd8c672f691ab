"""How registrations plugs into events: the seat counter and the events' signals."""

from portal.events import services as event_services
from portal.events import signals
from portal.registrations import queries, services


def register_subscriptions(app) -> None:
    event_services.register_seat_counter(services.count_seats_taken)
    signals.event_rescheduled.connect(services.on_event_rescheduled, weak=False)
    signals.event_cancelled.connect(services.on_event_cancelled, weak=False)
    signals.event_seats_changed.connect(services.on_seats_changed, weak=False)
    app.jinja_env.globals["waitlist_length"] = queries.waitlist_length
