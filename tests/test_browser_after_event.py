"""After a training, on phones at 360 px: a participant answers the evaluation from the link in
the certificate email (no script needed); the organiser writes the minutes, adds a follow-up for
a cooperative and a photo, and sees the results."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from PIL import Image
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
    from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, District
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind, ProgramArea
    from portal.extensions import db
    from portal.mail.models import OutboxMessage
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
            seats=30, starts_on=FIRST_DAY, ends_on=FIRST_DAY + timedelta(days=1), min_sessions_for_certificate=2))
        for n in range(2):
            events.add_session(organiser, event, FIRST_DAY + timedelta(days=n), time(9), time(12), venue.id)
        events.publish_event(organiser, event)
        person = participants.find_or_create_participant(organiser, cooperative, "Yohana Nuban", "staff",
                                                         email="yohana@example.org")
        registration = registrations.register_guest(organiser, event.id, person)
        for session in event.sessions:
            attendance.mark_attendance(organiser, registration.id, session.id, "present", session.starts_at)
        events.complete_event(organiser, event)
        certificates.issue_certificates(organiser, event.id, datetime.now(UTC))
        db.session.commit()
        body = db.session.scalar(select(OutboxMessage.body_text).where(
            OutboxMessage.template == "certificates/email/issued_to_participant"))
        return event.id, re.search(r"https?://\S+/evaluasi/\S+", body).group(0)


def _photo(path):
    Image.new("RGB", (2400, 1800), (30, 110, 70)).save(path, "JPEG")
    return path


def test_a_participant_answers_from_the_certificate_email_and_the_organiser_writes_the_minutes(
        live_server, new_context, page, tmp_path):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id, link = _setup(server.app)
    link = re.sub(r"^https?://[^/]+", server.url, link)

    # The participant, on a phone with scripts off: the link from the certificate email.
    participant = new_context(java_script_enabled=False).new_page()
    participant.goto(link)
    expect(participant.get_by_test_id("rating")).to_have_count(4)
    for n, value in enumerate(["5", "4", "3", "4"]):
        participant.locator(f"label[for=rating_{n}-{int(value) - 1}]").click()
    participant.get_by_label("Akses permodalan").check()
    participant.get_by_label("Saran dan masukan untuk penyelenggara").fill("Ruangan agak panas, materi bagus.")
    assert participant.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(participant, "survey-answer-phone")
    participant.get_by_test_id("survey-submit").click()
    expect(participant.get_by_test_id("survey-closed")).to_contain_text("sudah mengisi")
    screenshot(participant, "survey-thanks-phone")

    # The organiser: results, then the minutes, a follow-up for the cooperative, a photo.
    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/evaluation")
    expect(page.get_by_test_id("survey-responses")).to_contain_text("1")
    expect(page.get_by_test_id("survey-comments")).to_contain_text("Ruangan agak panas")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "survey-results-phone")

    page.get_by_role("link", name="Notulen dan foto").click()
    page.locator("summary", has_text="Tambah narasumber").click()
    page.locator("#name").fill("Dr. Maria Lona")
    page.locator("#institution").fill("Universitas Nusa Cendana")
    page.get_by_role("button", name="Tambah", exact=True).click()
    expect(page.get_by_test_id("speaker")).to_contain_text("Universitas Nusa Cendana")
    page.locator("#title").fill("Laporan RAT koperasi peserta")
    page.locator("#notes").fill("12 koperasi belum melaksanakan RAT tahun buku 2025.\nDinas siap mendampingi.")
    page.get_by_role("button", name="Tambahkan butir agenda").click()
    expect(page.get_by_test_id("agenda-item")).to_contain_text("Laporan RAT koperasi peserta")

    page.get_by_test_id("new-follow-up").click()
    page.locator("#cooperative-q").fill("Sehati")
    page.get_by_role("button", name="Cari").click()
    page.get_by_test_id("choose-cooperative").first.click()
    expect(page.get_by_test_id("chosen-cooperative")).to_contain_text("KSP Sehati Oelamasi")
    page.locator("#decision").fill("Koperasi peserta menjadwalkan RAT")
    page.locator("#action").fill("Kirim jadwal RAT ke dinas")
    page.locator("#due_on").fill((datetime.now(UTC).date() + timedelta(days=3)).isoformat())
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "follow-up-form-phone")
    page.get_by_role("button", name="Tambahkan tindak lanjut").click()
    expect(page.get_by_test_id("follow-up")).to_contain_text("KSP Sehati Oelamasi")

    page.locator("#photo").set_input_files(str(_photo(tmp_path / "IMG_0001.jpg")))
    page.locator("#caption").fill("Pembukaan pelatihan oleh Kepala Dinas")
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.get_by_test_id("photo")).to_have_count(1)
    assert page.locator("[data-testid=photo] img").evaluate(  # once the picture has loaded
        "img => img.complete ? img.naturalWidth : new Promise(done => img.addEventListener('load', "
        "() => done(img.naturalWidth)))") == 1600
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "minutes-phone")

    page.goto(server.url + "/")
    expect(page.get_by_test_id("followup-due")).to_contain_text("Kirim jadwal RAT ke dinas")
    screenshot(page, "home-followups-phone")
