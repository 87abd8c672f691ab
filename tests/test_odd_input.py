"""Odd input is refused where it enters (route converters, the request filter, the base form,
query-string parsing), never with a 500: NUL bytes, numbers beyond the columns' range, line breaks
in single-line fields."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.cooperatives.models import Cooperative, District
from portal.events.models import Event, EventStatus
from portal.extensions import db
from tests.html_forms import field_html, form_values

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("path", ["/tickets/%00x", "/events/4/invitation/%00x", "/certificates/%00x",
                                  "/password/reset/%00x", "/events?q=%00", "/cooperatives/import/%00x"])
def test_a_nul_byte_in_a_url_is_a_bad_request(client, logged_in, path):
    logged_in(Role.ORGANISER)
    response = client.get(path)
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.text


@pytest.mark.parametrize("field", ["cancel-reason", "q"])
def test_a_nul_byte_in_a_posted_value_is_a_bad_request(client, logged_in, make_event, field):
    logged_in(Role.ORGANISER)
    event = make_event(status=EventStatus.PUBLISHED)
    response = client.post(f"/organiser/events/{event.id}/cancel", data={field: "a\x00b"})
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.text
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED


@pytest.mark.parametrize("path", [f"/events/{HUGE}", f"/organiser/events/{HUGE}", f"/cooperatives/{HUGE}",
                                  "/events/2147483648", f"/email/{HUGE}"])
def test_an_id_beyond_the_columns_range_is_not_found(client, logged_in, path):
    logged_in(Role.ADMIN)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", [f"page={HUGE}", "page=-5", "page=2147483648", "page=x"])
def test_a_page_number_beyond_range_shows_a_page(client, logged_in, make_event, query):
    logged_in(Role.ADMIN)
    make_event(status=EventStatus.PUBLISHED)
    for path in ("/events", "/organiser/events", "/cooperatives/", "/admin/users", "/email/", "/admin/audit/"):
        assert client.get(f"{path}?{query}").status_code == 200, path


def test_a_member_count_beyond_range_gets_a_message_on_its_field(client, logged_in):
    logged_in(Role.ORGANISER)
    district = db.session.scalar(select(District.id).where(District.name == "Fatuleu"))
    data = {"name": "KSP Tunas", "legal_number": "12/BH/XXIV/2001", "type": "savings_and_loan",
            "district_id": district, "member_count": HUGE}
    response = client.post("/cooperatives/new", data=data)
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.text, "member_count")
    assert "Angka ini di luar batas yang diterima portal." in response.text
    assert db.session.scalar(select(Cooperative)) is None


@pytest.mark.parametrize("title", ["Rapat\r\nBcc: x@example.org", "Rapat\nkedua", "Rapat\u2028kedua"])
def test_a_line_break_in_a_single_line_field_gets_a_message_on_its_field(client, logged_in, make_event, title):
    logged_in(Role.ORGANISER)
    event = make_event(title="Rapat")
    values = form_values(client.get(f"/organiser/events/{event.id}/edit").text, "event-form")
    values["title"] = title
    response = client.post(f"/organiser/events/{event.id}/edit", data=values)
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.text, "title")
    assert "Isian ini harus satu baris, tanpa baris baru." in response.text
    assert db.session.get(Event, event.id).title == "Rapat"


def test_a_line_break_in_a_text_area_is_kept(client, logged_in, make_event):
    logged_in(Role.ORGANISER)
    event = make_event()
    values = form_values(client.get(f"/organiser/events/{event.id}/edit").text, "event-form")
    values["description"] = "Baris satu\r\nBaris dua"
    assert client.post(f"/organiser/events/{event.id}/edit", data=values).status_code == 302
