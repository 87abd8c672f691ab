"""An organiser issues the certificates of a finished training on a phone; the mail worker sends
the one participant with an address her certificate; the QR code on it opens the public check."""

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot
from tests.pdfs import pdf_page_image, pdf_text, read_qr_codes

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"
FIRST_DAY = datetime.now(UTC).date() - timedelta(days=10)


def _setup(app):
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.attendance import services as attendance
    from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, District
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
        db.session.add(cooperative)
        venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Oelamasi", district.id, 80)
        event = events.create_event(organiser, events.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            seats=30, starts_on=FIRST_DAY, ends_on=FIRST_DAY + timedelta(days=2), min_sessions_for_certificate=2))
        for n in range(3):
            events.add_session(organiser, event, FIRST_DAY + timedelta(days=n), time(9), time(12), venue.id)
        events.publish_event(organiser, event)
        for name, email, marks in (("Yohana Nuban", "yohana@example.org", ("present", "present", "present")),
                                   ("Agus Lake", None, ("present", "late", "absent")),
                                   ("Petrus Sinlae", None, ("present", "excused", "absent"))):
            person = participants.find_or_create_participant(organiser, cooperative, name, "staff", email=email)
            registration = registrations.register_guest(organiser, event.id, person)
            for session, mark in zip(event.sessions, marks, strict=True):
                attendance.mark_attendance(organiser, registration.id, session.id, mark, session.starts_at)
            if email:
                token = registration.token
        events.complete_event(organiser, event)
        db.session.commit()
        return event.id, token


def test_an_organiser_issues_certificates_the_email_arrives_and_its_qr_opens_the_check(live_server, new_context,
                                                                                       page, smtp):
    server = live_server(WTF_CSRF_ENABLED=True)
    server.app.config["PORTAL_BASE_URL"] = server.url
    event_id, token = _setup(server.app)

    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/certificates")
    rows = page.get_by_test_id("eligibility")
    expect(rows.locator('[data-outcome="qualifies"]')).to_have_count(2)
    expect(rows.locator('[data-outcome="not_qualified"]')).to_have_count(1)
    expect(rows.locator('[data-outcome="not_qualified"]')).to_contain_text("Petrus Sinlae")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "certificates-phone-preview")
    with page.expect_navigation():
        page.get_by_test_id("issue").click()
    expect(rows.locator('[data-outcome="issued"]')).to_have_count(2)
    expect(page.get_by_test_id("nothing-to-issue")).to_be_visible()
    screenshot(page, "certificates-phone-issued")

    with server.app.app_context():
        from portal.mail.delivery import send_pending

        send_pending("test")
    [email] = [r for r in smtp.received if "yohana@example.org" in r.rcpt_tos
               and any(name.endswith(".pdf") for name in r.attachments())]
    [pdf] = [data for name, data in email.attachments().items() if name.endswith(".pdf")]
    assert "Yohana Nuban" in pdf_text(pdf) and "Pelatihan Pembukuan Koperasi" in pdf_text(pdf)
    [link] = read_qr_codes(pdf_page_image(pdf, scale=3))
    assert link.startswith(server.url + "/certificates/")

    visitor = new_context(viewport=PHONE, locale="id-ID")
    public = visitor.new_page()
    public.goto(link)
    expect(public.get_by_test_id("certificate-status")).to_have_attribute("data-status", "valid")
    expect(public.get_by_test_id("certificate-name")).to_have_text("Yohana Nuban")
    screenshot(public, "certificates-phone-check")
    public.goto(f"{server.url}/tickets/{token}")
    expect(public.get_by_test_id("certificate")).to_be_visible()
    expect(public.get_by_test_id("check-in")).to_have_count(0)
    screenshot(public, "certificates-phone-ticket")
    href = public.get_by_test_id("certificate").get_by_role("link").get_attribute("href")
    downloaded = public.request.get(server.url + href)
    assert downloaded.headers["content-type"] == "application/pdf" and "Yohana Nuban" in pdf_text(downloaded.body())
    visitor.close()
