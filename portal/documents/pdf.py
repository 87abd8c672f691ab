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
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_MIMETYPE = "application/pdf"


class ForbiddenResource(ValueError):
    """A document asked for something outside the app's static folder; nothing is fetched."""


class LocalFetcher(URLFetcher):
    """Documents may load data: URIs and files of the static folder, never the network."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols={"data", "file"})
        self.static = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        if url.startswith(IMAGE_SCHEME):
            with _printed_lock:
                found = _printed.get(url)
            if found is None:
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
# document. So each is prepared once per process (``printed_image``): scaled to the box a document
# prints it in, at 300 dpi, a JPEG on white where no transparency is needed (which passes into the
# PDF as it is), and kept under a short ``portal-image:`` URL that ``LocalFetcher`` answers.
PRINT_DPI = 300
PRINTED_IMAGES_KEPT = 64
IMAGE_SCHEME = "portal-image:"
_printed: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
_printed_lock = threading.Lock()


def printed_image(data: bytes, width_cm: float, height_cm: float, *, opaque: bool = False) -> str:
    """The URL under which a document finds ``data`` (a PNG or JPEG the portal keeps) scaled to
    fit ``width_cm`` by ``height_cm`` at ``PRINT_DPI``: a PNG with its transparency, or with
    ``opaque`` a JPEG on white. An image that cannot be read is kept as it is."""
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"{width_cm}x{height_cm}{opaque}".encode())
    url = IMAGE_SCHEME + digest.hexdigest()
    with _printed_lock:
        if url in _printed:
            _printed.move_to_end(url)
            return url
    box = (round(width_cm / 2.54 * PRINT_DPI), round(height_cm / 2.54 * PRINT_DPI))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail(box, Image.Resampling.LANCZOS)
            output = io.BytesIO()
            if opaque:
                rgba = image.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                Image.alpha_composite(white, rgba).convert("RGB").save(output, "JPEG", quality=92)
                printed = ("image/jpeg", output.getvalue())
            else:
                image.save(output, "PNG")
                printed = ("image/png", output.getvalue())
    except (OSError, ValueError, Image.DecompressionBombError):
        printed = ("application/octet-stream", data)
    with _printed_lock:
        _printed[url] = printed
        while len(_printed) > PRINTED_IMAGES_KEPT:
            _printed.popitem(last=False)
    return url


def logo_data_uri(settings) -> str | None:
    """The office logo as a letterhead or certificate prints it (at most 6 by 2.2 cm)."""
    return printed_image(settings.logo, 6, 2.2, opaque=True) if settings.logo else None


# A document's one style element (documents/_page.html's), taken out to be parsed once.
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
STYLESHEETS_KEPT = 32
_kept = threading.local()  # WeasyPrint's objects are not shared between threads


def _font_config() -> FontConfiguration:
    if not hasattr(_kept, "fonts"):
        _kept.fonts, _kept.stylesheets, _kept.images = FontConfiguration(), {}, {}
    return _kept.fonts


def _image_cache() -> dict:
    """WeasyPrint's decoded images by URL: a ``printed_image`` URL names its content, so a round's
    letters decode the office's images once."""
    _font_config()
    if len(_kept.images) > 4 * PRINTED_IMAGES_KEPT:
        _kept.images.clear()
    return _kept.images


def _stylesheet(text: str, base_url: str, fetcher: URLFetcher) -> CSS:
    fonts = _font_config()
    key = (text, base_url)
    if (sheet := _kept.stylesheets.get(key)) is None:
        if len(_kept.stylesheets) >= STYLESHEETS_KEPT:
            _kept.stylesheets.clear()
        sheet = _kept.stylesheets[key] = CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    return sheet


def png_data_uri(data: bytes | None, width_cm: float, height_cm: float) -> str | None:
    """A PNG kept by the portal (the signature, the stamp) as printed in a box of ``width_cm`` by
    ``height_cm``, with its transparency."""
    return printed_image(data, width_cm, height_cm) if data else None


def render_pdf(template_name: str, *, language: str = "id", **context) -> bytes:
    """Render ``template_name`` (extending ``documents/_page.html``) in ``language`` to PDF bytes,
    tagged (headings, paragraphs, tables, reading order) so screen readers and search read it."""
    request_context = contextlib.nullcontext() if has_request_context() else current_app.test_request_context()
    with request_context, force_locale(language):
        html = render_template(template_name, **context)
    base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
    fetcher = LocalFetcher(current_app.static_folder)
    styles = STYLE.findall(html)
    stylesheets = []
    if len(styles) == 1:  # the usual page: its stylesheet parsed once; any other shape as it is
        html = STYLE.sub("", html, count=1)
        stylesheets = [_stylesheet(styles[0], base_url, fetcher)]
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(pdf_tags=True, stylesheets=stylesheets, font_config=_font_config(),
                              cache=_image_cache())
