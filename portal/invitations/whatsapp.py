"""Texts a board member or an organiser forwards on WhatsApp, and the wa.me links that open them.

WhatsApp reaches mobile numbers only: a landline gets the text to copy but no link.
"""

from urllib.parse import quote

import phonenumbers
from flask import render_template
from flask_babel import force_locale

from portal.accounts.services import normalise_phone
from portal.mail.services import external_url

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def whatsapp_number(phone: str | None) -> str | None:
    """"0812-3456-7890" or "+6281234567890" → "6281234567890"; None for landlines and nonsense."""
    try:
        e164 = normalise_phone(phone)
    except ValueError:
        return None
    if e164 is None or phonenumbers.number_type(phonenumbers.parse(e164)) not in MOBILE_TYPES:
        return None
    return e164.removeprefix("+")


def whatsapp_link(text: str, phone: str | None = None) -> str | None:
    """``https://wa.me/62…?text=…`` for one number, or ``https://wa.me/?text=…`` (WhatsApp asks
    whom to send it to, a group for example) when no phone is given; None for a landline."""
    if phone is None:
        return f"https://wa.me/?text={quote(text, safe='')}"
    number = whatsapp_number(phone)
    return f"https://wa.me/{number}?text={quote(text, safe='')}" if number else None


def invitation_text(event, link: str, addressee: str | None = None) -> str:
    """The short Indonesian invitation: the event, its first session and ``link`` (a personal
    answer link, or the event's page for a group)."""
    with force_locale("id"):
        return render_template("invitations/whatsapp.txt", event=event, link=link, addressee=addressee).strip()


def whatsapp_texts(event, invitations) -> dict[int, tuple[str, str | None]]:
    """For each invited cooperative with a phone: its personal text and the wa.me link (None for a
    landline, whose text can still be copied)."""
    texts = {}
    for invitation in invitations:
        cooperative = invitation.cooperative
        if cooperative is None or not cooperative.phone:
            continue
        link = external_url("invitations.rsvp", event_id=event.id, token=invitation.token)
        text = invitation_text(event, link, addressee=cooperative.name)
        texts[invitation.id] = (text, whatsapp_link(text, cooperative.phone))
    return texts


def group_text(event) -> tuple[str, str]:
    """One text for a WhatsApp group, with the event's public page instead of a personal link."""
    text = invitation_text(event, external_url("events.show", event_id=event.id))
    return text, whatsapp_link(text)
