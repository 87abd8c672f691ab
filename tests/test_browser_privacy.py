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
