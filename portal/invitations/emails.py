"""Invitation mail, through the outbox in bulk: one message per recipient address, rendered once
per invitation and language, written in one statement. The event's part of the body is rendered
once per language; the .ics is built by the worker at delivery (so it carries the event's
SEQUENCE as it is then).

Idempotency keys make each message once per invitation, address and change: sending again, or
a signal handled twice, queues nothing new.
"""

import hashlib

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.events.calendar import build_calendar
from portal.events.forms import KIND_LABELS
from portal.events.models import Event
from portal.extensions import db
from portal.i18n import format_local_datetime
from portal.invitations.models import Invitation
from portal.invitations.recipients import Addressee
from portal.mail.services import PreparedEmail, external_url, queue_emails, render_email
from portal.registrations.services import registration_closes_at
from portal.settings.services import get_office_settings

INVITATION_TEMPLATE = "invitations/email/invitation_to_guest"
CHANGED_TEMPLATE = "invitations/email/event_changed_to_guest"
CALENDAR_RENDERER = "invitations.calendar"
SUBJECTS = {
    "invitation": _l("Invitation: %(title)s"),
    "rescheduled": _l("Schedule changed: %(title)s"),
    "cancelled": _l("Event cancelled: %(title)s"),
}


def render_calendar(event_id: int) -> tuple[str, str, bytes]:
    """The deferred attachment: the event's calendar as it is when the worker sends."""
    return "invitation.ics", "text/calendar", build_calendar([db.session.get(Event, event_id)])


def _digest(email: str) -> str:
    """An address in a key: short and fixed-length, so a long address cannot overflow the key."""
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def answer_links(event_id: int, token: str) -> dict[str, str]:
    return {
        "page_link": external_url("invitations.rsvp", event_id=event_id, token=token),
        "accept_link": external_url("invitations.rsvp", event_id=event_id, token=token, answer="accepted"),
        "decline_link": external_url("invitations.rsvp", event_id=event_id, token=token, answer="declined"),
    }


class _EventDetails:
    """The event's part of the body (sessions, places, contact), rendered once per language."""

    def __init__(self, event: Event, office):
        self.event, self.office, self.rendered = event, office, {}

    def __call__(self, language: str) -> dict:
        if language not in self.rendered:
            with force_locale(language):
                context = {"event": self.event, "kind": KIND_LABELS[self.event.kind], "office": self.office}
                self.rendered[language] = {
                    # autoescaped by its .html template, so safe to put into the body as it is
                    "details_html": Markup(render_template("invitations/email/_event.html", **context)),  # noqa: S704
                    "details_text": render_template("invitations/email/_event.txt", **context),
                    "answer_by": format_local_datetime(registration_closes_at(self.event)),
                }
        return self.rendered[language]


def _queue(event: Event, addressees: list[Addressee], what: str, template: str, key: str, **context) -> int:
    # Templates read the office's settings through ``office()``, one query a call; a send renders
    # thousands of bodies, so they all read the one row held here.
    settings = get_office_settings()
    context["office"] = lambda: settings
    details = _EventDetails(event, context["office"])
    emails = []
    for addressee in addressees:
        rendered = {}
        for recipient in addressee.recipients:
            if recipient.language not in rendered:
                rendered[recipient.language] = render_email(
                    template, SUBJECTS[what], recipient.language, subject_values={"title": event.title},
                    event=event, what=what, guest_name=addressee.guest_name,
                    is_cooperative=addressee.cooperative_id is not None, what_to_bring=addressee.what_to_bring,
                    **answer_links(event.id, addressee.token), **details(recipient.language), **context)
            subject, text, html = rendered[recipient.language]
            emails.append(PreparedEmail(
                to=recipient.email, to_name=recipient.name, subject=subject, body_text=text, body_html=html,
                template=template, key=f"{key}:{addressee.invitation_id}:{_digest(recipient.email)}",
                concerns_type=Invitation.__tablename__, concerns_id=str(addressee.invitation_id),
                deferred_attachments=((CALENDAR_RENDERER, {"event_id": event.id}),)))
    queue_emails(emails)
    return len(emails)


def queue_invitations(event: Event, addressees: list[Addressee]) -> int:
    """The invitation, to every address of each invitee; returns how many messages."""
    return _queue(event, addressees, "invitation", INVITATION_TEMPLATE, "invitation")


def queue_rescheduled(event: Event, addressees: list[Addressee], session) -> int:
    """The new schedule, once per moved session and change (its SEQUENCE)."""
    return _queue(event, addressees, "rescheduled", CHANGED_TEMPLATE,
                  f"invitation-rescheduled:{session.id}:{session.sequence}", reason=None)


def queue_cancelled(event: Event, addressees: list[Addressee], reason: str | None) -> int:
    return _queue(event, addressees, "cancelled", CHANGED_TEMPLATE, "invitation-cancelled", reason=reason)
