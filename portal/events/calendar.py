"""iCalendar files for events: the public feeds, and the attachments of confirmations and
invitations, all from one builder.

METHOD:PUBLISH and no ORGANIZER or ATTENDEE: calendar apps import the entries, and answers come
through the portal, never as calendar replies. Each session is one VEVENT with a UID of its own
that never changes; its SEQUENCE rises with every change of time, place or status.
"""

from collections.abc import Iterator

from flask import current_app
from icalendar import Calendar
from icalendar import Event as VEvent

from portal.database import utcnow
from portal.events.models import Event, EventStatus

PRODID = "-//Portal Koperasi//Events//ID"
END = b"END:VCALENDAR\r\n"
UID_DOMAIN = "portal-koperasi"


def event_url(event: Event, base_url: str | None = None) -> str:
    return f"{(base_url or current_app.config['PORTAL_BASE_URL']).rstrip('/')}/events/{event.id}"


def session_uid(session) -> str:
    return f"session-{session.uid}@{UID_DOMAIN}"


def _location(venue) -> str:
    parts = [venue.name, venue.address, venue.district.name if venue.district else None]
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _vevent(event: Event, session, stamp, cancelled: bool = False, base_url: str | None = None) -> VEvent:
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
    url = event_url(event, base_url)
    entry.add("description", "\n\n".join(part for part in (event.description.strip(), url) if part))
    entry.add("url", url)
    entry.add("status", "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED")
    return entry


def write_calendar(events, cancelled: bool = False, base_url: str | None = None) -> Iterator[bytes]:
    """One calendar with every session of ``events``, times in UTC, written piece by piece as
    the events come (a feed of thousands never sits in memory whole). Load sessions, venues and
    districts beforehand, or in batches, when writing many events. ``cancelled``: every entry
    says STATUS:CANCELLED (a registration that ends takes the entry off its holder's calendar).
    Outside an app context, give ``base_url`` (the portal's address, for each entry's link)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    head = calendar.to_ical()
    yield head[:-len(END)]
    stamp = utcnow().replace(microsecond=0)
    for event in events:
        for session in event.sessions:
            yield _vevent(event, session, stamp, cancelled, base_url).to_ical()
    yield END


def build_calendar(events, cancelled: bool = False) -> bytes:
    """The same calendar whole: one event's file, a mail's attachment."""
    return b"".join(write_calendar(events, cancelled))
