"""A venue's capacity is a warning, not a refusal: the office may know better (standing room, a
second hall), but an organiser who puts ten seats in a room for three is told so."""

import re

from portal.accounts.models import Role
from tests.html_forms import form_values


def warnings(page) -> str:
    return " ".join(re.findall(r'<div class="alert alert-warning[^"]*"[^>]*>(.*?)</div>', page.text, re.S))


def test_a_new_event_with_more_seats_than_its_venue_holds_saves_with_a_warning(client, logged_in, make_venue):
    logged_in(Role.ORGANISER)
    small = make_venue("Ruang Rapat Camat", capacity=3)
    page = client.post("/organiser/events/new", follow_redirects=True, data={
        "kind": "meeting", "title": "Rapat Kecil", "seats": "10", "starts_on": "2030-03-04", "ends_on": "2030-03-04",
        "audience": "all", "day": "2030-03-04", "starts": "09:00", "ends": "12:00", "venue_id": str(small.id)})
    assert "Ruang Rapat Camat" in warnings(page) and "3" in warnings(page) and "10" in warnings(page)


def test_a_session_moved_to_a_small_venue_warns(client, logged_in, make_event, make_venue):
    logged_in(Role.ORGANISER)
    event = make_event(seats=10)
    small = make_venue("Ruang Rapat Camat", capacity=3)
    page = client.post(f"/organiser/events/{event.id}/sessions", follow_redirects=True, data={
        "session-day": "2022-12-01", "session-starts": "13:00", "session-ends": "15:00", "session-venue_id": small.id})
    assert "Ruang Rapat Camat" in warnings(page)


def test_raising_the_seats_beyond_the_venue_warns_and_a_venue_without_capacity_never_does(client, logged_in,
                                                                                          make_event, make_venue):
    logged_in(Role.ORGANISER)
    event = make_event(seats=3, venue=make_venue("Aula Kecil", capacity=5))
    values = form_values(client.get(f"/organiser/events/{event.id}/edit").text, "event-form")
    assert "Aula Kecil" not in warnings(client.post(f"/organiser/events/{event.id}/edit", data=values,
                                                    follow_redirects=True))
    page = client.post(f"/organiser/events/{event.id}/edit", data={**values, "seats": "8"}, follow_redirects=True)
    assert "Aula Kecil" in warnings(page) and "8" in warnings(page)
    unknown = make_event(seats=500, venue=make_venue("Lapangan", capacity=None))
    values = form_values(client.get(f"/organiser/events/{unknown.id}/edit").text, "event-form")
    page = client.post(f"/organiser/events/{unknown.id}/edit", data={**values, "seats": "600"}, follow_redirects=True)
    assert "Lapangan" not in warnings(page)
