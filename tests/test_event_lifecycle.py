"""An event's lifecycle: publishing, cancelling, completing and copying it, the signals it sends
the later capabilities, its guest list, and the seat counter registrations plugs in."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.events import guest_lists, services, signals
from portal.events.models import Audience, Event, EventStatus, GuestListEntry
from portal.extensions import db
from portal.seams import SEAT_COUNTERS, register
from tests.event_fixtures import DECEMBER_FIRST
from tests.html_forms import field_html


def test_lifecycle_rules(make_event):
    empty = make_event(sessions=[])
    with pytest.raises(RuleViolation):
        services.publish_event(None, empty)
    with pytest.raises(RuleViolation):
        services.complete_event(None, empty)
    with pytest.raises(RuleViolation) as refusal:
        services.cancel_event(None, empty, "   ")
    assert refusal.value.field == "reason"

    completed = make_event(status=EventStatus.COMPLETED)
    with pytest.raises(RuleViolation):
        services.cancel_event(None, completed, "Terlambat")
    with pytest.raises(RuleViolation):
        services.publish_event(None, completed)
    cancelled = make_event(status=EventStatus.CANCELLED)
    with pytest.raises(RuleViolation):
        services.add_session(None, cancelled, DECEMBER_FIRST, time(13), time(14), cancelled.sessions[0].venue_id)
    upcoming = make_event(status=EventStatus.PUBLISHED, sessions=[(date.today() + timedelta(days=30), time(9),
                                                                   time(12))])
    with pytest.raises(RuleViolation):
        services.complete_event(None, upcoming)
    with pytest.raises(RuleViolation):
        services.remove_session(None, upcoming, upcoming.sessions[0])


def _record_signals(received: list) -> dict:
    """Connect a receiver to each of the events' signals that appends (name, event id, extra names)."""
    receivers = {}
    for name, signal in _SIGNALS.items():
        receivers[name] = lambda sender, name=name, **extra: received.append((name, sender.id, sorted(extra)))
        signal.connect(receivers[name])
    return receivers


def _disconnect(receivers: dict) -> None:
    for name, signal in _SIGNALS.items():
        signal.disconnect(receivers[name])


_SIGNALS = {"rescheduled": signals.event_rescheduled, "cancelled": signals.event_cancelled,
            "completed": signals.event_completed}


def test_rescheduling_and_cancelling_each_signal_once_and_publishing_is_audited(make_event):
    event = make_event()
    received = []
    receivers = _record_signals(received)
    try:
        services.publish_event(None, event)
        session = event.sessions[0]
        unchanged = services.reschedule_session(None, event, session, DECEMBER_FIRST, time(9), time(12),
                                                session.venue_id)
        assert unchanged is False
        services.reschedule_session(None, event, session, DECEMBER_FIRST, time(10), time(13), session.venue_id)
        services.cancel_event(None, event, "Cuaca buruk")
    finally:
        _disconnect(receivers)
    assert received == [("rescheduled", event.id, ["before", "session"]), ("cancelled", event.id, ["reason"])]
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(event.id))))
    assert {"event.published", "event.rescheduled", "event.cancelled"} <= actions
    assert session.sequence == 2 and event.sequence == 2  # moved once, cancelled once


def test_completing_signals_event_completed_once_in_the_same_transaction(make_event):
    """What certificates, surveys and reports will listen to: sent with the event, before the commit."""
    event = make_event(status=EventStatus.PUBLISHED)
    received, statuses = [], []
    receivers = _record_signals(received)
    seen = lambda sender, **_extra: statuses.append(sender.status)  # noqa: E731
    signals.event_completed.connect(seen)
    try:
        services.complete_event(None, event)
        db.session.rollback()
    finally:
        _disconnect(receivers)
        signals.event_completed.disconnect(seen)
    assert received == [("completed", event.id, [])]
    assert statuses == [EventStatus.COMPLETED]
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED, "rolled back with the change"


def test_duplicate_keeps_the_wall_clock_and_copies_the_guest_list(make_event, make_guest_cooperative):
    event = make_event(status=EventStatus.PUBLISHED, audience=Audience.GUEST_LIST,
                       sessions=[(DECEMBER_FIRST, time(9), time(12)), (date(2022, 12, 2), time(9), time(12))])
    guest_lists.add_guest_cooperatives(None, event, [make_guest_cooperative().id])
    guest_lists.add_guest_organisation(None, event, "Bank NTT", "humas@bankntt.example")
    copy = services.duplicate_event(None, event, 7)
    assert copy.status == EventStatus.DRAFT and copy.id != event.id
    assert (copy.starts_on, copy.ends_on) == (date(2022, 12, 8), date(2022, 12, 9))
    assert [s.starts_at for s in copy.sessions] == [datetime(2022, 12, 8, 1, tzinfo=UTC),
                                                    datetime(2022, 12, 9, 1, tzinfo=UTC)]
    assert {s.uid for s in copy.sessions}.isdisjoint({s.uid for s in event.sessions})
    assert sorted(g.name for g in copy.guests) == ["Bank NTT", "Koperasi Uji 1"]


def test_guest_list_skips_duplicates_and_refuses_the_same_organisation_twice(make_event, make_guest_cooperative):
    event = make_event()
    cooperative = make_guest_cooperative()
    assert guest_lists.add_guest_cooperatives(None, event, [cooperative.id, 999999]) == 1
    assert guest_lists.add_guest_cooperatives(None, event, [cooperative.id]) == 0
    guest_lists.add_guest_organisation(None, event, "Bank NTT", None)
    with pytest.raises(RuleViolation) as refusal:
        guest_lists.add_guest_organisation(None, event, "bank ntt", None)
    assert refusal.value.field == "organisation_name"
    entry = db.session.scalar(select(GuestListEntry).where(GuestListEntry.cooperative_id == cooperative.id))
    guest_lists.remove_guest(None, event, entry)
    assert [g.name for g in db.session.get(Event, event.id).guests] == ["Bank NTT"]


def test_guest_list_pages_add_and_remove(client, logged_in, make_event, make_guest_cooperative):
    logged_in(Role.ORGANISER)
    event = make_event()
    cooperative = make_guest_cooperative(name="Koperasi Sehati")
    page = client.get(f"/organiser/events/{event.id}/guests?q=sehati")
    assert "Koperasi Sehati" in page.text
    client.post(f"/organiser/events/{event.id}/guests/cooperatives", data={"cooperative_id": [str(cooperative.id)]})
    response = client.post(f"/organiser/events/{event.id}/guests/organisations",
                           data={"organisation_name": "", "email": "bukan-email"})
    assert response.status_code == 400 and "is-invalid" in field_html(response.text, "organisation_name")
    client.post(f"/organiser/events/{event.id}/guests/organisations",
                data={"organisation_name": "Bank NTT", "email": "humas@bankntt.example"})
    assert sorted(g.name for g in db.session.get(Event, event.id).guests) == ["Bank NTT", "Koperasi Sehati"]


def test_publish_cancel_and_duplicate_buttons(client, logged_in, make_event):
    logged_in(Role.ORGANISER)
    event = make_event()
    assert client.post(f"/organiser/events/{event.id}/publish").status_code == 302
    assert client.post(f"/organiser/events/{event.id}/cancel", data={"cancel-reason": ""}).status_code == 400
    assert client.post(f"/organiser/events/{event.id}/cancel", data={"cancel-reason": "Banjir",
                                                                      "confirmed": "1"}).status_code == 302
    response = client.post(f"/organiser/events/{event.id}/duplicate", data={"copy-shift_days": "14"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED
    assert db.session.scalar(select(func.count(Event.id)).where(Event.starts_on == date(2022, 12, 15))) == 1


def test_seats_left_come_from_the_seat_counter(app, client, make_event):
    event = make_event(status=EventStatus.PUBLISHED, seats=30)
    assert services.seats_taken([event.id]) == {event.id: 0}
    counter = lambda ids: dict.fromkeys(ids, 4)  # noqa: E731 (a stand-in for registrations)
    register(app, SEAT_COUNTERS, counter)
    assert "26 / 30" in client.get(f"/events/{event.id}").text


def test_the_seat_counter_belongs_to_its_app(app, make_app, make_event):
    """Registered per app, not in a module global: another app counts with its own counters."""
    event = make_event(status=EventStatus.PUBLISHED, seats=30)
    register(app, SEAT_COUNTERS, lambda ids: dict.fromkeys(ids, 4))
    assert services.seats_taken([event.id]) == {event.id: 4}
    with make_app().app_context():
        assert services.seats_taken([event.id]) == {event.id: 0}


def test_a_multi_day_event_cannot_be_completed_before_its_last_session_ends(make_event):
    """Certificates follow completion: a three-day training marked complete after day 1 would
    certify people for days that have not happened."""
    first = date(2022, 12, 1)
    event = make_event(status=EventStatus.PUBLISHED, sessions=[(first + timedelta(days=n), time(9), time(12))
                                                               for n in range(3)])
    during_day_one = datetime(2022, 12, 1, 5, tzinfo=UTC)  # 13.00 WITA, day 1 is over
    with force_locale("id"), pytest.raises(RuleViolation) as refusal:
        services.complete_event(None, event, now=during_day_one)
    assert "sesi terakhir" in refusal.value.message and "3 Desember 2022" in refusal.value.message
    assert event.status == EventStatus.PUBLISHED
    just_before_the_end = datetime(2022, 12, 3, 3, 59, tzinfo=UTC)  # 11.59 WITA on the last day
    with pytest.raises(RuleViolation):
        services.complete_event(None, event, now=just_before_the_end)
    services.complete_event(None, event, now=datetime(2022, 12, 3, 4, tzinfo=UTC))
    assert event.status == EventStatus.COMPLETED


def test_the_complete_button_refuses_a_running_event_with_a_message(client, logged_in, make_event, app):
    logged_in(Role.ORGANISER)
    today = services.local_today()
    event = make_event(status=EventStatus.PUBLISHED, sessions=[(today - timedelta(days=1), time(0), time(1)),
                                                               (today + timedelta(days=1), time(9), time(12))],
                       )
    page = client.post(f"/organiser/events/{event.id}/complete", data={"confirmed": "1"}, follow_redirects=True)
    assert "sesi terakhir" in page.text
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
