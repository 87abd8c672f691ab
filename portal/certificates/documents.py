"""The certificate as a PDF (built in a request for a download, or by the mail worker for an
email), and the date and hour wording it shares with the verification page."""

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale

from portal.certificates.models import Certificate
from portal.documents.pdf import PDF_MIMETYPE, render_pdf
from portal.extensions import db
from portal.i18n import to_local
from portal.mail.services import external_url
from portal.offices.context import in_office_of


def _locale() -> str:
    return str(get_locale() or "id")


def format_date_range(start: date, end: date) -> str:
    """'1–3 Desember 2022', '29 November – 3 Desember 2022', or one day."""
    full = "d MMMM y"
    if start == end:
        return format_date(start, full, locale=_locale())
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, full, locale=_locale())}"
    first = format_date(start, "d MMMM" if start.year == end.year else full, locale=_locale())
    return f"{first} – {format_date(end, full, locale=_locale())}"


def format_hours(minutes: int) -> str:
    """Minutes as hours the local way: '7,5' in Indonesian, '7.5' in English."""
    return format_decimal(minutes / 60, "#,##0.#", locale=_locale())


@in_office_of(lambda certificate, language="id": certificate.event.office)
def certificate_pdf(certificate: Certificate, language: str = "id") -> bytes:
    return render_pdf("certificates/certificate.html", language=language, certificate=certificate,
                      event=certificate.event, day=to_local(certificate.issued_at).date(),
                      verify_link=external_url("certificates.verify", code=certificate.code))


def filename(certificate: Certificate) -> str:
    return f"sertifikat-{certificate.display_code}.pdf"


def certificate_attachment(certificate_id: int) -> tuple[str, str, bytes]:
    """The mail worker's renderer for a certificate email's attachment."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise LookupError(f"certificate {certificate_id} is gone")
    if certificate.revoked_at is not None:
        return None  # revoked while its email waited: no certificate goes out
    return filename(certificate), PDF_MIMETYPE, certificate_pdf(certificate)
