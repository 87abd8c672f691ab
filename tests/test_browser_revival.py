"""A board member uploads its RAT from a phone; an organiser verifies it and makes the
cooperative active again, at 360 px."""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import log_in, screenshot
from tests.files_samples import pdf_bytes

pytestmark = pytest.mark.browser


def test_board_uploads_rat_from_a_phone_and_organiser_verifies_and_reactivates(live_server, new_context, page,
                                                                                tmp_path):
    server = live_server(WTF_CSRF_ENABLED=True, PORTAL_CLOCK=lambda: datetime(2026, 4, 10, 2, tzinfo=UTC))
    with server.app.app_context():
        from sqlalchemy import select

        from portal.accounts.models import Role
        from portal.accounts.services import create_user
        from portal.cooperatives.models import (
            BoardAccount,
            BoardAccountStatus,
            BoardPosition,
            Cooperative,
            CooperativeStatus,
            CooperativeType,
            District,
            StatusChange,
        )
        from portal.database import utcnow
        from portal.demo import seed_staff
        from portal.extensions import db

        seed_staff()
        cooperative = Cooperative(
            name="KSP Cendana Oelamasi", legal_number="375/BH/XXIV/1989", legal_number_key="375/BH/XXIV/1989",
            type=CooperativeType.SAVINGS_AND_LOAN, status=CooperativeStatus.INACTIVE, legal_date=date(1989, 6, 1),
            status_reason="Tidak menyelenggarakan RAT sejak 2019", status_date=date(2022, 12, 31), last_rat_year=None,
            district=db.session.scalar(select(District).where(District.name == "Kupang Timur")))
        cooperative.status_changes = [StatusChange(status=CooperativeStatus.INACTIVE, reason=cooperative.status_reason,
                                                   effective_date=date(2022, 12, 31))]
        user = create_user(None, "yuliana@example.org", "Yuliana Amalo", Role.BOARD, "rahasia-kuat-1")
        user.email_verified_at = utcnow()
        db.session.add_all([cooperative, BoardAccount(user=user, cooperative=cooperative,
                                                      position=BoardPosition.CHAIR,
                                                      status=BoardAccountStatus.APPROVED)])
        db.session.commit()
        cooperative_id = cooperative.id
    document = tmp_path / "berita-acara-rat-2025.pdf"
    document.write_bytes(pdf_bytes())
    impostor = tmp_path / "bukan-pdf.pdf"
    impostor.write_bytes(b"%PDF-1.4 just text renamed .pdf")

    # The chair sends the RAT from her phone.
    log_in(page, server.url, "yuliana@example.org", "rahasia-kuat-1")
    page.goto(server.url + "/my-cooperative")
    page.get_by_test_id("record-rat").click()
    page.get_by_label("Tahun buku").fill("2025")
    page.get_by_label("Tanggal RAT").fill("2026-03-14")
    page.get_by_label("Anggota hadir").fill("48")
    page.get_by_label("Jumlah anggota").fill("41")
    page.get_by_label("Tempat").fill("Aula Desa Oelnasi")
    page.get_by_label("Dilaporkan ke ODS").check()
    page.get_by_label("Berita acara atau laporan RAT").set_input_files(str(impostor))
    page.get_by_role("button", name="Kirim ke dinas").click()
    expect(page.get_by_text("Anggota yang hadir (48) lebih banyak daripada anggota koperasi (41).")).to_be_visible()
    screenshot(page, "revival-phone-rat-refused")
    page.get_by_label("Anggota hadir").fill("36")
    page.get_by_label("Berita acara atau laporan RAT").set_input_files(str(impostor))
    page.get_by_role("button", name="Kirim ke dinas").click()
    expect(page.get_by_text("Berkas harus berupa PDF, JPEG, atau PNG yang dapat dibuka")).to_be_visible()
    page.get_by_label("Berita acara atau laporan RAT").set_input_files(str(document))
    page.get_by_role("button", name="Kirim ke dinas").click()
    expect(page.get_by_text("RAT terkirim; dinas akan memverifikasinya.")).to_be_visible()
    expect(page.get_by_test_id("rat-status")).to_have_text("Menunggu verifikasi")
    screenshot(page, "revival-phone-rat-sent")

    # The organiser, on a phone too, verifies it and makes the cooperative active again.
    office = new_context()
    organiser = office.new_page()
    log_in(organiser, server.url, "organiser@demo.portal-koperasi.example.org", "demo12345")
    organiser.goto(server.url + "/rat/pending")
    expect(organiser.get_by_text("KSP Cendana Oelamasi")).to_be_visible()
    screenshot(organiser, "revival-phone-pending")
    with organiser.expect_download() as download:
        organiser.get_by_role("link", name="Dokumen").click()
    assert download.value.suggested_filename == "berita-acara-rat-2025.pdf"
    organiser.get_by_role("button", name="Verifikasi").click()
    expect(organiser.get_by_text("RAT tahun buku 2025 terverifikasi.")).to_be_visible()
    organiser.goto(server.url + f"/cooperatives/{cooperative_id}")
    expect(organiser.get_by_test_id("reactivation-offer")).to_be_visible()
    screenshot(organiser, "revival-phone-offer")
    organiser.get_by_test_id("reactivate").click()
    expect(organiser.get_by_test_id("confirm")).to_be_visible()
    screenshot(organiser, "revival-phone-confirm")
    organiser.get_by_test_id("confirm-button").click()
    expect(organiser.get_by_text("KSP Cendana Oelamasi aktif kembali")).to_be_visible()
    expect(organiser.get_by_test_id("timeline")).to_contain_text("RAT tahun buku 2025")
    screenshot(organiser, "revival-phone-active-again")

    # The follow-up pages read at 360 px too: a contact with a next step, the list, the funnel, the campaign.
    organiser.get_by_test_id("record-contact").click()
    organiser.get_by_label("Hasil").fill("Ketua dihubungi; laporan RAT akan diunggah ke ODS.")
    organiser.get_by_label("Langkah berikutnya", exact=True).fill("Periksa laporan di ODS")
    organiser.get_by_label("Batas waktu langkah berikutnya").fill("2026-04-20")
    organiser.get_by_role("button", name="Simpan").click()
    expect(organiser.get_by_text("Kontak dicatat.")).to_be_visible()
    organiser.goto(server.url + "/pembinaan/follow-ups")
    expect(organiser.get_by_text("Periksa laporan di ODS")).to_be_visible()
    screenshot(organiser, "revival-phone-follow-ups")
    organiser.goto(server.url + "/rat/funnel?year=2026&stage=active_again")
    expect(organiser.get_by_test_id("funnel-cooperatives")).to_contain_text("KSP Cendana Oelamasi")
    screenshot(organiser, "revival-phone-funnel")
    organiser.goto(server.url + "/rat/campaign?year=2025")
    screenshot(organiser, "revival-phone-campaign")
    office.close()
