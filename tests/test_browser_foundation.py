import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import LAPTOP, screenshot

pytestmark = pytest.mark.browser


def test_organiser_logs_in_switches_language_and_logs_out(live_server, page):
    server = live_server(WTF_CSRF_ENABLED=True)
    with server.app.app_context():
        from portal.demo import seed_staff
        from portal.extensions import db

        seed_staff()
        db.session.commit()
    page.goto(server.url + "/")
    page.get_by_role("link", name="Masuk", exact=True).first.click()
    page.get_by_label("Email").fill("organiser@demo.portal-koperasi.example.org")
    page.get_by_label("Kata sandi").fill("demo12345")
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_text("Selamat datang, Maria Penyelenggara.")).to_be_visible()
    # No horizontal scrolling on a 360-px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "foundation-phone-home")

    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_text("You are logged in as Maria Penyelenggara")).to_be_visible()
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en", "the choice is remembered"
    screenshot(page, "foundation-laptop-english")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(server.url + "/account/password")
    assert "/login" in page.url
