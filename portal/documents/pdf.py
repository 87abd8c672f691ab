"""HTML templates to PDF with WeasyPrint, inside or outside a request (the mail worker has none)."""

import base64
import contextlib
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from weasyprint import HTML
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
    document = HTML(string=html, base_url=base_url, url_fetcher=LocalFetcher(current_app.static_folder))
    return document.write_pdf(pdf_tags=True)
