import re

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import LAPTOP, screenshot

pytestmark = pytest.mark.browser


def _deliver(server, smtp):
    from portal.mail.delivery import send_pending

    with server.app.app_context():
        send_pending("browser-test")
    return smtp.received[-1]


def test_board_signup_confirm_approval_and_editing_own_cooperative(live_server, new_context, page, smtp):
    server = live_server(WTF_CSRF_ENABLED=True)
    with server.app.app_context():
        from sqlalchemy import select

        from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, District
        from portal.demo import seed_staff
        from portal.extensions import db

        seed_staff()
        db.session.add(Cooperative(
            name="KSP Cendana Oelamasi", legal_number="375/BH/XXIV/1989", legal_number_key="375/BH/XXIV/1989",
            type=CooperativeType.SAVINGS_AND_LOAN, status=CooperativeStatus.ACTIVE,
            district=db.session.scalar(select(District).where(District.name == "Kupang Timur"))))
        db.session.commit()

    # A treasurer signs up on her phone.
    page.goto(server.url + "/register")
    page.get_by_label("Nama lengkap").fill("Yuliana Amalo")
    page.get_by_label("Email").fill("yuliana@example.org")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_label("Jabatan Anda").select_option("treasurer")
    page.get_by_label("Nomor badan hukum koperasi").fill("375/BH/XXIV/1989")
    page.get_by_label("Kata sandi", exact=True).fill("rahasia-kuat-1")
    page.get_by_label("Ulangi kata sandi").fill("rahasia-kuat-1")
    screenshot(page, "registry-phone-signup")
    page.get_by_role("button", name="Daftar", exact=True).click()
    expect(page.get_by_role("heading", name="Periksa email Anda")).to_be_visible()

    # The verification email arrives over SMTP; she opens it and confirms.
    mail = _deliver(server, smtp)
    link = re.search(r"http://\S+/verify-email/\S+", mail.body("plain")).group(0)
    page.goto(link.replace("http://127.0.0.1:5000", server.url))
    page.get_by_role("button", name="Konfirmasi alamat email saya").click()
    expect(page.get_by_text("alamat email Anda sudah terkonfirmasi")).to_be_visible()

    # The organiser approves the claim on a laptop.
    office = new_context(viewport=LAPTOP, locale="id-ID")
    organiser = office.new_page()
    organiser.goto(server.url + "/login")
    organiser.get_by_label("Email").fill("organiser@demo.portal-koperasi.example.org")
    organiser.get_by_label("Kata sandi").fill("demo12345")
    with organiser.expect_navigation():  # until the home page has loaded Bootstrap, the menu does not open
        organiser.get_by_role("button", name="Masuk", exact=True).click()
    organiser.get_by_test_id("more-menu").click()  # the menu bar keeps claims under "Lainnya"
    organiser.get_by_role("link", name="Klaim pengurus", exact=True).click()
    expect(organiser.get_by_text("KSP Cendana Oelamasi")).to_be_visible()
    screenshot(organiser, "registry-laptop-claims")
    organiser.get_by_role("button", name="Setujui").click()
    expect(organiser.get_by_text("Disetujui; pengurus sudah diberi tahu lewat email.")).to_be_visible()
    office.close()
    assert "disetujui" in _deliver(server, smtp).message["Subject"]

    # She logs in and updates her cooperative's contacts.
    page.goto(server.url + "/login")
    page.get_by_label("Email").fill("yuliana@example.org")
    page.get_by_label("Kata sandi").fill("rahasia-kuat-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()
    page.goto(server.url + "/my-cooperative")
    expect(page.get_by_role("heading", name="KSP Cendana Oelamasi")).to_be_visible()
    page.get_by_role("link", name="Ubah kontak").click()
    page.get_by_label("Telepon").fill("0813-9876-5432")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Kontak disimpan.")).to_be_visible()
    # Stored in +62 form (the tel: link), shown in the portal's one form for phones.
    expect(page.locator('a[href="tel:+6281398765432"]')).to_have_text("0813-9876-5432")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "registry-phone-own-cooperative")
