"""At the door, on a phone: the organiser opens the check-in link from a participant's
confirmation email (the QR code's content, decoded from the email's inline image), sees who and
which session, taps "Catat hadir" and sees the confirmation, then marks the others on the sheet
and marks the rest absent. Opened by anyone else, the same link shows the ticket."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.attendance_fixtures import wita
from tests.browser_fixtures import PHONE, log_in, screenshot
from tests.browser_seed import PASSWORD, seed_training
from tests.pdfs import read_qr_codes

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date() + timedelta(days=12)


def _setup(app):
    return seed_training(app, DAY, seats=30, people=(("Yohana Nuban", "yohana@example.org"), ("Agus Lake", None),
                                                     ("Petrus Sinlae", None), ("Maria Bria", None))).event_id


def _login(page, url):
    log_in(page, url, "panitia@example.org", PASSWORD)


def test_an_organiser_checks_in_from_the_emailed_qr_code_then_marks_the_rest(live_server, new_context, page, smtp):
    server = live_server(WTF_CSRF_ENABLED=True, PORTAL_CLOCK=lambda: wita(DAY, 8, 52))
    server.app.config["PORTAL_BASE_URL"] = server.url
    event_id = _setup(server.app)
    with server.app.app_context():
        from portal.mail.delivery import send_pending

        send_pending("test")
    [email] = [r for r in smtp.received if "yohana@example.org" in r.rcpt_tos]
    [qr_image] = [part for part in email.message.walk() if part.get_content_type() == "image/png"]
    [link] = read_qr_codes(qr_image.get_payload(decode=True))
    assert link.startswith(server.url + "/check-in/")

    stranger = new_context(viewport=PHONE, locale="id-ID")
    ticket = stranger.new_page()
    ticket.goto(link)
    expect(ticket.get_by_test_id("ticket-name")).to_have_text("Yohana Nuban")
    expect(ticket.get_by_test_id("check-in").locator("svg.qr")).to_be_visible()
    screenshot(ticket, "attendance-phone-ticket")
    stranger.close()

    _login(page, server.url)
    page.goto(link)
    expect(page.get_by_test_id("check-in-name")).to_have_text("Yohana Nuban")
    expect(page.get_by_test_id("check-in-session")).to_contain_text("09.00–12.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "attendance-phone-check-in-confirm")
    with page.expect_navigation():
        page.get_by_test_id("record-attendance").click()
    result = page.get_by_test_id("check-in-result")
    expect(result).to_have_attribute("data-result", "new")
    expect(page.get_by_test_id("check-in-name")).to_have_text("Yohana Nuban")
    expect(page.get_by_test_id("check-in-affiliation")).to_have_text("KSP Sehati Oelamasi")
    expect(page.get_by_test_id("check-in-time")).to_contain_text("08.52")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "attendance-phone-check-in")
    page.goto(link)
    with page.expect_navigation():
        page.get_by_test_id("record-attendance").click()
    expect(result).to_have_attribute("data-result", "already")
    expect(result).to_contain_text("08.52")

    with page.expect_navigation():
        page.get_by_test_id("to-sheet").click()
    counts = page.get_by_test_id("counts")
    expect(counts.locator('[data-count="present"]')).to_have_text("1")
    expect(counts.locator('[data-count="unmarked"]')).to_have_text("3")
    sheet = page.get_by_test_id("sheet")
    agus = sheet.locator(".sheet-row", has_text="Agus Lake")
    agus.locator('button[value$=":late"]').click()
    expect(agus).to_have_attribute("data-mark", "late")
    expect(counts.locator('[data-count="late"]')).to_have_text("1")
    page.locator("#sheet-search").fill("sinlae")
    expect(sheet.locator(".sheet-row:visible")).to_have_count(1)
    petrus = sheet.locator(".sheet-row", has_text="Petrus Sinlae")
    petrus.locator('button[value$=":excused"]').click()
    expect(petrus).to_have_attribute("data-mark", "excused")
    page.locator("#sheet-search").fill("")
    expect(sheet.locator(".sheet-row:visible")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "attendance-phone-sheet")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("remaining-absent").click()
    expect(counts.locator('[data-count="absent"]')).to_have_text("1")
    expect(counts.locator('[data-count="unmarked"]')).to_have_text("0")
    expect(sheet.locator(".sheet-row", has_text="Maria Bria")).to_have_attribute("data-mark", "absent")

    with server.app.app_context():
        from sqlalchemy import select

        from portal.attendance.models import AttendanceRecord
        from portal.extensions import db

        marks = {r.registration.participant.full_name: r.mark.value for r in db.session.scalars(
            select(AttendanceRecord))}
    assert marks == {"Yohana Nuban": "present", "Agus Lake": "late", "Petrus Sinlae": "excused",
                     "Maria Bria": "absent"}
    page.goto(f"{server.url}/organiser/events/{event_id}/attendance")
    expect(page.get_by_test_id("rate")).to_have_text("50%")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "attendance-phone-tab")
    with page.expect_navigation():
        page.get_by_test_id("open-sheet").click()
    with page.expect_navigation():
        page.get_by_test_id("walk-in").click()
    page.locator("#full_name").fill("Yakobus Tefa")
    screenshot(page, "attendance-phone-walk-in")
