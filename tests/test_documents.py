"""Printed documents: PDFs from templates with the office's letterhead, QR codes, letter numbers."""

import io
from datetime import date

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from portal.documents import pdf
from portal.documents.pdf import ForbiddenResource, LocalFetcher, render_pdf
from portal.documents.qr import qr_png, qr_svg
from portal.extensions import db
from portal.settings.models import LetterSequence
from portal.settings.services import get_office_settings, take_letter_number
from tests.concurrency import run_together
from tests.pdfs import pdf_page_image, pdf_text, read_qr_codes, save_pdf_page

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
SAMPLE = """{% extends "documents/_page.html" %}
{% from "documents/_signature.html" import signature %}
{% block body %}{% include "documents/_letterhead.html" %}<p>{{ words }}</p>{{ qr_svg("https://example.test/x") }}
{{ signature(day) }}{% endblock %}"""


@pytest.fixture
def sample_template(app):
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, DictLoader({"sample.html": SAMPLE})])


def test_a_document_carries_the_letterhead_and_signatory_outside_a_request(app, sample_template):
    settings = get_office_settings()
    settings.signatory_name = "Drs. Yohanes Nope"
    settings.signatory_nip = "196805121990031007"
    settings.logo, settings.logo_mimetype = PNG_1PX, "image/png"

    data = render_pdf("sample.html", words="Undangan rapat", day=date(2026, 12, 3))

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("PEMERINTAH KABUPATEN KUPANG", "Undangan rapat", "Oelamasi, 3 Desember 2026",
                     "Drs. Yohanes Nope", "NIP 19680512 199003 1 007"):
        assert expected in text
    assert read_qr_codes(pdf_page_image(data, scale=3)) == ["https://example.test/x"]
    save_pdf_page(data, "document-sample")


def test_documents_load_nothing_from_outside_the_static_folder(app):
    fetcher = LocalFetcher(app.static_folder)
    with pytest.raises(ForbiddenResource):
        fetcher.fetch("http://127.0.0.1:9/tracker.png")
    with pytest.raises(ForbiddenResource):
        fetcher.fetch("file:///etc/passwd")
    assert b"<svg" in fetcher.fetch(f"file://{app.static_folder}/img/favicon.svg").read()


def test_qr_codes_come_as_inline_svg_and_as_png():
    assert str(qr_svg("https://example.test/tickets/abc")).startswith("<svg")
    assert read_qr_codes(qr_png("https://example.test/tickets/abc")) == ["https://example.test/tickets/abc"]


def test_letter_numbers_run_on_within_a_year_and_start_again_in_the_next(app):
    assert take_letter_number(date(2026, 3, 9)) == "001/DISKOP/III/2026"
    assert take_letter_number(date(2026, 11, 24)) == "002/DISKOP/XI/2026"
    assert take_letter_number(date(2027, 1, 4)) == "001/DISKOP/I/2027"


def test_a_rolled_back_number_is_given_to_the_next_caller_not_lost_twice(app):
    take_letter_number(date(2026, 5, 1))
    db.session.commit()
    take_letter_number(date(2026, 5, 2))
    db.session.rollback()
    assert take_letter_number(date(2026, 5, 3)).startswith("002/")


@pytest.mark.postgres
def test_concurrent_callers_never_share_a_letter_number(app):
    get_office_settings()
    results = run_together(app, 8, lambda i: take_letter_number(date(2026, 11, 24)))

    assert sorted(results) == [f"{n:03d}/DISKOP/XI/2026" for n in range(1, 9)]
    assert db.session.scalar(select(LetterSequence.last_number).where(LetterSequence.year == 2026)) == 8


def test_a_page_stylesheet_is_parsed_once_for_many_documents_and_looks_the_same(app, sample_template, monkeypatch):
    from weasyprint import HTML

    from portal.documents import pdf

    first = render_pdf("sample.html", words="Undangan rapat", day=date(2026, 12, 3))
    parsed = []
    original = pdf.CSS
    monkeypatch.setattr(pdf, "CSS", lambda **kwargs: parsed.append(kwargs) or original(**kwargs))
    again = [render_pdf("sample.html", words=f"Undangan rapat {n}", day=date(2026, 12, 3)) for n in range(3)]
    assert parsed == [] and all("Undangan rapat 2" in pdf_text(data) for data in again[2:])
    with app.test_request_context():
        from flask import render_template

        html = render_template("sample.html", words="Undangan rapat", day=date(2026, 12, 3))
    whole = HTML(string=html, base_url=pdf.Path(app.static_folder).resolve().as_uri() + "/",
                 url_fetcher=pdf.LocalFetcher(app.static_folder)).write_pdf(pdf_tags=True)
    assert pdf_page_image(first, scale=1) == pdf_page_image(whole, scale=1), "the same page as parsed with it"


def test_printed_images_are_found_by_their_document_alone(app):
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGBA", (3000, 1000), (0, 0, 0, 0)).save(output, "PNG")
    with pdf.collecting_images() as images:
        url = pdf.printed_image(output.getvalue(), 5.5, 2.2)
        assert url == pdf.printed_image(output.getvalue(), 5.5, 2.2), "the same upload, the same URL"
        assert pdf.printed_image(b"not an image", 2, 2) is None, "left out of the document"
    found = LocalFetcher(app.static_folder, images).fetch(url)
    with Image.open(io.BytesIO(found.read())) as printed:
        assert printed.size == (650, 217) and printed.mode == "RGBA"
    with pytest.raises(ForbiddenResource):
        LocalFetcher(app.static_folder).fetch(url)  # another document's image
    with pytest.raises(ForbiddenResource):
        LocalFetcher(app.static_folder, images).fetch(pdf.IMAGE_SCHEME + "0" * 32)


def test_printed_images_are_turned_upright_and_huge_ones_left_out(app):
    from PIL import Image

    sideways = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    Image.new("RGB", (1200, 400), (200, 30, 30)).save(sideways, "JPEG", exif=exif)
    with pdf.collecting_images() as images:
        url = pdf.printed_image(sideways.getvalue(), 6, 2.2, opaque=True)
    with Image.open(io.BytesIO(images[url][1])) as printed:
        assert printed.height > printed.width, "upright, as a phone showed it"
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, "PNG")
    assert pdf.printed_image(huge.getvalue(), 6, 2.2, opaque=True) is None
