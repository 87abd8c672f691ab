"""What the events capability tells the others. Each signal is sent with the event as sender,
inside the transaction of the change, so a subscriber's outbox rows commit with it.

Registrations and invitations subscribe (to notify their people); events imports neither.
``event_completed`` is the seam of the second wave: certificates, surveys and reports listen to
it to close an event's paperwork.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; session=the EventSession, before={"starts_at", "ends_at", "venue_id"}
event_rescheduled = _signals.signal("event-rescheduled")
# sender: the Event; reason=the organiser's reason
event_cancelled = _signals.signal("event-cancelled")
# sender: the Event, after an organiser changed its number of seats; before=the old number
event_seats_changed = _signals.signal("event-seats-changed")
# sender: the Event, once an organiser has marked it completed
event_completed = _signals.signal("event-completed")
