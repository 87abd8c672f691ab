"""The surat undangan: letterhead, number, Indonesian date, addressee, sessions, signatory."""

from datetime import date, time

from portal.invitations.letters import addressee_line, render_letter
from portal.settings.services import get_office_settings
from tests.pdfs import pdf_text, save_pdf_page


def test_the_letter_carries_number_date_addressee_sessions_and_signatory(app, make_event):
    settings = get_office_settings()
    settings.signatory_name, settings.signatory_nip = "Drs. Yohanes Nope, M.Si", "196805121990031007"
    event = make_event(title="Pelatihan Pembukuan Koperasi", sessions=[(date(2026, 12, 3), time(9), time(12)),
                                                                       (date(2026, 12, 4), time(13), time(16))])
    event.contact_name, event.contact_phone = "Ibu Maria Bana", "081234567890"

    filename, content_type, data = render_letter(event, number="007/DISKOP/XI/2026", dated=date(2026, 11, 24),
                                                 addressee=addressee_line("KSP Sehati Oelamasi"),
                                                 what_to_bring="laptop dan buku kas")

    assert content_type == "application/pdf" and filename.endswith(".pdf")
    text = " ".join(pdf_text(data).split())
    for expected in ("PEMERINTAH KABUPATEN KUPANG", "007/DISKOP/XI/2026", "Oelamasi, 24 November 2026",
                     "Undangan Pelatihan", "Yth. Ketua Koperasi KSP Sehati Oelamasi",
                     "Kamis, 3 Desember 2026", "09.00–12.00 WITA", "Jumat, 4 Desember 2026", "13.00–16.00 WITA",
                     "laptop dan buku kas", "Ibu Maria Bana", "Drs. Yohanes Nope, M.Si", "NIP 196805121990031007"):
        assert expected in text, expected
    save_pdf_page(data, "invitation-letter")


def test_addressee_lines_for_cooperatives_and_organisations(app):
    assert addressee_line("Koperasi Serba Usaha Sehati") == "Ketua Koperasi Serba Usaha Sehati"
    assert addressee_line("KSP Sehati") == "Ketua Koperasi KSP Sehati"
    assert addressee_line(None, "Bank NTT Cabang Oelamasi") == "Pimpinan Bank NTT Cabang Oelamasi"
