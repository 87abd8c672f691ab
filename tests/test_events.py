"""Events: time in the office's zone, scheduling rules, pages and access. (The lifecycle, its
signals and the guest list: test_event_lifecycle.py.)"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, insert, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.events import services
from portal.events.models import Audience, Event, EventKind, EventSession, EventStatus, ProgramArea
from portal.extensions import db
from tests.html_forms import field_html, form_values

DECEMBER_FIRST = date(2022, 12, 1)


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def _state(event_id: int) -> tuple:
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    sessions = [(s.starts_at, s.ends_at, s.venue_id, s.sequence) for s in event.sessions]
    return event.updated_at, event.sequence, sessions, _audit_count()


def _nine_o_clock_round_trip(client, make_event, label: str, utc_hour: int) -> None:
    event = make_event(status=EventStatus.PUBLISHED)
    session = event.sessions[0]
    assert session.starts_at == datetime(2022, 12, 1, utc_hour, 0, tzinfo=UTC)

    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    assert f"09.00–12.00 {label}" in page.text

    before = _state(event.id)
    edit = client.get(f"/organiser/events/{event.id}/edit")
    values = form_values(edit.text, "event-form")
    assert values["starts_on"] == "2022-12-01"
    assert client.post(f"/organiser/events/{event.id}/edit", data=values).status_code == 302
    assert _state(event.id) == before, "saving the unchanged form changes nothing"

    session_page = client.get(f"/organiser/events/{event.id}/sessions/{session.id}")
    values = form_values(session_page.text, "session-form")
    assert (values["session-starts"], values["session-ends"]) == ("09:00", "12:00")
    assert client.post(f"/organiser/events/{event.id}/sessions/{session.id}", data=values).status_code == 302
    assert _state(event.id) == before, "saving the unchanged session changes nothing, SEQUENCE included"
    assert f"09.00–12.00 {label}" in client.get(f"/events/{event.id}").text


def test_nine_wita_session_is_nine_wita_on_the_page_and_after_resaving(client, logged_in, make_event):
    logged_in(Role.ORGANISER)
    _nine_o_clock_round_trip(client, make_event, "WITA", 1)


@pytest.mark.app_config(PORTAL_TIMEZONE="Asia/Jayapura")
def test_nine_wit_session_behaves_the_same_in_another_zone(client, logged_in, make_event):
    logged_in(Role.ORGANISER)
    _nine_o_clock_round_trip(client, make_event, "WIT", 0)


def test_session_ending_before_it_starts_is_refused_on_its_field(client, logged_in, make_event):
    logged_in(Role.ORGANISER)
    event = make_event()
    before = _state(event.id)
    response = client.post(f"/organiser/events/{event.id}/sessions", data={
        "session-day": "2022-12-01", "session-starts": "14:00", "session-ends": "13:00",
        "session-venue_id": event.sessions[0].venue_id})
    assert response.status_code == 200
    assert 'id="session-ends"' in response.text and "is-invalid" in field_html(response.text, "session-ends")
    assert _state(event.id) == before


@pytest.mark.parametrize(("day", "field"), [("2022-12-05", "day"), ("2022-11-30", "day")])
def test_session_outside_the_event_days_is_refused(make_event, day, field):
    event = make_event()
    with pytest.raises(RuleViolation) as refusal:
        services.add_session(None, event, date.fromisoformat(day), time(9), time(10), event.sessions[0].venue_id)
    assert refusal.value.field == field
    db.session.rollback()
    assert len(db.session.get(Event, event.id).sessions) == 1


def test_registration_closing_after_the_first_session_is_refused(make_event):
    event = make_event()
    details = _details_of(event, registration_closes_on=DECEMBER_FIRST, registration_closes_time=time(10))
    with pytest.raises(RuleViolation) as refusal:
        services.update_event(None, event, details)
    assert refusal.value.field == "registration_closes_on"
    db.session.rollback()
    assert db.session.get(Event, event.id).registration_closes_at is None


def test_shrinking_the_event_days_past_a_session_is_refused(make_event):
    event = make_event(sessions=[(DECEMBER_FIRST, time(9), time(12)), (date(2022, 12, 2), time(9), time(12))])
    with pytest.raises(RuleViolation) as refusal:
        services.update_event(None, event, _details_of(event, ends_on=DECEMBER_FIRST))
    assert refusal.value.field == "ends_on"


@pytest.mark.parametrize(("days", "saved"), [([1, 3, 3], [3, 1]), ([], []), ([0], [0])])
def test_reminder_days_are_kept_largest_first_without_repeats(make_event, days, saved):
    event = make_event()
    services.update_event(None, event, _details_of(event, reminder_days=days))
    assert event.reminder_days == saved


@pytest.mark.parametrize("days", [[61], [-1], [7, 6, 5, 4, 3, 2]])
def test_reminder_days_out_of_range_or_too_many_are_refused(make_event, days):
    event = make_event()
    with pytest.raises(RuleViolation) as refusal:
        services.update_event(None, event, _details_of(event, reminder_days=days))
    assert refusal.value.field == "reminder_days"


def _details_of(event: Event, **changes) -> services.EventDetails:
    values = {"kind": event.kind, "program_area": event.program_area, "title": event.title, "seats": event.seats,
              "starts_on": event.starts_on, "ends_on": event.ends_on}
    values.update(changes)
    return services.EventDetails(**values)


@pytest.mark.parametrize(("field", "value"), [
    ("starts_on", "2022-13-45"), ("seats", "-5"), ("seats", "banyak"), ("registration_opens_time", "25:99"),
    ("district_ids", "abc"), ("reminder_days", "3; 1"), ("reminder_days", "besok"),
])
def test_malformed_event_input_gets_a_message_on_its_field(client, logged_in, make_event, field, value):
    logged_in(Role.ORGANISER)
    event = make_event()
    values = form_values(client.get(f"/organiser/events/{event.id}/edit").text, "event-form")
    values[field] = value
    before = _state(event.id)
    response = client.post(f"/organiser/events/{event.id}/edit", data=values)
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.text, field)
    assert _state(event.id) == before


@pytest.mark.parametrize("venue_id", ["999999", "not-a-number", ""])
def test_unknown_venue_gets_a_message_on_the_venue_field(client, logged_in, make_event, venue_id):
    logged_in(Role.ORGANISER)
    event = make_event()
    response = client.post(f"/organiser/events/{event.id}/sessions", data={
        "session-day": "2022-12-01", "session-starts": "13:00", "session-ends": "15:00", "session-venue_id": venue_id})
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.text, "session-venue_id")
    assert len(db.session.get(Event, event.id).sessions) == 1


def test_training_needs_a_program_area_and_a_meeting_drops_it(app):
    with pytest.raises(RuleViolation) as refusal:
        services.create_event(None, services.EventDetails(kind=EventKind.TRAINING, title="X", seats=5,
                                                          starts_on=DECEMBER_FIRST, ends_on=DECEMBER_FIRST))
    assert refusal.value.field == "program_area"
    meeting = services.create_event(None, services.EventDetails(
        kind=EventKind.MEETING, program_area=ProgramArea.CAPITAL, title="Rakor", seats=5, starts_on=DECEMBER_FIRST,
        ends_on=DECEMBER_FIRST))
    assert meeting.program_area is None


def test_overlapping_sessions_in_one_venue_are_allowed_with_a_warning(client, logged_in, make_event, make_venue):
    logged_in(Role.ORGANISER)
    venue = make_venue()
    make_event(title="Rapat Koordinasi", venue=venue, status=EventStatus.PUBLISHED)
    event = make_event(title="Pelatihan Lain", venue=venue, sessions=[])
    response = client.post(f"/organiser/events/{event.id}/sessions", follow_redirects=True, data={
        "session-day": "2022-12-01", "session-starts": "10:00", "session-ends": "11:00", "session-venue_id": venue.id})
    assert "alert-warning" in response.text and "Rapat Koordinasi" in response.text
    assert len(db.session.get(Event, event.id).sessions) == 1


def test_organiser_creates_an_event_with_its_first_session(client, logged_in, make_venue):
    logged_in(Role.ORGANISER)
    venue = make_venue()
    response = client.post("/organiser/events/new", data={
        "kind": "training", "program_area": "capital", "title": "Akses Permodalan", "seats": "40",
        "starts_on": "2030-03-04", "ends_on": "2030-03-04", "audience": "all",
        "day": "2030-03-04", "starts": "09:00", "ends": "12:00", "venue_id": str(venue.id)})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.title == "Akses Permodalan"))
    assert event.status == EventStatus.DRAFT
    assert [s.starts_at for s in event.sessions] == [datetime(2030, 3, 4, 1, tzinfo=UTC)]


def test_description_is_plain_text_with_line_breaks(client, make_event):
    event = make_event(status=EventStatus.PUBLISHED, description="Baris satu\n<script>alert(1)</script>")
    page = client.get(f"/events/{event.id}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "pre-line" in page.text


def test_draft_is_not_found_by_the_public(client, make_event):
    event = make_event()
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}.ics").status_code == 404
    assert "Pelatihan Pembukuan" not in client.get("/events/calendar?month=2022-12").text


def test_board_members_and_anonymous_visitors_cannot_manage(client, logged_in, make_event):
    event = make_event()
    pages = ["/organiser/events", f"/organiser/events/{event.id}", f"/organiser/events/{event.id}/edit",
             f"/organiser/events/{event.id}/guests", "/organiser/venues", "/organiser/venues/new"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert client.post(f"/organiser/events/{event.id}/publish").status_code == 302
    logged_in(Role.BOARD)
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/organiser/events/{event.id}/publish").status_code == 403
    assert db.session.get(Event, event.id).status == EventStatus.DRAFT


def test_public_list_filters_by_kind_area_district_and_month(client, make_event, make_venue):
    soon = date.today() + timedelta(days=10)
    later = date.today() + timedelta(days=70)
    make_event(title="Promosi Produk Semau", status=EventStatus.PUBLISHED, program_area=ProgramArea.PROMOTION,
               venue=make_venue(district_name="Semau"), sessions=[(soon, time(9), time(12))])
    make_event(title="Rakor Takari", kind=EventKind.MEETING, status=EventStatus.PUBLISHED,
               venue=make_venue(district_name="Takari"), sessions=[(later, time(9), time(12))])
    make_event(title="Pelatihan Lama", status=EventStatus.PUBLISHED)

    def titles(query=""):
        text = client.get("/events" + query).text
        return [t for t in ("Promosi Produk Semau", "Rakor Takari", "Pelatihan Lama") if t in text]

    assert titles() == ["Promosi Produk Semau", "Rakor Takari"]
    assert titles("?kind=meeting") == ["Rakor Takari"]
    assert titles("?area=promotion") == ["Promosi Produk Semau"]
    semau = db.session.scalar(select(services.District.id).where(services.District.name == "Semau"))
    assert titles(f"?district={semau}") == ["Promosi Produk Semau"]
    assert titles(f"?month={later:%Y-%m}") == ["Rakor Takari"]
    assert client.get("/events?month=2022-99&district=abc").status_code == 200


def test_calendar_shows_the_sessions_of_its_month(client, make_event):
    make_event(title="Pelatihan Tiga Hari", status=EventStatus.PUBLISHED, sessions=[
        (date(2022, 12, 1), time(9), time(12)), (date(2022, 12, 2), time(9), time(12)),
        (date(2022, 12, 3), time(9), time(12))])
    page = client.get("/events/calendar?month=2022-12")
    assert page.status_code == 200
    assert page.text.count("Pelatihan Tiga Hari") == 6  # three sessions, in the phone list and in the grid
    assert "09.00–12.00 WITA" in page.text
    assert "Pelatihan Tiga Hari" not in client.get("/events/calendar?month=2023-01").text
    for bogus in ("bogus", "0001-01", "9999-12", "2022-13", "2022"):
        assert client.get(f"/events/calendar?month={bogus}").status_code == 200, bogus


def test_venue_pages_create_and_refuse_bad_capacity(client, logged_in):
    logged_in(Role.ORGANISER)
    district_id = db.session.scalar(select(services.District.id).where(services.District.name == "Sulamu"))
    bad = client.post("/organiser/venues/new", data={"name": "Balai Desa", "district_id": district_id,
                                                     "capacity": "-3"})
    assert bad.status_code == 200 and "is-invalid" in field_html(bad.text, "capacity")
    good = client.post("/organiser/venues/new", data={"name": "Balai Desa Sulamu", "district_id": district_id,
                                                      "capacity": "60"})
    assert good.status_code == 302
    assert "Balai Desa Sulamu" in client.get("/organiser/venues").text


def _bulk_events(count: int, venue_id: int) -> None:
    start = date.today() + timedelta(days=3)
    rows = [{"kind": "training", "program_area": "capital", "title": f"Pelatihan {n}", "description": "",
             "seats": 20, "starts_on": start, "ends_on": start, "audience": "all", "requires_approval": False,
             "status": "published", "sequence": 0, "uid_token": uuid.uuid4().hex,
             "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)} for n in range(count)]
    db.session.execute(insert(Event), rows)
    ids = db.session.scalars(select(Event.id).where(~Event.sessions.any())).all()
    moment = services.local_moment(start, time(9))
    db.session.execute(insert(EventSession), [
        {"event_id": event_id, "starts_at": moment, "ends_at": moment + timedelta(hours=3), "venue_id": venue_id,
         "uid": uuid.uuid4().hex, "sequence": 0} for event_id in ids])
    db.session.commit()


@pytest.mark.parametrize("url", ["/events", "/events/calendar", "/organiser/events", "/organiser/events?status=draft"])
def test_list_pages_issue_the_same_number_of_queries_at_20_and_2000_events(client, logged_in, make_venue,
                                                                           count_queries, url):
    logged_in(Role.ORGANISER)
    venue = make_venue()
    counts = []
    for total in (20, 2000):
        _bulk_events(total - db.session.scalar(select(func.count(Event.id))), venue.id)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_demo_data_is_idempotent_and_has_the_kupang_meeting(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = db.session.scalar(select(func.count(Event.id)))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(Event.id))) == first >= 6
    meeting = db.session.scalar(select(Event).where(Event.starts_on == date(2022, 12, 1)))
    assert meeting.kind == EventKind.MEETING and meeting.status == EventStatus.COMPLETED
    assert meeting.sessions[0].starts_at == datetime(2022, 12, 1, 1, tzinfo=UTC)
    assert meeting.sessions[0].venue.district.name == "Kupang Timur"
    statuses = set(db.session.scalars(select(Event.status)))
    assert {EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.COMPLETED} <= statuses
    assert db.session.scalar(select(func.count(Event.id)).where(Event.audience == Audience.GUEST_LIST)) >= 1
