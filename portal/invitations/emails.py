"""Invitation mail, through the outbox in bulk: one message per recipient address, in the
recipient's language, all written in one statement. The .ics is built by the worker at delivery
(so it carries the event's SEQUENCE as it is then).

Idempotency keys make each message once per invitation, address and change: sending again, or
a signal handled twice, queues nothing new.
"""

import hashlib

from flask_babel import lazy_gettext as _l
from markupsafe import escape

from portal.events.calendar import build_calendar
from portal.events.models import Event
from portal.events.snapshots import event_from_snapshot, event_snapshot
from portal.extensions import db
from portal.invitations import letters
from portal.invitations.recipients import Addressee
from portal.mail.queries import unsent_messages
from portal.mail.services import PreparedEmail, external_url, queue_emails, render_email
from portal.offices.context import in_office_of
from portal.registrations.eligibility import registration_closes_at
from portal.settings.services import get_office_settings, office_snapshot

INVITATION_TEMPLATE = "invitations/email/invitation_to_guest"
CHANGED_TEMPLATE = "invitations/email/event_changed_to_guest"
GUEST_REMINDER_TEMPLATE = "invitations/email/reminder_to_guest"
PARTICIPANT_REMINDER_TEMPLATE = "invitations/email/reminder_to_participant"
NAMES_OWED_TEMPLATE = "invitations/email/names_owed_to_guest"
CALENDAR_RENDERER = "invitations.calendar"
LETTER_RENDERER = "invitations.letter"
CALENDAR_NAME = _l("Event calendar (.ics)")
LETTER_NAME = _l("Invitation letter (PDF)")
SUBJECTS = {
    "invitation": _l("Invitation: %(title)s"),
    "rescheduled": _l("Schedule changed: %(title)s"),
    "cancelled": _l("Event cancelled: %(title)s"),
    "reminder": _l("Reminder: %(title)s"),
}


def render_calendar(event_id: int, snapshot: dict | None = None) -> tuple[str, str, bytes]:
    """The deferred attachment: the event's calendar as the message's body tells it (its snapshot),
    or, for a message queued before snapshots, as it is when the worker sends."""
    event = event_from_snapshot(snapshot["event"]) if snapshot else db.session.get(Event, event_id)
    return "invitation.ics", "text/calendar", build_calendar([event])


def _digest(email: str) -> str:
    """An address in a key: short and fixed-length, so a long address cannot overflow the key."""
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def answer_links(event_id: int, token: str) -> dict[str, str]:
    return {
        "page_link": external_url("invitations.rsvp", event_id=event_id, token=token),
        "accept_link": external_url("invitations.rsvp", event_id=event_id, token=token, answer="accepted"),
        "decline_link": external_url("invitations.rsvp", event_id=event_id, token=token, answer="declined"),
    }


# The personal fields of a body, as rendered into the shared copy and filled in per invitation.
# The token placeholder is URL-safe, so url_for and HTML escaping leave it as it is.
NAME_PLACEHOLDER = "\u27e6guest_name\u27e7"
TOKEN_PLACEHOLDER = "INVITATIONxTOKENxPLACEHOLDER"  # noqa: S105 (a placeholder, not a secret)


class _MailMerge:
    """Bodies rendered once per language and kind of invitee, then filled in per invitation: only
    the invitee's name and the token in its links differ, and the name is escaped for the HTML
    body. A send to 5,000 cooperatives renders a handful of templates, not 10,000. Templates must
    print ``guest_name`` and the links as they are (no filters)."""

    def __init__(self, event: Event, what: str, template: str, context: dict):
        self.event, self.what, self.template, self.context, self.shared = event, what, template, context, {}

    def __call__(self, addressee: Addressee, language: str) -> tuple[str, str, str]:
        variant = (language, addressee.cooperative_id is not None, addressee.what_to_bring)
        if variant not in self.shared:
            self.shared[variant] = render_email(
                self.template, SUBJECTS[self.what], language, subject_values={"title": self.event.title},
                event=self.event, what=self.what, kind=self.event.kind.label, guest_name=NAME_PLACEHOLDER,
                is_cooperative=variant[1], what_to_bring=variant[2], answer_by=registration_closes_at(self.event),
                **answer_links(self.event.id, TOKEN_PLACEHOLDER), **self.context)
        subject, text, html = self.shared[variant]
        text = text.replace(NAME_PLACEHOLDER, addressee.guest_name).replace(TOKEN_PLACEHOLDER, addressee.token)
        html = html.replace(NAME_PLACEHOLDER, str(escape(addressee.guest_name))).replace(TOKEN_PLACEHOLDER,
                                                                                          addressee.token)
        return subject, text, html


@in_office_of(lambda event, *args, **kwargs: event.office)
def _queue(event: Event, addressees: list[Addressee], what: str, template: str, key: str, *,
           with_letter: bool = False, **context) -> int:
    # Templates read the office's settings through ``office()``, one query a call: hold the row.
    settings = get_office_settings()
    merge = _MailMerge(event, what, template, {**context, "office": lambda: settings})
    shared = {"event": event_snapshot(event), "office": office_snapshot()}
    # A reminder or change notice never overtakes the invitation it follows.
    unsent = {} if what == "invitation" else unsent_messages(
        "invitation", [a.invitation_id for a in addressees], INVITATION_TEMPLATE)
    emails = []
    for addressee in addressees:
        attachments = ((CALENDAR_RENDERER, {"event_id": event.id}),)
        snapshot = shared
        if with_letter:
            attachments += ((LETTER_RENDERER, {"invitation_id": addressee.invitation_id}),)
            line = letters.addressee_line(addressee.guest_name if addressee.cooperative_id else None,
                                          addressee.guest_name)
            snapshot = {**shared, "letter": letters.letter_snapshot(
                addressee.letter_number, addressee.letter_dated, line, addressee.what_to_bring)}
        for recipient in addressee.recipients:
            subject, text, html = merge(addressee, recipient.language)
            emails.append(PreparedEmail(
                to=recipient.email, to_name=recipient.name, subject=subject, body_text=text, body_html=html,
                template=template, key=f"{key}:{addressee.invitation_id}:{_digest(recipient.email)}",
                concerns_kind="invitation", concerns_id=str(addressee.invitation_id),
                deferred_attachments=attachments, snapshot=snapshot, language=recipient.language,
                reply_to=event.contact_email,
                after_message_id=unsent.get((str(addressee.invitation_id), recipient.email))))
    queue_emails(emails)
    return len(emails)


def queue_invitations(event: Event, addressees: list[Addressee]) -> int:
    """The invitation, to every address of each invitee; returns how many messages."""
    return _queue(event, addressees, "invitation", INVITATION_TEMPLATE, "invitation", with_letter=True)


def queue_rescheduled(event: Event, addressees: list[Addressee], session) -> int:
    """The new schedule, once per moved session and change (its SEQUENCE)."""
    return _queue(event, addressees, "rescheduled", CHANGED_TEMPLATE,
                  f"invitation-rescheduled:{session.id}:{session.sequence}", reason=None)


def queue_cancelled(event: Event, addressees: list[Addressee], reason: str | None) -> int:
    return _queue(event, addressees, "cancelled", CHANGED_TEMPLATE, "invitation-cancelled", reason=reason)


def queue_guest_reminders(event: Event, addressees: list[Addressee], key: str) -> int:
    """A reminder to answer, with the answer links, to every address of each invitee."""
    return _queue(event, addressees, "reminder", GUEST_REMINDER_TEMPLATE, key)


@in_office_of(lambda event, *args, **kwargs: event.office)
def queue_names_reminders(event: Event, addressees: list[Addressee], key: str) -> int:
    """A reminder to give the names still owed, with the answer page's link, to each invitee's addresses."""
    return _queue(event, addressees, "reminder", NAMES_OWED_TEMPLATE, key)


@in_office_of(lambda event, *args, **kwargs: event.office)
def queue_participant_reminders(event: Event, participants, key: str) -> int:
    """A reminder to each participant ``(registration_id, ticket_token, name, email, language)``,
    with their ticket link."""
    settings = get_office_settings()
    emails = []
    for registration_id, ticket_token, name, email, language in participants:
        subject, text, html = render_email(
            PARTICIPANT_REMINDER_TEMPLATE, SUBJECTS["reminder"], language, subject_values={"title": event.title},
            event=event, kind=event.kind.label, recipient_name=name, office=lambda: settings,
            ticket_link=external_url("registrations.ticket", token=ticket_token))
        emails.append(PreparedEmail(
            to=email, to_name=name, subject=subject, body_text=text, body_html=html,
            template=PARTICIPANT_REMINDER_TEMPLATE, key=f"{key}:registration:{registration_id}",
            language=language, reply_to=event.contact_email,
            concerns_kind="registration", concerns_id=str(registration_id)))
    queue_emails(emails)
    return len(emails)
