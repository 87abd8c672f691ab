"""HTML templates to PDF with WeasyPrint, inside or outside a request (the mail worker has none).

What is the same for every document is made once per thread and reused: WeasyPrint's font
configuration (its font map, which otherwise loads and measures the fonts again for each
document) and the parsed stylesheet of each template's ``<style>`` (the same for every letter of a
round; parsed once and given to WeasyPrint as a stylesheet object). A round of letters thus pays
only for laying out and writing each letter.
"""

import contextlib
import hashlib
import io
import re
import threading
from collections import OrderedDict
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from PIL import Image, ImageOps
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_MIMETYPE = "application/pdf"


class ForbiddenResource(ValueError):
    """A document asked for something outside the app's static folder; nothing is fetched."""


class LocalFetcher(URLFetcher):
    """Documents may load data: URIs and files of the static folder, never the network."""

    def __init__(self, static_folder: str, images: dict | None = None):
        super().__init__(allowed_protocols={"data", "file"})
        self.static = Path(static_folder).resolve()
        self.images = images or {}  # the document's own ``printed_image`` URLs

    def fetch(self, url, headers=None):
        if url.startswith(IMAGE_SCHEME):
            if (found := self.images.get(url)) is None:
                raise ForbiddenResource(url)
            return URLFetcherResponse(url, found[1], {"Content-Type": found[0]})
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not path.is_relative_to(self.static):
                raise ForbiddenResource(url)
        elif not url.startswith("data:"):
            raise ForbiddenResource(url)
        return super().fetch(url, headers)


# An office's logo, signature and stamp go into every letter of a round. Embedded as uploaded (up to
# a megabyte, thousands of pixels a side) they cost more than the letter: the HTML parser reads the
# data URI character by character and WeasyPrint compresses a PNG's pixels again for every
# document. So each is prepared once per process (``printed_image``): turned upright, scaled to
# the box a document prints it in at 300 dpi, a JPEG on white where no transparency is needed
# (which passes into the PDF as it is), and named by a short ``portal-image:`` URL. The document
# being rendered holds the images it names (``_kept.document_images``), and its ``LocalFetcher``
# answers those alone, so an image let go of by the shared store meanwhile is never missing.
PRINT_DPI = 300
PRINTED_IMAGES_KEPT = 64
PRINT_SOURCE_MAX_PIXELS = 40_000_000  # a larger upload is left out rather than decoded in every process
IMAGE_SCHEME = "portal-image:"
_printed: OrderedDict[str, tuple[str, bytes] | None] = OrderedDict()
_printed_lock = threading.Lock()


def _prepared(data: bytes, box: tuple[int, int], opaque: bool) -> tuple[str, bytes] | None:
    with Image.open(io.BytesIO(data)) as opened:
        if opened.width * opened.height > PRINT_SOURCE_MAX_PIXELS:
            return None
        icc_profile = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened).convert("RGBA")  # upright; palettes resample smoothly
    image.thumbnail(box, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    if opaque:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        Image.alpha_composite(white, image).convert("RGB").save(output, "JPEG", quality=92,
                                                                 icc_profile=icc_profile)
        return "image/jpeg", output.getvalue()
    image.save(output, "PNG", icc_profile=icc_profile)
    return "image/png", output.getvalue()


def printed_image(data: bytes, width_cm: float, height_cm: float, *, opaque: bool = False) -> str | None:
    """The URL under which the document being rendered (``collecting_images``) finds ``data`` (a
    PNG or JPEG the portal keeps) upright and scaled to fit ``width_cm`` by ``height_cm`` at
    ``PRINT_DPI``: a PNG with its transparency, or with ``opaque`` a JPEG on white. None for an
    image that cannot be read or has more than ``PRINT_SOURCE_MAX_PIXELS``: it is left out."""
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"{width_cm}x{height_cm}{opaque}".encode())
    url = IMAGE_SCHEME + digest.hexdigest()
    with _printed_lock:
        known = url in _printed
        if known:
            _printed.move_to_end(url)
            printed = _printed[url]
    if not known:
        box = (round(width_cm / 2.54 * PRINT_DPI), round(height_cm / 2.54 * PRINT_DPI))
        try:
            printed = _prepared(data, box, opaque)
        except (OSError, ValueError, Image.DecompressionBombError):
            printed = None
        with _printed_lock:
            _printed[url] = printed
            while len(_printed) > PRINTED_IMAGES_KEPT:
                _printed.popitem(last=False)
    if printed is None:
        return None
    if (document_images := getattr(_kept, "document_images", None)) is not None:
        document_images[url] = printed
    return url


@contextlib.contextmanager
def collecting_images():
    """The images ``printed_image`` names while the block runs (a document's template renders),
    by URL: what the document's ``LocalFetcher`` answers."""
    images = _kept.document_images = {}
    try:
        yield images
    finally:
        _kept.document_images = None


def logo_src(settings) -> str | None:
    """The office logo as a letterhead or certificate prints it (at most 6 by 2.2 cm)."""
    return printed_image(settings.logo, 6, 2.2, opaque=True) if settings.logo else None


# A document's one style element (documents/_page.html's), taken out to be parsed once.
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
STYLESHEETS_KEPT = 32
_kept = threading.local()  # WeasyPrint's objects are not shared between threads


def _font_config() -> FontConfiguration:
    if not hasattr(_kept, "fonts"):
        _kept.fonts, _kept.stylesheets = FontConfiguration(), {}
    return _kept.fonts


def _stylesheet(text: str, base_url: str, fetcher: URLFetcher) -> CSS:
    fonts = _font_config()
    key = (text, base_url)
    if (sheet := _kept.stylesheets.get(key)) is None:
        if len(_kept.stylesheets) >= STYLESHEETS_KEPT:
            _kept.stylesheets.clear()
        sheet = _kept.stylesheets[key] = CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    return sheet


def mark_src(data: bytes | None, width_cm: float, height_cm: float) -> str | None:
    """A PNG kept by the portal (the signature, the stamp) as printed in a box of ``width_cm`` by
    ``height_cm``, with its transparency."""
    return printed_image(data, width_cm, height_cm) if data else None


def render_pdf(template_name: str, *, language: str = "id", **context) -> bytes:
    """Render ``template_name`` (extending ``documents/_page.html``) in ``language`` to PDF bytes,
    tagged (headings, paragraphs, tables, reading order) so screen readers and search read it."""
    request_context = contextlib.nullcontext() if has_request_context() else current_app.test_request_context()
    with request_context, force_locale(language), collecting_images() as images:
        html = render_template(template_name, **context)
    base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
    fetcher = LocalFetcher(current_app.static_folder, images)
    styles = STYLE.findall(html)
    stylesheets = []
    if len(styles) == 1:  # the usual page: its stylesheet parsed once; any other shape as it is
        html = STYLE.sub("", html, count=1)
        stylesheets = [_stylesheet(styles[0], base_url, fetcher)]
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(pdf_tags=True, stylesheets=stylesheets, font_config=_font_config())
