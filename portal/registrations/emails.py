"""Registration mail, through the outbox: to each participant who has an address, their own
message (with the ticket and calendar entry), and to each board member one message per action
listing everyone it concerns (a sign-up of three people is one email, not three). Each message
has an idempotency key, so a state is announced once per person and recipient however often the
code path runs."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.events.calendar import build_calendar
from portal.mail.services import external_url, queue_email
from portal.offices.context import in_office_of
from portal.registrations import tickets
from portal.registrations.models import RegistrationStatus
from portal.registrations.queries import waitlist_positions

SUBJECTS = {
    "confirmed": _l("Registration confirmed: %(title)s"),
    "pending": _l("Registration received, awaiting approval: %(title)s"),
    "waitlisted": _l("On the waiting list: %(title)s"),
    "promoted": _l("A seat has become free for you: %(title)s"),
    "rejected": _l("Registration not approved: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "rescheduled": _l("Schedule changed: %(title)s"),
    "event_cancelled": _l("Event cancelled: %(title)s"),
}
MIXED_SUBJECT = _l("Registrations for %(title)s")
EVENT_WIDE = ("rescheduled", "event_cancelled")


@dataclass(frozen=True)
class Notice:
    """One registration's news: what happened, and the key that makes it once."""

    registration: object
    what: str
    key: str
    position: int | None = None

    @property
    def participant(self):
        return self.registration.participant

    @property
    def ticket_link(self) -> str:
        return external_url("registrations.ticket", token=self.registration.token)


def _attachments(notice: Notice) -> list:
    registration, what = notice.registration, notice.what
    event = registration.event
    attachments = []
    if what in ("confirmed", "promoted", "rescheduled") and registration.holds_seat:
        attachments = [("event.ics", "text/calendar", build_calendar([event]))]
    elif what in ("cancelled", "event_cancelled"):
        attachments = [("event.ics", "text/calendar", build_calendar([event], cancelled=True))]
    return attachments


def _template(what: str, audience: str) -> str:
    return f"registrations/email/{'event_changed' if what in EVENT_WIDE else 'status'}_to_{audience}"


def _to_participant(notice: Notice, **context) -> None:
    participant, event = notice.participant, notice.registration.event
    if not participant.email:
        return
    registration = notice.registration
    parts = tickets.email_parts(registration) if notice.what in ("confirmed", "promoted") else []
    images = [image for part in parts for image in part.inline_images(registration)]
    queue_email(participant.email, _template(notice.what, "participant"), SUBJECTS[notice.what],
                subject_values={"title": event.title}, to_name=participant.full_name, language="id",
                key=f"{notice.key}:{participant.email.lower()}", concerns=("registration", registration.id),
                reply_to=event.contact_email, attachments=_attachments(notice) + images, what=notice.what,
                registration=registration, event=event, participant=participant,
                recipient_name=participant.full_name, ticket_link=notice.ticket_link, ticket_parts=parts,
                position=notice.position, **context)


def _to_boards(notices: list[Notice], **context) -> None:
    """One message to each board member who signed any of these people up, listing them."""
    by_board = defaultdict(list)
    for notice in notices:
        user = notice.registration.signed_up_by
        own = (notice.participant.email or "").lower()
        if user is not None and user.email.lower() != own:  # who signed themselves up has their own
            by_board[user].append(notice)
    for user, theirs in by_board.items():
        event = theirs[0].registration.event
        whats = {notice.what for notice in theirs}
        what = whats.pop() if len(whats) == 1 else None
        key = theirs[0].key
        if len(theirs) > 1:
            prefixes = {n.key.split(":")[0] for n in theirs}
            digest = hashlib.sha256("|".join(sorted(n.key for n in theirs)).encode()).hexdigest()[:24]
            key = f"{prefixes.pop() if len(prefixes) == 1 else 'board'}:board:{digest}"
        holder = next((n for n in theirs if n.registration.holds_seat), theirs[0])
        attachments = _attachments(holder) if what else []
        # One person: their check-in code too, as the participant gets it (the board may print it).
        parts = tickets.email_parts(holder.registration) if len(theirs) == 1 and what in ("confirmed", "promoted") \
            else []
        attachments += [image for part in parts for image in part.inline_images(holder.registration)]
        queue_email(user.email, _template(what or "", "board"), SUBJECTS[what] if what else MIXED_SUBJECT,
                    subject_values={"title": event.title}, to_name=user.full_name, language=user.preferred_language,
                    key=f"{key}:{user.email.lower()}",
                    concerns=("registration", theirs[0].registration.id), reply_to=event.contact_email,
                    attachments=attachments, notices=theirs, what=what, event=event, recipient_name=user.full_name,
                    registration=holder.registration, ticket_parts=parts, **context)


@in_office_of(lambda notices, **context: notices[0].registration.event.office if notices else None)
def _tell(notices: list[Notice], **context) -> None:
    for notice in notices:
        _to_participant(notice, **context)
    _to_boards(notices, **context)


def send_statuses(registrations, new_ticket: bool = False) -> None:
    """Each registration's current state (confirmed, pending, waitlisted, rejected, cancelled),
    from one action. The queue number is new when a cancelled registration is signed up again,
    so the new state gets its email instead of being taken for a repeat of the old one; with
    ``new_ticket`` (a substitute) the ticket is new too, and the key says so."""
    registrations = list(registrations)
    waiting = {r.event_id for r in registrations if r.status == RegistrationStatus.WAITLISTED}
    positions = waitlist_positions(waiting) if waiting else {}
    _tell([Notice(r, r.status.value, f"{r.status.value}:{r.id}:{r.queue_number}"
                  + (f":{hashlib.sha256(r.token.encode()).hexdigest()[:12]}" if new_ticket else ""),
                  positions.get(r.id))
           for r in registrations])


def send_status(registration) -> None:
    send_statuses([registration])


def send_promoted(registrations) -> None:
    _tell([Notice(r, "promoted", f"promoted:{r.id}") for r in registrations])


def send_event_changed(registrations, key: str) -> None:
    _tell([Notice(r, "rescheduled", f"{key}:{r.id}") for r in registrations], reason=None)


def send_event_cancelled(registrations, reason: str | None) -> None:
    _tell([Notice(r, "event_cancelled", f"event-cancelled:{r.id}") for r in registrations], reason=reason)


SUBSTITUTED_SUBJECT = _l("Someone else takes your place: %(title)s")


def send_substituted(registration, replaced) -> None:
    """A short notice to the person a substitute replaced (the substitute gets the ticket, as any
    confirmation): their ticket no longer works."""
    if not replaced.email:
        return
    event = registration.event
    queue_email(replaced.email, "registrations/email/substituted_to_participant", SUBSTITUTED_SUBJECT,
                subject_values={"title": event.title}, to_name=replaced.full_name, language="id",
                key=f"substituted:{registration.id}:{replaced.id}:{registration.participant_id}",
                concerns=("registration", registration.id), reply_to=event.contact_email, event=event,
                recipient_name=replaced.full_name, substitute=registration.participant.full_name,
                cooperative=registration.cooperative.name)
