"""The pages issue 20 touched, on a 360-px phone: the audit log with its words instead of codes,
and the registrations page with its three export links, neither scrolling sideways."""

from datetime import date, time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import log_in, screenshot

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).parent / "data" / "koperasi_sample.csv"
PASSWORD = "demo12345"


def _seed(app):
    with app.app_context():
        from portal.accounts.services import find_user_by_email
        from portal.cooperatives.importing import import_cooperatives
        from portal.cooperatives.rows import district_lookup
        from portal.demo import seed_staff
        from portal.events import services, venues
        from portal.events.models import EventKind, ProgramArea
        from portal.extensions import db

        seed_staff()
        organiser = find_user_by_email("organiser@demo.portal-koperasi.example.org")
        import_cooperatives(organiser, "koperasi.csv", SAMPLE.read_bytes(), dry_run=False, today=date(2026, 11, 30))
        district_id = district_lookup()["kupang timur"].id
        venue = venues.create_venue(organiser, "Aula Dinas", "Oelamasi", district_id, 50)
        event = services.create_event(organiser, services.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            seats=30, starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 12), requires_approval=True))
        services.add_session(organiser, event, date(2027, 1, 12), time(9), time(12), venue.id)
        services.publish_event(organiser, event)
        db.session.commit()
        return event.id


def test_the_audit_log_and_the_export_links_fit_a_phone(live_server, page):
    server = live_server()
    event_id = _seed(server.app)

    log_in(page, server.url, "admin@demo.portal-koperasi.example.org", PASSWORD)
    page.goto(server.url + "/admin/audit/")
    expect(page.locator("tbody").get_by_text("Koperasi ditambahkan lewat impor").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "audit-log-phone")

    page.context.clear_cookies()
    log_in(page, server.url, "organiser@demo.portal-koperasi.example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/registrations")
    expect(page.get_by_role("link", name="CSV (koma)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "registrations-exports-phone")
