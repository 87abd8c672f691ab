"""On a phone, without a modal: a destructive button leads to a page that says what will follow,
with a final button and a way back. A board member cancels a seat and learns who got it from the
waiting list; an organiser backs out of cancelling the event and changes a cooperative's status;
an administrator deactivates an account."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot
from tests.browser_seed import PASSWORD, seed_training

pytestmark = pytest.mark.browser


def _setup(app):
    seeded = seed_training(app, datetime.now(UTC).date() + timedelta(days=20), seats=1,
                           people=(("Yohana Nuban", None), ("Agus Lake", None)), with_admin=True)
    return seeded.event_id, seeded.cooperative_id, seeded.organiser_id


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_destructive_actions_ask_first_on_a_phone(live_server, new_context, smtp):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id, cooperative_id, organiser_id = _setup(server.app)

    board = new_context().new_page()
    log_in(board, server.url, "ketua@example.org", PASSWORD)
    board.goto(server.url + "/my-cooperative/events")
    yohana = board.get_by_test_id("registration").filter(has_text="Yohana Nuban")
    with board.expect_navigation():
        yohana.locator("button[type=submit]").click()
    confirm = board.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Yohana Nuban")
    expect(board.get_by_test_id("consequences")).to_contain_text("Agus Lake")
    _fits(board)
    screenshot(board, "confirm-phone-cancel-registration")
    with board.expect_navigation():
        board.get_by_test_id("confirm-button").click()
    expect(board.locator(".alert-success")).to_contain_text("Agus Lake")
    expect(board.get_by_test_id("registration").filter(has_text="Agus Lake")).to_have_attribute(
        "data-status", "confirmed")
    _fits(board)
    screenshot(board, "confirm-phone-cancel-registration-done")

    organiser = new_context().new_page()
    log_in(organiser, server.url, "panitia@example.org", PASSWORD)
    organiser.goto(f"{server.url}/organiser/events/{event_id}")
    organiser.locator("textarea[name='cancel-reason']").fill("Aula dipakai untuk acara bupati")
    with organiser.expect_navigation():
        organiser.get_by_test_id("cancel").click()
    expect(organiser.get_by_test_id("consequences")).to_contain_text("Aula dipakai untuk acara bupati")
    _fits(organiser)
    screenshot(organiser, "confirm-phone-cancel-event")
    with organiser.expect_navigation():
        organiser.get_by_test_id("confirm-back").click()
    expect(organiser.get_by_test_id("event-status").first).to_have_attribute("data-status", "published")

    organiser.goto(f"{server.url}/cooperatives/{cooperative_id}")
    organiser.locator("select[name=status]").select_option("inactive")
    organiser.locator("form[action$='/status'] input[name=reason]").fill("Tidak RAT sejak 2019")
    with organiser.expect_navigation():
        organiser.locator("form[action$='/status'] button[type=submit]").click()
    expect(organiser.get_by_test_id("consequences")).to_contain_text("Tidak RAT sejak 2019")
    _fits(organiser)
    screenshot(organiser, "confirm-phone-cooperative-status")
    with organiser.expect_navigation():
        organiser.get_by_test_id("confirm-button").click()
    expect(organiser.locator(".alert-success")).to_contain_text("Tidak aktif")

    admin = new_context().new_page()
    log_in(admin, server.url, "admin@example.org", PASSWORD)
    admin.goto(f"{server.url}/admin/users/{organiser_id}")
    with admin.expect_navigation():
        admin.locator("form[action$='/active'] button[type=submit]").click()
    expect(admin.get_by_test_id("consequences")).to_contain_text("panitia@example.org")
    _fits(admin)
    screenshot(admin, "confirm-phone-deactivate-user")
    with admin.expect_navigation():
        admin.get_by_test_id("confirm-button").click()
    expect(admin.locator(".alert-success")).to_contain_text("Maria Penyelenggara")
