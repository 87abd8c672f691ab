"""The paperwork after a session on a phone at 360 px: the organiser sets the transport allowance
(a bad amount is refused in Indonesian first), uploads the signed daftar hadir's scan, and gets the
transport sheet as PDF."""

from datetime import UTC, datetime, time, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"
DAY = datetime.now(UTC).date() - timedelta(days=3)


def _setup(app):
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.attendance import services as attendance
    from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, District
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind
    from portal.extensions import db
    from portal.registrations import participants
    from portal.registrations import services as registrations

    with app.app_context():
        organiser = create_user(None, "panitia@example.org", "Maria Penyelenggara", Role.ORGANISER, PASSWORD)
        district = db.session.scalar(select(District).where(District.name == "Kupang Timur"))
        cooperative = Cooperative(name="KSP Sehati Oelamasi", legal_number="B-1", legal_number_key="B-1",
                                  type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                                  status=CooperativeStatus.ACTIVE)
        db.session.add(cooperative)
        venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Oelamasi", district.id, 80)
        event = events.create_event(organiser, events.EventDetails(
            kind=EventKind.MEETING, program_area=None, title="Rapat Koordinasi RAT", seats=30,
            starts_on=DAY, ends_on=DAY))
        session = events.add_session(organiser, event, DAY, time(9), time(12), venue.id)
        events.publish_event(organiser, event)
        person = participants.find_or_create_participant(organiser, cooperative, "Yohana Nuban", "staff")
        registration = registrations.register_guest(organiser, event.id, person)
        attendance.mark_attendance(organiser, registration.id, session.id, "present", session.starts_at)
        db.session.commit()
        return event.id


def test_the_organiser_sets_the_allowance_uploads_the_scan_and_gets_the_sheet(live_server, page, tmp_path):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id = _setup(server.app)
    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/attendance")
    page.get_by_test_id("paperwork").click()

    page.locator("#amount").fill("lima puluh ribu")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Isikan jumlah dalam rupiah bulat")
    page.locator("#amount").fill("50.000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("link", name="Uang transport (PDF)")).to_be_visible()

    scan = tmp_path / "daftar-hadir.jpg"
    Image.new("RGB", (1240, 1754), (250, 250, 245)).save(scan, "JPEG")
    page.locator("input[type=file]").set_input_files(str(scan))
    page.get_by_role("button", name="Unggah daftar hadir bertanda tangan").click()
    expect(page.get_by_test_id("scan")).to_contain_text("daftar-hadir.jpg")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paperwork-phone")

    with page.expect_download() as download:
        page.get_by_role("link", name="Uang transport (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    href = page.get_by_role("link", name="Uang transport (PDF)").get_attribute("href")
    response = page.request.get(server.url + href)
    assert response.ok and response.body().startswith(b"%PDF")
