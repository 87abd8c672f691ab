"""HTML templates to PDF with WeasyPrint, inside or outside a request (the mail worker has none).

What is the same for every document is made once per thread and reused: WeasyPrint's font
configuration (its font map, which otherwise loads and measures the fonts again for each
document) and the parsed stylesheet of each template's ``<style>`` (the same for every letter of a
round; parsed once and given to WeasyPrint as a stylesheet object). A round of letters thus pays
only for laying out and writing each letter.
"""

import base64
import contextlib
import re
import threading
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

PDF_MIMETYPE = "application/pdf"


class ForbiddenResource(ValueError):
    """A document asked for something outside the app's static folder; nothing is fetched."""


class LocalFetcher(URLFetcher):
    """Documents may load data: URIs and files of the static folder, never the network."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols={"data", "file"})
        self.static = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not path.is_relative_to(self.static):
                raise ForbiddenResource(url)
        elif not url.startswith("data:"):
            raise ForbiddenResource(url)
        return super().fetch(url, headers)


def logo_data_uri(settings) -> str | None:
    """The office logo, embedded so the document needs no request to the app."""
    if not settings.logo:
        return None
    return f"data:{settings.logo_mimetype};base64,{base64.b64encode(settings.logo).decode()}"


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


def png_data_uri(data: bytes | None) -> str | None:
    """A PNG kept by the portal (the signature, the stamp), embedded in the document."""
    return f"data:image/png;base64,{base64.b64encode(data).decode()}" if data else None


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
    return document.write_pdf(pdf_tags=True, stylesheets=stylesheets, font_config=_font_config())
