"""The iCalendar feeds: what calendar apps import, in UTC, with stable UIDs and rising SEQUENCEs."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.events import services, venues
from portal.events.calendar import build_calendar
from portal.events.models import EventStatus
from portal.extensions import db

THREE_DAYS = [(date(2022, 12, 1), time(9), time(12)), (date(2022, 12, 2), time(9), time(12)),
              (date(2022, 12, 3), time(13, 30), time(16))]


def _entries(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH"
    assert "Portal Koperasi" in str(calendar["PRODID"])
    return list(calendar.walk("VEVENT"))


def test_feed_has_one_entry_per_session_in_utc_that_zoneinfo_agrees_with(client, make_event):
    day = date.today() + timedelta(days=20)
    sessions = [(day + timedelta(days=n), start, end) for n, (_day, start, end) in enumerate(THREE_DAYS)]
    event = make_event(title="Pelatihan Tiga Hari", status=EventStatus.PUBLISHED, sessions=sessions)
    response = client.get("/events.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert f"DTSTART:{day:%Y%m%d}T010000Z".encode() in response.data
    entries = _entries(response.data)
    assert len(entries) == 3
    first = entries[0]
    start = first.decoded("DTSTART")
    assert start == datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    wita = start.astimezone(ZoneInfo("Asia/Makassar"))
    assert (wita.hour, wita.minute) == (9, 0)
    assert first.decoded("DTEND").astimezone(ZoneInfo("Asia/Makassar")).hour == 12
    assert entries[2].decoded("DTSTART").astimezone(ZoneInfo("Asia/Makassar")).time() == time(13, 30)
    assert str(first["SUMMARY"]) == "Pelatihan Tiga Hari (1/3)"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert "Aula" in str(first["LOCATION"]) and "Kupang Timur" in str(first["LOCATION"])
    assert f"/events/{event.id}" in str(first["DESCRIPTION"])
    assert "DTSTAMP" in first and int(first["SEQUENCE"]) == 0
    for entry in entries:
        assert "ORGANIZER" not in entry and "ATTENDEE" not in entry
    assert len({str(entry["UID"]) for entry in entries}) == 3
    assert all(str(entry["UID"]).endswith("@portal-koperasi") for entry in entries)


@pytest.mark.app_config(PORTAL_TIMEZONE="Asia/Jayapura")
def test_feed_follows_the_configured_zone(client, make_event):
    event = make_event(status=EventStatus.PUBLISHED)
    entry = _entries(client.get(f"/events/{event.id}.ics").data)[0]
    start = entry.decoded("DTSTART")
    assert start == datetime(2022, 12, 1, 0, 0, tzinfo=UTC)
    assert start.astimezone(ZoneInfo("Asia/Jayapura")).hour == 9


def test_uids_are_stable_and_sequence_rises_on_reschedule(client, make_event, make_venue):
    event = make_event(status=EventStatus.PUBLISHED, sessions=THREE_DAYS)
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in _entries(client.get(f"/events/{event.id}.ics").data)}
    session = event.sessions[1]
    services.reschedule_session(None, event, session, date(2022, 12, 2), time(10), time(13), session.venue_id)
    services.reschedule_session(None, event, session, date(2022, 12, 2), time(10), time(13), make_venue().id)
    db.session.commit()
    entries = _entries(client.get(f"/events/{event.id}.ics").data)
    after = {str(e["UID"]): int(e["SEQUENCE"]) for e in entries}
    assert set(after) == set(before), "the UIDs do not change"
    moved = f"session-{session.uid}@portal-koperasi"
    assert after[moved] == before[moved] + 2
    assert all(after[uid] == before[uid] for uid in after if uid != moved)
    moved_entry = next(e for e in entries if str(e["UID"]) == moved)
    assert moved_entry.decoded("DTSTART") == datetime(2022, 12, 2, 2, 0, tzinfo=UTC)


def test_cancelled_event_stays_in_its_feed_as_cancelled_with_a_higher_sequence(client, make_event):
    event = make_event(status=EventStatus.PUBLISHED, sessions=THREE_DAYS)
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in _entries(client.get(f"/events/{event.id}.ics").data)}
    services.cancel_event(None, event, "Badai")
    db.session.commit()
    entries = _entries(client.get(f"/events/{event.id}.ics").data)
    assert [str(e["STATUS"]) for e in entries] == ["CANCELLED"] * 3
    assert all(int(e["SEQUENCE"]) == before[str(e["UID"])] + 1 for e in entries)


def test_drafts_are_not_in_the_feed(client, make_event):
    make_event(title="Rahasia Draf")
    soon = date.today() + timedelta(days=5)
    published = make_event(title="Sudah Terbit", status=EventStatus.PUBLISHED, sessions=[(soon, time(9), time(12))])
    summaries = [str(e["SUMMARY"]) for e in _entries(client.get("/events.ics").data)]
    assert summaries == ["Sudah Terbit"]
    assert published.status == EventStatus.PUBLISHED


def test_builder_serves_attachments_outside_a_request(app, make_event):
    event = make_event(status=EventStatus.PUBLISHED)
    entries = _entries(build_calendar([event]))
    assert str(entries[0]["URL"]).startswith(app.config["PORTAL_BASE_URL"])


def test_moving_a_venue_raises_the_sequence_of_its_upcoming_sessions(client, make_event, make_venue):
    venue = make_venue(name="Aula Desa Oelnasi")
    next_year = date.today().year + 1
    upcoming = make_event(status=EventStatus.PUBLISHED, venue=venue,
                          sessions=((date(next_year, 3, 2), time(9), time(12)),))
    past = make_event(status=EventStatus.PUBLISHED, venue=venue)
    db.session.commit()
    venues.update_venue(None, venue, "Aula Desa Oelnasi", "Jl. Baru No. 5, Oelnasi", venue.district_id,
                          venue.capacity)
    db.session.commit()
    [entry] = _entries(client.get(f"/events/{upcoming.id}.ics").data)
    assert int(entry["SEQUENCE"]) == 1 and "Jl. Baru No. 5" in str(entry["LOCATION"])
    [old] = _entries(client.get(f"/events/{past.id}.ics").data)
    assert int(old["SEQUENCE"]) == 0, "a meeting that took place is not rewritten"
