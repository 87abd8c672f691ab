"""An organiser creates a three-session training and publishes it; a visitor finds it in the
month calendar on a phone and opens it."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _training_days() -> list[date]:
    """Three days in the month after next: the calendar, empty this month, opens on theirs."""
    month = (date.today().replace(day=1) + timedelta(days=62)).replace(day=1)
    return [month.replace(day=10 + n) for n in range(3)]


def test_organiser_publishes_a_three_session_training_and_a_visitor_finds_it(live_server, new_context, page):
    server = live_server(WTF_CSRF_ENABLED=True)
    with server.app.app_context():
        from sqlalchemy import select

        from portal.cooperatives.models import District
        from portal.demo import seed_staff
        from portal.events import venues
        from portal.extensions import db

        seed_staff()
        takari = db.session.scalar(select(District.id).where(District.name == "Takari"))
        venue = venues.create_venue(None, "Aula Kantor Camat Takari", "Jl. Timor Raya, Takari", takari, 60)
        db.session.commit()
        venue_id = venue.id
    days = _training_days()

    log_in(page, server.url, "organiser@demo.portal-koperasi.example.org", "demo12345")
    page.goto(server.url + "/organiser/events/new")
    page.locator("#kind").select_option("training")
    page.locator("#program_area").select_option("technology")
    page.locator("#title").fill("Pelatihan Aplikasi Kasir Koperasi")
    page.locator("#description").fill("Hari 1: pengenalan.\nHari 2: praktik.\nHari 3: evaluasi.")
    page.locator("#starts_on").fill(days[0].isoformat())
    page.locator("#ends_on").fill(days[-1].isoformat())
    page.locator("#seats").fill("30")
    page.locator("#day").fill(days[0].isoformat())
    page.locator("#starts").fill("09:00")
    page.locator("#ends").fill("12:00")
    page.locator("#venue_id").select_option(str(venue_id))
    _fits_the_phone(page)
    screenshot(page, "events-phone-new")
    with page.expect_navigation():
        page.get_by_test_id("save-event").click()

    for day in days[1:]:
        page.locator("#session-day").fill(day.isoformat())
        page.locator("#session-starts").fill("09:00")
        page.locator("#session-ends").fill("12:00")
        page.locator("#session-venue_id").select_option(str(venue_id))
        with page.expect_navigation():
            page.get_by_test_id("add-session").click()
    expect(page.get_by_test_id("session-list").get_by_test_id("session")).to_have_count(3)
    _fits_the_phone(page)
    screenshot(page, "events-phone-edit")
    with page.expect_navigation():
        page.get_by_test_id("publish").first.click()
    expect(page.get_by_test_id("event-status").first).to_have_attribute("data-status", "published")
    screenshot(page, "events-phone-manage")

    visitor = new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Makassar").new_page()
    visitor.goto(server.url + "/events/calendar")  # this month has nothing: it opens on the training's month
    listing = visitor.get_by_test_id("calendar-list")
    expect(listing.get_by_role("link", name="Pelatihan Aplikasi Kasir Koperasi")).to_have_count(3)
    _fits_the_phone(visitor)
    screenshot(visitor, "events-phone-calendar")
    visitor.set_viewport_size(LAPTOP)
    expect(visitor.get_by_test_id("calendar-grid")).to_be_visible()
    screenshot(visitor, "events-laptop-calendar")
    visitor.set_viewport_size(PHONE)

    listing.get_by_role("link", name="Pelatihan Aplikasi Kasir Koperasi").first.click()
    expect(visitor.get_by_role("heading", name="Pelatihan Aplikasi Kasir Koperasi")).to_be_visible()
    times = visitor.get_by_test_id("session-times").all_inner_texts()
    assert times == ["09.00–12.00 WITA"] * 3
    assert visitor.get_by_test_id("seats-left").inner_text().startswith("30 / 30")
    _fits_the_phone(visitor)
    screenshot(visitor, "events-phone-event")
    visitor.context.close()
