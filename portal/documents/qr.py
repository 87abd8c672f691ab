"""QR codes with segno: inline SVG for pages and PDFs, PNG bytes for email (mail clients drop SVG)."""

import io

import segno
from markupsafe import Markup


def qr_svg(data: str, scale: int = 4) -> Markup:
    """An ``<svg>`` element to put straight into a page or a PDF template."""
    # segno writes the SVG itself from the encoded modules; the data only shapes the squares.
    return Markup(segno.make(data, error="m").svg_inline(scale=scale, border=2, omitsize=True, svgclass="qr"))  # noqa: S704


def qr_png(data: str, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
