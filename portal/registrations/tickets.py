"""What a ticket carries: the random token of its page, a short code to type at the door, and the
parts later capabilities add (attendance: the check-in QR code) through ``register_ticket_part``,
so registrations imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from portal.events.models import EventStatus
from portal.extensions import db
from portal.registrations.models import Registration, random_check_in_code

PARTS_KEY = "portal_ticket_parts"


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


@dataclass(frozen=True)
class TicketPart:
    """Something a later capability adds to every ticket that holds a seat: a template included in
    the ticket page, one in the html and one in the text of the emails that confirm a seat, and
    the inline images those emails show, as ``(filename, content_type, bytes, content_id)``."""

    page_template: str
    email_html_template: str
    email_text_template: str
    inline_images: Callable[[Registration], list[tuple[str, str, bytes, str]]] = field(default=lambda _r: [])


def register_ticket_part(app, part: TicketPart) -> None:
    parts = app.extensions.setdefault(PARTS_KEY, [])
    if part not in parts:
        parts.append(part)


def ticket_parts(registration: Registration) -> list[TicketPart]:
    """The parts shown on ``registration``'s ticket: only one that holds a seat at an event still on."""
    if not registration.holds_seat or registration.event.status == EventStatus.CANCELLED:
        return []
    return list(current_app.extensions.get(PARTS_KEY, []))
