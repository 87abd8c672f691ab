"""Private pages and exports are never stored by a browser or a proxy (``Cache-Control: no-store``);
a participant's check-in QR code can be saved on the phone as an image or a PDF, for a door
without signal."""

import pytest

from portal.accounts.models import Role
from portal.attendance.services import check_in_url
from portal.events.models import EventStatus
from portal.extensions import db
from portal.registrations import services
from tests.pdfs import pdf_page_image, pdf_text, read_qr_codes


def _stored(response) -> bool:
    return "no-store" not in response.headers.get("Cache-Control", "")


def test_pages_of_a_logged_in_user_are_not_stored(client, logged_in):
    logged_in(Role.ORGANISER)
    for path in ("/", "/organiser/events", "/cooperatives/", "/events"):
        response = client.get(path)
        assert response.status_code == 200 and not _stored(response), path


def test_exports_are_not_stored(client, logged_in, training):
    logged_in(Role.ORGANISER)
    event = training(people=2).event
    for path in (f"/organiser/events/{event.id}/attendance.csv", f"/organiser/events/{event.id}/attendance.xlsx",
                 f"/organiser/events/{event.id}/registrations.csv"):
        response = client.get(path)
        assert response.status_code == 200 and not _stored(response), path


def test_a_page_opened_by_a_token_is_not_stored(client, training):
    registration = training(people=1).registrations[0]
    response = client.get(f"/tickets/{registration.token}")
    assert response.status_code == 200 and not _stored(response)
    assert not _stored(client.get("/tickets/not-a-token"))


def test_public_pages_for_visitors_may_be_stored(client, make_event):
    event = make_event(status=EventStatus.PUBLISHED)
    for path in ("/events", f"/events/{event.id}", "/events/calendar"):
        response = client.get(path)
        assert response.status_code == 200 and _stored(response), path


def test_the_ticket_page_offers_its_qr_code_to_save_for_a_door_without_signal(client, training):
    registration = training(people=1).registrations[0]
    page = client.get(f"/tickets/{registration.token}").text
    assert "Simpan kode QR ini di ponsel Anda" in page
    assert f"/tickets/{registration.token}/check-in.png" in page
    assert f"/tickets/{registration.token}/check-in.pdf" in page


@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_the_saved_qr_code_checks_the_participant_in(client, training, kind):
    registration = training(people=1).registrations[0]
    response = client.get(f"/tickets/{registration.token}/check-in.{kind}")
    assert response.status_code == 200 and not _stored(response)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    if kind == "png":
        assert response.mimetype == "image/png"
        codes = read_qr_codes(response.data)
    else:
        assert response.mimetype == "application/pdf"
        assert registration.check_in_code in pdf_text(response.data).replace(" ", "")
        codes = read_qr_codes(pdf_page_image(response.data, scale=3))
    assert codes == [check_in_url(registration)]


def test_no_qr_code_to_save_for_an_unknown_ticket_or_one_without_a_seat(client, training):
    assert client.get("/tickets/not-a-token/check-in.png").status_code == 404
    trained = training(people=1)
    registration = trained.registrations[0]
    services.cancel_registration(trained.board, registration)
    db.session.commit()
    for kind in ("png", "pdf"):
        assert client.get(f"/tickets/{registration.token}/check-in.{kind}").status_code == 404
    assert "check-in.png" not in client.get(f"/tickets/{registration.token}").text
