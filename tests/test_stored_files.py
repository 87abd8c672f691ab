"""Uploaded files, decided once (portal/files/): checked by content, cleaned, size-limited,
served as attachments nobody keeps."""

import io

import pytest
from PIL import Image

from portal.errors import RuleViolation
from portal.files.services import download, store_upload
from tests.files_samples import PLAIN_TEXT, TEXT_AS_PDF, jpeg_with_exif, pdf_bytes, png_bytes


def test_a_pdf_that_opens_is_kept_as_sent(app):
    data = pdf_bytes()
    stored = store_upload(None, "Berita Acara RAT 2025.pdf", data, "document")
    assert (stored.content_type, stored.data, stored.filename) == ("application/pdf", data, "Berita-Acara-RAT-2025.pdf")


def test_a_photo_is_re_encoded_without_its_metadata(app):
    data = jpeg_with_exif()
    assert Image.open(io.BytesIO(data)).getexif()
    stored = store_upload(None, "IMG_2026.jpeg", data, "document")
    assert stored.content_type == "image/jpeg" and stored.filename == "IMG_2026.jpg"
    assert not Image.open(io.BytesIO(stored.data)).getexif()
    assert b"Yohanes" not in stored.data and b"PhoneMaker" not in stored.data


def test_a_png_is_kept_as_png(app):
    stored = store_upload(None, "foto.png", png_bytes(), "document")
    assert stored.content_type == "image/png" and Image.open(io.BytesIO(stored.data)).format == "PNG"


@pytest.mark.parametrize("data", [TEXT_AS_PDF, PLAIN_TEXT, b"\xff\xd8\xff\xe0 broken jpeg", b""])
def test_a_file_that_is_not_what_it_says_is_refused_in_indonesian(app, data):
    with app.test_request_context(headers={"Accept-Language": "id"}), pytest.raises(RuleViolation) as refused:
        store_upload(None, "berita-acara.pdf", data, "document")
    assert refused.value.field == "document"
    assert "PDF" in refused.value.message or "kosong" in refused.value.message


@pytest.mark.app_config(UPLOAD_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused(app):
    with pytest.raises(RuleViolation) as refused:
        store_upload(None, "big.pdf", pdf_bytes() + b"\n" * 2000, "document")
    assert refused.value.field == "document"


def test_a_download_is_an_attachment_nobody_stores(app):
    stored = store_upload(None, "ba.pdf", pdf_bytes(), "document")
    with app.test_request_context():
        response = download(stored)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _mangled_pdf() -> bytes:
    """Three bytes of a real PDF garbled (as a fuzz run found): pypdf raises AttributeError."""
    data = bytearray(pdf_bytes())
    data[22], data[296], data[372] = ord(":"), 0x13, ord("1")
    return bytes(data)


def _broken_png() -> bytes:
    data = bytearray(png_bytes())
    data[40:48] = b"\x00" * 8  # a chunk's bytes garbled: Pillow raises SyntaxError("broken PNG file")
    return bytes(data)


@pytest.mark.parametrize("data", [_mangled_pdf(), _broken_png()], ids=["mangled-pdf", "broken-png"])
def test_a_mangled_file_is_refused_with_a_message_not_a_500(app, data):
    with app.test_request_context(headers={"Accept-Language": "id"}), pytest.raises(RuleViolation) as refused:
        store_upload(None, "berita-acara.pdf", data, "document")
    assert refused.value.field == "document"
