"""At 360 px under the policy: the organiser opens self check-in on a session's door page, a
participant's phone opens the door's code and checks in with the ticket code, the organiser
confirms it; then the organiser makes a door link and a volunteer without an account checks a
person in with it."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.attendance_fixtures import wita
from tests.browser_fixtures import PHONE, log_in, screenshot
from tests.browser_seed import PASSWORD, seed_training

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date() + timedelta(days=12)


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_self_check_in_and_a_door_link(live_server, new_context, page):
    server = live_server(WTF_CSRF_ENABLED=True, PORTAL_CLOCK=lambda: wita(DAY, 8, 50))
    server.app.config["PORTAL_BASE_URL"] = server.url
    seeded = seed_training(server.app, DAY, seats=30, people=(("Yohana Nuban", None), ("Agus Lake", None)))
    with server.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.registrations.models import Registration

        yohana, agus = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        codes = (yohana.check_in_code, agus.check_in_code)
    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{seeded.event_id}/attendance")
    with page.expect_navigation():
        page.get_by_test_id("open-sheet").first.click()
    with page.expect_navigation():
        page.get_by_test_id("to-door").click()
    with page.expect_navigation():
        page.get_by_test_id("toggle-self-check-in").click()
    code = page.get_by_test_id("door-code")
    expect(code.locator("svg.qr")).to_be_visible()
    _fits(page)
    screenshot(page, "attendance-phone-door-code")
    door_url = page.url
    with server.app.app_context():
        from portal.attendance import self_check_in
        from portal.events.models import EventSession

        session = db.session.scalar(select(EventSession))
        made = self_check_in.door_code(session, wita(DAY, 8, 50))
    participant = new_context().new_page()
    participant.goto(f"{server.url}/self-check-in/{session.id}?w={made.window}&s={made.signature}")
    participant.locator("#code").fill(codes[0])
    _fits(participant)
    screenshot(participant, "attendance-phone-self-check-in")
    with participant.expect_navigation():
        participant.get_by_test_id("self-check-in").click()
    expect(participant.get_by_test_id("check-in-result")).to_have_attribute("data-result", "new")
    expect(participant.get_by_test_id("check-in-name")).to_have_text("Yohana Nuban")

    page.goto(door_url)
    waiting = page.get_by_test_id("self-waiting")
    expect(waiting).to_contain_text("Yohana Nuban")
    with page.expect_navigation():
        waiting.get_by_role("button", name="Konfirmasi").click()
    expect(waiting).not_to_contain_text("Yohana Nuban")

    page.goto(f"{server.url}/organiser/events/{seeded.event_id}/door-passes")
    page.locator("#name").fill("Relawan Yanti")
    with page.expect_navigation():
        page.get_by_test_id("door-pass-form").locator("button").click()
    link = page.get_by_test_id("door-link").input_value()
    _fits(page)
    screenshot(page, "attendance-phone-door-passes")
    volunteer = new_context().new_page()
    volunteer.goto(link)
    with volunteer.expect_navigation():
        volunteer.get_by_test_id("door-sessions").locator("a").first.click()
    volunteer.locator("input[name=code]").fill(codes[1])
    with volunteer.expect_navigation():
        volunteer.get_by_test_id("door-code-form").locator("button").click()
    expect(volunteer.locator(".alert-success")).to_contain_text("Agus Lake")
    expect(volunteer.get_by_test_id("counts").locator('[data-count="present"]')).to_have_text("2")
    _fits(volunteer)
    screenshot(volunteer, "attendance-phone-door-link-sheet")
