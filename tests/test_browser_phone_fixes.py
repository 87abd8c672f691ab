"""Issue 21 on a 360-px phone: the event's sections as links that wrap (none hidden off to the
right), and the registrations tab as cards with search by name."""

from datetime import date, time

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "demo12345"
NAMES = ["Yohanes Benu", "Maria Goreti Tefa", "Agustinus Nenobais", "Ferdinandus Kase Bria Lopo"]


def _seed(app, requires_approval=True):
    with app.app_context():
        from portal.accounts.services import find_user_by_email
        from portal.cooperatives.rows import district_lookup
        from portal.demo import seed_staff
        from portal.events import services, venues
        from portal.events.models import EventKind, ProgramArea
        from portal.extensions import db
        from portal.registrations import services as registrations

        seed_staff()
        organiser = find_user_by_email("organiser@demo.portal-koperasi.example.org")
        venue = venues.create_venue(organiser, "Aula Dinas", "Oelamasi", district_lookup()["kupang timur"].id, 50)
        event = services.create_event(organiser, services.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            seats=30, starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 12), requires_approval=requires_approval))
        services.add_session(organiser, event, date(2027, 1, 12), time(9), time(12), venue.id)
        services.publish_event(organiser, event)
        for n, name in enumerate(NAMES):
            registrations.add_guest(organiser, event.id, name, "Bank NTT Cabang Oelamasi Kabupaten Kupang",
                                    f"tamu{n}@banknttcabangoelamasi.example.org", f"08123456780{n}")
        db.session.commit()
        return event.id


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


# Summary, details and sessions, guest list, registrations, invitations, attendance, which
# cooperatives came (issue 25), certificates.
SECTIONS = 10


def test_every_event_section_is_a_link_in_view_on_a_phone(live_server, page):
    server = live_server()
    event_id = _seed(server.app)
    log_in(page, server.url, "organiser@demo.portal-koperasi.example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}")

    sections = page.get_by_role("navigation", name="Bagian kegiatan")
    links = sections.get_by_role("link")
    expect(links).to_have_count(SECTIONS)
    assert page.locator("[role=tablist]").count() == 0
    for n in range(SECTIONS):
        box = links.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], links.nth(n).text_content()
    screenshot(page, "event-sections-phone")
    for n in range(SECTIONS):  # every section's page, each one checked by axe on the way
        href = links.nth(n).get_attribute("href")
        page.goto(server.url + href)
        expect(page.get_by_role("navigation", name="Bagian kegiatan").locator("[aria-current=page]")).to_have_count(1)
        _fits(page)


def test_the_registrations_tab_shows_cards_and_finds_a_participant_by_name_on_a_phone(live_server, page):
    server = live_server()
    event_id = _seed(server.app)
    log_in(page, server.url, "organiser@demo.portal-koperasi.example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/registrations")

    rows = page.get_by_test_id("registrations").locator("tbody tr")
    expect(rows).to_have_count(4)
    _fits(page)
    for n in range(4):  # each card shows its state and its cancel button without scrolling sideways
        for part in (rows.nth(n).get_by_test_id("state"), rows.nth(n).get_by_role("button", name="Batal", exact=True)):
            box = part.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "registrations-phone")

    page.get_by_role("searchbox", name="Cari nama atau koperasi").fill("goreti")
    with page.expect_navigation():
        page.get_by_role("button", name="Saring").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Maria Goreti Tefa")
    expect(page.get_by_role("button", name="Setujui yang dipilih")).to_be_visible()


def test_no_approve_or_reject_where_sign_ups_need_no_approval(live_server, page):
    server = live_server()
    event_id = _seed(server.app, requires_approval=False)
    log_in(page, server.url, "organiser@demo.portal-koperasi.example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/registrations")
    expect(page.get_by_test_id("registrations").locator("tbody tr")).to_have_count(4)
    expect(page.get_by_role("button", name="Setujui yang dipilih")).to_have_count(0)
    expect(page.get_by_role("button", name="Tolak yang dipilih")).to_have_count(0)
    expect(page.get_by_test_id("registrations").get_by_role("checkbox")).to_have_count(0)


def test_the_public_home_shows_what_is_coming_on_a_phone(live_server, page):
    server = live_server()
    event_id = _seed(server.app)
    page.goto(server.url + "/")
    card = page.get_by_test_id("home-upcoming").get_by_test_id("event-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Pelatihan Pembukuan Koperasi")
    _fits(page)
    screenshot(page, "public-home-phone")
    with page.expect_navigation():
        card.get_by_role("link", name="Pelatihan Pembukuan Koperasi").click()
    assert page.url.endswith(f"/events/{event_id}")
    take_part = page.get_by_test_id("take-part")
    expect(take_part.get_by_role("link", name="Masuk untuk mendaftarkan peserta")).to_be_visible()
    _fits(page)
    screenshot(page, "public-event-phone")
