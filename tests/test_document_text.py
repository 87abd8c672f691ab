"""What the printed documents say when a program reads them (pypdf, as search and screen readers
do): the addressee without "Koperasi KSP", the NIP in its usual groups, the certificate's heading
as one word, and a tagged PDF (/MarkInfo /Marked and a structure tree) for each document."""

import io
from datetime import date, time

import pypdf
import pytest

from portal.attendance import exports as attendance_exports
from portal.certificates import services as certificates
from portal.certificates.documents import certificate_pdf
from portal.database import utcnow
from portal.extensions import db
from portal.invitations.letters import addressee_line, render_letter
from portal.settings import services as settings_services
from portal.settings.services import get_office_settings
from tests.pdfs import pdf_text

NIP = "197001011995031001"
GROUPED_NIP = "19700101 199503 1 001"


def _words(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def _is_tagged(data: bytes) -> bool:
    catalog = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    mark_info = catalog.get("/MarkInfo")
    return bool(mark_info and mark_info.get_object().get("/Marked")) and "/StructTreeRoot" in catalog


@pytest.mark.parametrize(("name", "line"), [
    ("KSP Sehati Oelamasi", "Ketua KSP Sehati Oelamasi"),
    ("KSU Cendana 60", "Ketua KSU Cendana 60"),
    ("Koperasi Konsumen Jagung Emas 40", "Ketua Koperasi Konsumen Jagung Emas 40"),
    ("koperasi jasa usaha tani", "Ketua koperasi jasa usaha tani"),
    ("Kopdit Swasti Sari", "Ketua Kopdit Swasti Sari"),
    ("KUD Sejahtera", "Ketua KUD Sejahtera"),
    ("Kop. Wanita Sehati", "Ketua Kop. Wanita Sehati"),
    ("KSPPS Berkah Umat", "Ketua KSPPS Berkah Umat"),
    ("Sehati Oelamasi", "Ketua Koperasi Sehati Oelamasi"),
    ("Kopiah Emas", "Ketua Koperasi Kopiah Emas"),
])
def test_a_cooperative_is_not_called_koperasi_twice(app, name, line):
    assert addressee_line(name) == line


def test_nips_are_printed_in_their_usual_groups():
    assert settings_services.format_nip(NIP) == GROUPED_NIP
    assert settings_services.format_nip(None) is None
    assert settings_services.format_nip("12345") == "12345", "anything not an 18-digit NIP stays as written"


@pytest.fixture
def signatory(app):
    settings = get_office_settings()
    settings.signatory_name, settings.signatory_nip = "Drs. Yohanes Nope, M.Si", NIP
    db.session.commit()


def test_the_letter_reads_right_and_is_tagged(app, make_event, signatory):
    event = make_event(sessions=[(date(2026, 12, 3), time(9), time(12))])
    _name, _type, data = render_letter(event, number="007/DISKOP/XI/2026", dated=date(2026, 11, 24),
                                       addressee=addressee_line("KSP Sehati Oelamasi"))
    text = _words(data)
    assert "Yth. Ketua KSP Sehati Oelamasi" in text and "Koperasi KSP" not in text
    assert f"NIP {GROUPED_NIP}" in text
    assert _is_tagged(data)


def test_the_certificate_heading_is_one_word_and_the_pdf_is_tagged(app, organiser, finished_training, signatory):
    t = finished_training([["present", "present", "present"]])
    [certificate] = certificates.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    data = certificate_pdf(certificate)
    lines = [line.strip() for line in pdf_text(data).splitlines()]
    assert "SERTIFIKAT" in lines, lines[:8]
    assert f"NIP {GROUPED_NIP}" in _words(data)
    assert _is_tagged(data)


def test_the_attendance_sheet_is_tagged(app, training):
    t = training(people=2)
    data = attendance_exports.attendance_sheet_pdf(t.event, t.sessions[0])
    assert _is_tagged(data)
