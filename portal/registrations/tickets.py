"""What a ticket carries: the random token of its page, a short code to type at the door, and the
parts later capabilities add (attendance: the check-in QR code) at the ``TICKET_PARTS`` seam,
so registrations imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.events.models import EventStatus
from portal.extensions import db
from portal.registrations.models import Registration, random_check_in_code
from portal.seams import TICKET_PARTS, registered


def normalise_code(text: str | None) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def assign_check_in_code(registration: Registration) -> str:
    """Give a new ``registration`` a code no other registration of its event has. Call it with the
    event locked (as every registration change is), so two sign-ups cannot draw the same code.
    (The column's own default is random too, but only this checks the event's other codes.)"""
    while True:
        code = random_check_in_code()
        taken = db.session.scalar(select(Registration.id).where(
            Registration.event_id == registration.event_id, Registration.check_in_code == code))
        if taken is None:
            registration.check_in_code = code
            return code


def holds_seat_at_an_event_still_on(registration: Registration) -> bool:
    return registration.holds_seat and registration.event.status != EventStatus.CANCELLED


@dataclass(frozen=True)
class TicketPart:
    """Something a later capability adds to tickets: a template included in the ticket page and,
    optionally, one in the html and one in the text of the emails that confirm a seat, with the
    inline images those emails show, as ``(filename, content_type, bytes, content_id)``.
    ``applies`` says which tickets get it: by default those holding a seat at an event still on."""

    page_template: str
    email_html_template: str | None = None
    email_text_template: str | None = None
    inline_images: Callable[[Registration], list[tuple[str, str, bytes, str]]] = field(default=lambda _r: [])
    applies: Callable[[Registration], bool] = holds_seat_at_an_event_still_on


def ticket_parts(registration: Registration) -> list[TicketPart]:
    """The parts shown on ``registration``'s ticket page."""
    return [part for part in registered(TICKET_PARTS) if part.applies(registration)]


def email_parts(registration: Registration) -> list[TicketPart]:
    """The parts the emails confirming ``registration``'s seat carry."""
    return [part for part in ticket_parts(registration) if part.email_html_template]
