"""How certificates plug into the capabilities before them: the mail worker's renderer for the
PDF, the certificate on the participant's ticket page and on the cooperative's page."""

from portal.certificates import documents, emails, services
from portal.registrations.tickets import TicketPart
from portal.seams import ATTACHMENT_NAMES, ATTACHMENT_RENDERERS, COOPERATIVE_PAGE_PARTS, TICKET_PARTS, register

# Every ticket may show one: a walk-in who completed the training has a ticket page too.
TICKET_PART = TicketPart(page_template="certificates/_ticket.html", applies=lambda _registration: True)


def register_subscriptions(app) -> None:
    register(app, ATTACHMENT_RENDERERS, (emails.RENDERER, documents.certificate_attachment))
    register(app, ATTACHMENT_NAMES, (emails.RENDERER, emails.ATTACHMENT_NAME))
    register(app, TICKET_PARTS, TICKET_PART)
    register(app, COOPERATIVE_PAGE_PARTS, "certificates/_cooperative.html")
    register(app, COOPERATIVE_PAGE_PARTS, "certificates/_cooperative_people.html")
    app.jinja_env.globals.update(valid_certificate_of=services.valid_certificate_of,
                                 cooperative_certificates=services.cooperative_certificates)
    app.jinja_env.filters.update(date_range=documents.format_date_range, hours=documents.format_hours)
