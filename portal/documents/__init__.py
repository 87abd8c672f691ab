"""Printable documents shared by the capabilities: PDFs rendered from HTML templates (letters,
attendance sheets, certificates) and QR codes. Like mail, this package knows no feature."""


def register_template_helpers(app) -> None:
    """Page and document templates draw QR codes with ``qr_svg(url)`` and the logo with
    ``logo_src(office())``."""
    from portal.documents.pdf import logo_src, mark_src
    from portal.documents.qr import qr_svg

    app.jinja_env.globals.update(qr_svg=qr_svg, logo_src=logo_src, mark_src=mark_src)
