"""After a training, on phones at 360 px: an organiser opens "which cooperatives came" and exports
it; the cooperative's board member opens the inbox and downloads the certificates as one ZIP."""

import io
import zipfile
from datetime import UTC, datetime, time, timedelta

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"
FIRST_DAY = datetime.now(UTC).date() - timedelta(days=10)


def _setup(app):
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.attendance import services as attendance
    from portal.certificates import services as certificates
    from portal.cooperatives.models import (
        BoardAccount,
        BoardAccountStatus,
        BoardPosition,
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        District,
    )
    from portal.database import utcnow
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind, ProgramArea
    from portal.extensions import db
    from portal.registrations import participants
    from portal.registrations import services as registrations

    with app.app_context():
        organiser = create_user(None, "panitia@example.org", "Maria Penyelenggara", Role.ORGANISER, PASSWORD)
        district = db.session.scalar(select(District).where(District.name == "Kupang Timur"))
        cooperative = Cooperative(name="KSP Sehati Oelamasi", legal_number="B-1", legal_number_key="B-1",
                                  type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                                  status=CooperativeStatus.ACTIVE)
        board = create_user(None, "ketua@example.org", "Ketua Sehati", Role.BOARD, PASSWORD)
        board.email_verified_at = utcnow()
        db.session.add_all([cooperative, BoardAccount(user=board, cooperative=cooperative,
                                                      position=BoardPosition.CHAIR,
                                                      status=BoardAccountStatus.APPROVED)])
        venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Oelamasi", district.id, 80)
        event = events.create_event(organiser, events.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            seats=30, starts_on=FIRST_DAY, ends_on=FIRST_DAY + timedelta(days=1), min_sessions_for_certificate=2))
        for n in range(2):
            events.add_session(organiser, event, FIRST_DAY + timedelta(days=n), time(9), time(12), venue.id)
        events.publish_event(organiser, event)
        for name in ("Yohana Nuban", "Agus Lake"):
            person = participants.find_or_create_participant(organiser, cooperative, name, "staff")
            registration = registrations.register_guest(organiser, event.id, person)
            for session in event.sessions:
                attendance.mark_attendance(organiser, registration.id, session.id, "present", session.starts_at)
        events.complete_event(organiser, event)
        certificates.issue_certificates(organiser, event.id, datetime.now(UTC))
        db.session.commit()
        return event.id


def test_an_organiser_exports_which_cooperatives_came_and_the_board_downloads_the_certificates(
        live_server, new_context, page):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id = _setup(server.app)

    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/attendance")
    page.get_by_role("link", name="Koperasi yang hadir").click()
    rows = page.get_by_test_id("turnout-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("KSP Sehati Oelamasi")
    expect(rows.first).to_have_attribute("data-stage", "attended")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "turnout-phone")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [cell.value for cell in sheet[2]][:2] == ["KSP Sehati Oelamasi", "Kupang Timur"]
    assert sheet.cell(2, 7).value == 2

    # The people have no email address: their messages are offered by WhatsApp under "tanpa email".
    page.goto(f"{server.url}/organiser/events/{event_id}/registrations")
    page.get_by_test_id("without-email-link").click()
    expect(page.get_by_test_id("without-email-person")).to_have_count(2)
    page.get_by_test_id("offer").first.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "without-email-phone")

    board = new_context().new_page()
    log_in(board, server.url, "ketua@example.org", PASSWORD)
    board.goto(server.url + "/my-cooperative/inbox")  # the menu's "Koperasi saya: kotak masuk"
    expect(board.get_by_test_id("inbox-event")).to_have_count(1)
    expect(board.get_by_test_id("inbox-certificate")).to_have_count(2)
    assert board.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(board, "inbox-phone")
    with board.expect_download() as download:
        board.get_by_test_id("certificates-zip").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert len(archive.namelist()) == 2
