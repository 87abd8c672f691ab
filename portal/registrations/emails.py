"""Registration mail, through the outbox: to the participant when they have an address and to
the board member who signed them up. Each message has an idempotency key, so a state is
announced once per person and recipient however often the code path runs."""

from flask_babel import lazy_gettext as _l

from portal.events.calendar import build_calendar
from portal.mail.services import external_url, queue_email
from portal.registrations import tickets
from portal.registrations.seats import waitlist_position

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


def _recipients(registration):
    """(email, name, language, audience) for the participant and the board member, once each."""
    seen = set()
    participant = registration.participant
    if participant.email:
        seen.add(participant.email.lower())
        yield participant.email, participant.full_name, "id", "participant"
    user = registration.signed_up_by
    if user is not None and user.email.lower() not in seen:
        yield user.email, user.full_name, user.preferred_language, "board"


def _queue(registration, what: str, key: str, **context) -> None:
    event = registration.event
    attachments = []
    if what in ("confirmed", "promoted", "rescheduled") and registration.holds_seat:
        attachments = [("event.ics", "text/calendar", build_calendar([event]))]
    parts = tickets.email_parts(registration) if what in ("confirmed", "promoted") else []
    attachments += [image for part in parts for image in part.inline_images(registration)]
    template = "status" if what not in ("rescheduled", "event_cancelled") else "event_changed"
    for email, name, language, audience in _recipients(registration):
        queue_email(email, f"registrations/email/{template}_to_{audience}", SUBJECTS[what],
                    subject_values={"title": event.title},
                    to_name=name, language=language, key=f"{key}:{email.lower()}",
                    concerns=("registration", registration.id), reply_to=event.contact_email,
                    attachments=attachments, what=what, registration=registration, event=event,
                    participant=registration.participant, recipient_name=name,
                    ticket_link=external_url("registrations.ticket", token=registration.token), ticket_parts=parts,
                    **context)


def send_status(registration) -> None:
    """The registration's current state: confirmed, pending, waitlisted, rejected, cancelled."""
    what = registration.status.value
    # The queue number is new when a cancelled registration is signed up again, so the new
    # state gets its email instead of being taken for a repeat of the old one.
    _queue(registration, what, f"{what}:{registration.id}:{registration.queue_number}",
           position=waitlist_position(registration))


def send_promoted(registration) -> None:
    _queue(registration, "promoted", f"promoted:{registration.id}", position=None)


def send_event_changed(registration, key: str) -> None:
    _queue(registration, "rescheduled", f"{key}:{registration.id}", position=None, reason=None)


def send_event_cancelled(registration, reason: str | None) -> None:
    _queue(registration, "event_cancelled", f"event-cancelled:{registration.id}", position=None, reason=reason)
