"""How attendance plugs into the capabilities before it, which import none of it: the check-in QR
code and short code on tickets and confirmation emails, and the events a cooperative's people
attended on the cooperative's page."""

from flask_login import user_logged_out

from portal.attendance import queries, self_check_in, services
from portal.database import clock_now
from portal.documents.qr import qr_png
from portal.events.models import EventStatus
from portal.registrations.tickets import TicketPart
from portal.seams import COOPERATIVE_PAGE_PARTS, TICKET_PARTS, register

# The html part of the email shows the image as cid:check-in-qr@portal-koperasi.
QR_CONTENT_ID = "check-in-qr@portal-koperasi"


def check_in_qr_image(registration) -> list[tuple[str, str, bytes, str]]:
    """The QR code as a PNG shown inline: mail clients drop SVG and data: URIs."""
    return [("check-in-qr.png", "image/png", qr_png(services.check_in_url(registration)), QR_CONTENT_ID)]


def shows_check_in(registration) -> bool:
    """A ticket holding a seat, until the event is completed or cancelled."""
    return registration.holds_seat and registration.event.status == EventStatus.PUBLISHED


TICKET_PART = TicketPart(page_template="attendance/_ticket.html",
                         email_html_template="attendance/email/_ticket.html",
                         email_text_template="attendance/email/_ticket.txt",
                         inline_images=check_in_qr_image, applies=shows_check_in)


def _revoke_sheet_tokens(sender, user, **extra) -> None:
    """At logout (flask-login's ``user_logged_out``, inside the logout's transaction): the
    offline sheets' tokens of that user end with the login."""
    from portal.attendance.offline import revoke_sheet_tokens

    revoke_sheet_tokens(user, clock_now())


def self_check_in_open(registration):
    """The ticket page's "Saya hadir": the sessions whose self check-in is open now."""
    return self_check_in.open_for_ticket(registration, clock_now())


def register_subscriptions(app) -> None:
    user_logged_out.connect(_revoke_sheet_tokens, weak=False)
    register(app, TICKET_PARTS, TICKET_PART)
    register(app, COOPERATIVE_PAGE_PARTS, "attendance/_cooperative.html")
    app.jinja_env.globals.update(check_in_url=services.check_in_url, attended_events=queries.attended_events,
                                 self_check_in_open=self_check_in_open)
