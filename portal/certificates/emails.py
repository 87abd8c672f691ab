"""Certificate mail, through the outbox: to each participant with an address, the certificate
attached as a PDF that the mail worker builds (``RENDERER``), never the request."""

from flask_babel import lazy_gettext as _l

from portal.mail.services import external_url, queue_email
from portal.offices.context import in_office_of
from portal.seams import CERTIFICATE_EMAIL_LINKS, registered

RENDERER = "certificate_pdf"
ATTACHMENT_NAME = _l("Certificate (PDF)")
SUBJECT = _l("Your certificate: %(title)s")


@in_office_of(lambda certificate: certificate.event.office)
def send_certificate(certificate) -> None:
    participant = certificate.registration.participant
    if not participant.email:
        return
    event = certificate.event
    # What later capabilities add (the evaluation's personal link), through the seam.
    links = [link for make in registered(CERTIFICATE_EMAIL_LINKS) if (link := make(certificate.registration))]
    queue_email(participant.email, "certificates/email/issued_to_participant", SUBJECT,
                subject_values={"title": event.title},
                to_name=participant.full_name, language="id", key=f"certificate:{certificate.id}:{participant.email}",
                concerns=("certificate", certificate.id), reply_to=event.contact_email,
                deferred_attachments=[(RENDERER, {"certificate_id": certificate.id})],
                certificate=certificate, event=event, recipient_name=participant.full_name, links=links,
                verify_link=external_url("certificates.verify", code=certificate.code),
                ticket_link=external_url("registrations.ticket", token=certificate.registration.token))
