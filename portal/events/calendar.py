"""iCalendar files for events: the public feeds, and the attachments of confirmations and
invitations, all from one builder.

METHOD:PUBLISH and no ORGANIZER or ATTENDEE: calendar apps import the entries, and answers come
through the portal, never as calendar replies. Each session is one VEVENT with a UID of its own
that never changes; its SEQUENCE rises with every change of time, place or status.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from portal.database import utcnow
from portal.events.models import Event, EventStatus

PRODID = "-//Portal Koperasi//Events//ID"
HEAD = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + PRODID.encode() + b"\r\nCALSCALE:GREGORIAN\r\n"
        b"METHOD:PUBLISH\r\n")
END = b"END:VCALENDAR\r\n"
UID_DOMAIN = "portal-koperasi"


def event_url(event: Event, base_url: str | None = None) -> str:
    return f"{(base_url or current_app.config['PORTAL_BASE_URL']).rstrip('/')}/events/{event.id}"


def session_uid(session) -> str:
    return f"session-{session.uid}@{UID_DOMAIN}"


def escape_text(value: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> bytes:
    """One content line as bytes, folded (RFC 5545 3.1) so no line is longer than 75 octets,
    never inside a character, each ended by CRLF."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a UTF-8 continuation byte: back off
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # a continuation line starts with one space
    return b"\r\n ".join(parts) + b"\r\n"


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Entry:
    """One VEVENT as plain values: what the feed reads in one query, and what an event's own
    file makes from its sessions."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    url: str
    cancelled: bool


def entry_bytes(entry: Entry, stamp: str) -> bytes:
    """The VEVENT's text, written line by line (the icalendar objects cost a hundred times more
    for a feed of thousands)."""
    return b"".join((
        b"BEGIN:VEVENT\r\n",
        fold(f"SUMMARY:{escape_text(entry.summary)}"),
        fold(f"DTSTART:{_utc(entry.starts_at)}"),
        fold(f"DTEND:{_utc(entry.ends_at)}"),
        fold(f"DTSTAMP:{stamp}"),
        fold(f"UID:{escape_text(entry.uid)}"),
        fold(f"SEQUENCE:{entry.sequence}"),
        fold(f"DESCRIPTION:{escape_text(entry.description)}"),
        fold(f"LOCATION:{escape_text(entry.location)}"),
        b"STATUS:CANCELLED\r\n" if entry.cancelled else b"STATUS:CONFIRMED\r\n",
        fold(f"URL:{entry.url}"),
        b"END:VEVENT\r\n",
    ))


def make_entry(*, uid_token: str, sequence: int, starts_at, ends_at, title: str, number: int, count: int,
               venue: str | None, address: str | None, district: str | None, description: str, url: str,
               cancelled: bool) -> Entry:
    """A session's entry: "(2/3)" after the title of an event of several sessions, the place as
    venue, address and district, the event's page after its description."""
    summary = f"{title} ({number}/{count})" if count > 1 else title
    location = ", ".join(part.strip() for part in (venue, address, district) if part and part.strip())
    text = "\n\n".join(part for part in ((description or "").strip(), url) if part)
    return Entry(f"session-{uid_token}@{UID_DOMAIN}", sequence, starts_at, ends_at, summary, location, text, url,
                 cancelled)


def _entries(event: Event, cancelled: bool, base_url: str | None):
    url = event_url(event, base_url)
    for number, session in enumerate(event.sessions, start=1):
        venue = session.venue
        yield make_entry(uid_token=session.uid, sequence=session.sequence, starts_at=session.starts_at,
                         ends_at=session.ends_at, title=event.title, number=number, count=len(event.sessions),
                         venue=venue.name, address=venue.address, district=venue.district.name if venue.district
                         else None, description=event.description, url=url,
                         cancelled=cancelled or event.status == EventStatus.CANCELLED)


def write_entries(entries) -> Iterator[bytes]:
    """One calendar of ``entries`` (plain values, in any number), written piece by piece."""
    yield HEAD
    stamp = _utc(utcnow())
    batch = []
    for entry in entries:
        batch.append(entry_bytes(entry, stamp))
        if len(batch) == 100:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)
    yield END


def write_calendar(events, cancelled: bool = False, base_url: str | None = None) -> Iterator[bytes]:
    """One calendar with every session of ``events``, times in UTC, written piece by piece as
    the events come. Load sessions, venues and districts beforehand. ``cancelled``: every entry
    says STATUS:CANCELLED (a registration that ends takes the entry off its holder's calendar).
    Outside an app context, give ``base_url`` (the portal's address, for each entry's link)."""
    return write_entries(entry for event in events for entry in _entries(event, cancelled, base_url))


def build_calendar(events, cancelled: bool = False) -> bytes:
    """The same calendar whole: one event's file, a mail's attachment."""
    return b"".join(write_calendar(events, cancelled))
