"""On a phone: a participant opens the data kept about them from their ticket and asks for an
erasure; the privacy notice reads at 360 px; all under the enforced Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import screenshot

pytestmark = pytest.mark.browser


def test_a_participant_asks_for_erasure_from_the_ticket_on_a_phone(live_server, page, training):
    t = training(people=1, days=1)
    token = t.registrations[0].token
    server = live_server()
    page.goto(f"{server.url}/tickets/{token}")
    page.get_by_test_id("my-data").click()
    expect(page.get_by_test_id("kept-name")).to_have_text(t.registrations[0].participant.full_name)
    page.get_by_label("Penghapusan").check()
    screenshot(page, "privacy-my-data")
    page.get_by_role("button", name="Kirim permintaan").click()
    expect(page.locator(".alert-success")).to_contain_text("Permintaan Anda sudah dikirim")
    page.goto(f"{server.url}/privacy")
    expect(page.locator("h1")).to_have_text("Pemberitahuan privasi")
    screenshot(page, "privacy-notice")


def test_a_board_member_asks_a_correction_and_the_organiser_applies_it_on_a_phone(live_server, new_context,
                                                                                  training, organiser):
    from tests.browser_fixtures import log_in
    from tests.conftest import DEFAULT_PASSWORD

    t = training(people=1, days=1)
    person = t.registrations[0].participant
    server = live_server()
    board = new_context().new_page()
    log_in(board, server.url, t.board.email, DEFAULT_PASSWORD)
    board.goto(f"{server.url}/cooperatives/{t.cooperative.id}")
    board.get_by_test_id("cooperative-people-link").click()
    board.get_by_test_id("person").filter(has_text=person.full_name).get_by_role("link").click()
    expect(board.get_by_test_id("kept-name")).to_have_text(person.full_name)
    board.get_by_label("Perbaikan").check()
    board.locator("#details").fill("Nama yang benar: Yohana Bria")
    board.get_by_role("button", name="Kirim permintaan").click()
    expect(board.locator(".alert-success")).to_contain_text("Permintaan Anda sudah dikirim")

    office = new_context().new_page()
    log_in(office, server.url, organiser.email, DEFAULT_PASSWORD)
    office.goto(f"{server.url}/organiser/data-requests")
    office.get_by_test_id("apply-correction").click()
    expect(office.get_by_test_id("request-details")).to_contain_text("Yohana Bria")
    office.locator("#full_name").fill("Yohana Bria")
    screenshot(office, "privacy-apply-correction")
    office.get_by_role("button", name="Perbaiki dan jawab").click()
    expect(office.locator(".alert-success")).to_contain_text("Perbaikan sudah dilakukan")
    board.goto(f"{server.url}/cooperatives/{t.cooperative.id}/people")
    expect(board.get_by_test_id("cooperative-people")).to_contain_text("Yohana Bria")
