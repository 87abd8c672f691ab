"""Storing an upload only once its content says what it is, and handing it back as a download.

A PDF must open in pypdf and have a page; a JPEG or PNG must open in Pillow and is re-encoded,
which drops its metadata (EXIF: the phone's location, its owner). The name a browser sent counts
for nothing: a text file renamed ``.pdf`` is refused.
"""

import hashlib
import io
import re
import unicodedata

from flask import current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener
from pypdf import PdfReader

from portal.errors import RuleViolation
from portal.extensions import db
from portal.files.models import StoredFile

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCUMENT_TYPES = (PDF, JPEG, PNG)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
MAX_IMAGE_PIXELS = 40_000_000
# A photo's longest side after upload: sharp on a laptop and in a report, small on a slow link.
PHOTO_MAX_SIDE = 1600
PHOTO_FORMATS = {"JPEG", "PNG", "HEIF"}

# Pillow opens HEIC (iPhone photos) once pillow-heif has registered its opener.
register_heif_opener()


def max_upload_bytes() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def _check_pdf(data: bytes) -> bytes | None:
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) < 1:
            raise ValueError("no page")
    except Exception:  # noqa: BLE001 (a mangled file makes pypdf raise nearly anything: it is refused)
        return None
    return data


def _reencode_image(data: bytes) -> tuple[str, bytes] | None:
    """The image drawn again from its pixels, as JPEG or PNG, with none of its metadata; the
    phone's rotation is applied first, so the picture stands as it was taken."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"JPEG", "PNG"} or image.width * image.height > MAX_IMAGE_PIXELS:
                return None
            image.load()
            upright = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if image.format == "JPEG":
                upright.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
                return JPEG, output.getvalue()
            clean = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            clean.save(output, "PNG", optimize=True)
            return PNG, output.getvalue()
    except Exception:  # noqa: BLE001 (a corrupt image makes Pillow raise SyntaxError and others: refused)
        return None


def checked_content(data: bytes, field: str, allowed=DOCUMENT_TYPES) -> tuple[str, bytes]:
    """``(content type, bytes to keep)`` of an upload, or a refusal on ``field``."""
    if not data:
        raise RuleViolation(field, _("The file is empty."))
    if len(data) > max_upload_bytes():
        raise RuleViolation(field, _("The file may be at most %(size)s MB.", size=max_upload_bytes() // (1024 * 1024)))
    if data.startswith(b"%PDF") and PDF in allowed:
        checked = _check_pdf(data)
        if checked is not None:
            return PDF, checked
    elif data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n":
        image = _reencode_image(data)
        if image is not None and image[0] in allowed:
            return image
    raise RuleViolation(field, _("The file must be a PDF, JPEG or PNG that opens; this one is not."))


def _is_photo(data: bytes) -> bool:
    """JPEG, PNG, or an ISO media file of HEIF brands (the "ftyp" box an iPhone writes)."""
    return (data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
            or (data[4:8] == b"ftyp" and data[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"}))


def _photo_jpeg(data: bytes, max_side: int) -> bytes | None:
    """The photo upright, at most ``max_side`` on its longest side, drawn again as JPEG from its
    pixels alone: no EXIF (GPS position, phone, owner), no XMP, no ICC extras."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in PHOTO_FORMATS or image.width * image.height > MAX_IMAGE_PIXELS:
                return None
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            clean = Image.new("RGB", upright.size)
            clean.paste(upright)
            output = io.BytesIO()
            clean.save(output, "JPEG", quality=82, optimize=True)
            return output.getvalue()
    except Exception:  # noqa: BLE001 (a corrupt image makes Pillow raise nearly anything: refused)
        return None


def store_photo(actor, filename: str | None, data: bytes, field: str, max_side: int = PHOTO_MAX_SIDE) -> StoredFile:
    """Keep a photo (JPEG, PNG or HEIC) as a resized JPEG without its metadata; refuses on
    ``field`` what is empty, too big or no image, and stores nothing."""
    if not data:
        raise RuleViolation(field, _("The file is empty."))
    if len(data) > max_upload_bytes():
        raise RuleViolation(field, _("The file may be at most %(size)s MB.", size=max_upload_bytes() // (1024 * 1024)))
    content = _photo_jpeg(data, max_side) if _is_photo(data) else None
    if content is None:
        raise RuleViolation(field, _("The photo must be a JPEG, PNG or HEIC image that opens; this one is not."))
    stored = StoredFile(filename=safe_filename(filename or "foto", JPEG), content_type=JPEG, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), data=content,
                        uploaded_by_id=actor.id if actor is not None else None)
    db.session.add(stored)
    db.session.flush()
    return stored


def safe_filename(name: str | None, content_type: str) -> str:
    """A plain name for the download: letters, digits, dots and dashes, with the extension its
    content has (not the one it was sent with)."""
    stem = unicodedata.normalize("NFKD", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.encode("ascii", "ignore").decode().rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-")[:80] or "dokumen"
    return stem + EXTENSIONS[content_type]


def store_upload(actor, filename: str | None, data: bytes, field: str, allowed=DOCUMENT_TYPES) -> StoredFile:
    """Check, clean and keep an upload; refuses on ``field`` and stores nothing when it fails."""
    content_type, content = checked_content(data, field, allowed)
    stored = StoredFile(filename=safe_filename(filename, content_type), content_type=content_type, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), data=content,
                        uploaded_by_id=actor.id if actor is not None else None)
    db.session.add(stored)
    db.session.flush()
    return stored


def inline_image(stored: StoredFile):
    """A stored photo shown in a page (an ``<img>``): only for images this module drew again
    itself (``store_photo``), never a file kept as sent; private to the reader, not sniffed."""
    if stored.content_type not in (JPEG, PNG):
        raise ValueError("only re-encoded images are shown inline")
    response = send_file(io.BytesIO(stored.data), mimetype=stored.content_type, as_attachment=False,
                         download_name=stored.filename, etag=False, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def download(stored: StoredFile):
    """The file as an attachment a browser saves and never shows or keeps: the caller has
    already decided that this user may have it."""
    response = send_file(io.BytesIO(stored.data), mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.filename, etag=False, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
