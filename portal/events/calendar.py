"""iCalendar files for events: the public feeds, and the attachments of confirmations and
invitations, all from one builder.

METHOD:PUBLISH and no ORGANIZER or ATTENDEE: calendar apps import the entries, and answers come
through the portal, never as calendar replies. Each session is one VEVENT with a UID of its own
that never changes; its SEQUENCE rises with every change of time, place or status.
"""

from flask import current_app
from icalendar import Calendar
from icalendar import Event as VEvent

from portal.database import utcnow
from portal.events.models import Event, EventStatus

PRODID = "-//Portal Koperasi//Events//ID"
UID_DOMAIN = "portal-koperasi"


def event_url(event: Event) -> str:
    return f"{current_app.config['PORTAL_BASE_URL'].rstrip('/')}/events/{event.id}"


def session_uid(session) -> str:
    return f"session-{session.uid}@{UID_DOMAIN}"


def _location(venue) -> str:
    parts = [venue.name, venue.address, venue.district.name if venue.district else None]
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _vevent(event: Event, session, stamp, cancelled: bool = False) -> VEvent:
    entry = VEvent()
    entry.add("uid", session_uid(session))
    entry.add("sequence", session.sequence)
    entry.add("dtstamp", stamp)
    entry.add("dtstart", session.starts_at)
    entry.add("dtend", session.ends_at)
    summary = event.title
    if len(event.sessions) > 1:
        summary = f"{event.title} ({event.sessions.index(session) + 1}/{len(event.sessions)})"
    entry.add("summary", summary)
    entry.add("location", _location(session.venue))
    entry.add("description", "\n\n".join(part for part in (event.description.strip(), event_url(event)) if part))
    entry.add("url", event_url(event))
    entry.add("status", "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED")
    return entry


def build_calendar(events, cancelled: bool = False) -> bytes:
    """One calendar with every session of ``events``, times in UTC. Load sessions, venues and
    districts beforehand when building for many events. ``cancelled``: every entry says
    STATUS:CANCELLED (a registration that ends takes the entry off its holder's calendar)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    stamp = utcnow().replace(microsecond=0)
    for event in events:
        for session in event.sessions:
            calendar.add_component(_vevent(event, session, stamp, cancelled))
    return calendar.to_ical()
