"""Reminders before an event, to confirmed participants and to invitees who have not answered.

Each offset of ``Event.reminder_days`` is due from 08.00 office time on the day that many days
before the first session, until that session starts. ``send_due_reminders`` runs every few
minutes (the mail worker's pass, or ``flask send-reminders`` from cron): it claims each due
(event, offset) by inserting its ``ReminderRun`` with ``ON CONFLICT DO NOTHING``, so of two runs
at once only the one whose insert went in sends. Offsets that fell due together (an event
published late) are claimed together and send one reminder. Idempotency keys per (event, offset,
recipient) keep the outbox from ever holding the same reminder twice.

Organisers can also remind chosen non-responders now: once per invitation and address per
office day, so a double click sends nothing twice.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, select, true, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.accounts.policies import require_staff
from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events.models import Event, EventStatus
from portal.events.services import MAX_REMINDER_DAYS
from portal.extensions import db
from portal.invitations import emails
from portal.invitations.models import Invitation, ReminderRun
from portal.invitations.queries import owing_names
from portal.invitations.recipients import DEFAULT_LANGUAGE, addressees, usable_address
from portal.invitations.reminder_runs import claim_runs, due_offsets, local_day
from portal.invitations.services import has_ended
from portal.mail.queries import count_keyed
from portal.registrations.models import ACTIVE_STATUSES, Participant, Registration, RegistrationStatus


def _confirmed_participants(event_id: int) -> list[tuple]:
    """(registration id, ticket token, name, address, language) of each confirmed participant with an address."""
    rows = db.session.execute(
        select(Registration.id, Registration.token, Participant.full_name, Participant.email, User.preferred_language)
        .join(Participant, Registration.participant_id == Participant.id)
        .outerjoin(User, User.email == func.lower(Participant.email))
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
               Participant.email.is_not(None))
        .order_by(Registration.id))
    return [(registration_id, token, name, address, language or DEFAULT_LANGUAGE)
            for registration_id, token, name, email, language in rows if (address := usable_address(email))]


def _send(event: Event, key: str) -> int:
    """Queue the reminder to the event's confirmed participants and non-responders; returns how
    many messages are new (a key already in the outbox queues nothing)."""
    before = count_keyed(key + ":")
    emails.queue_participant_reminders(event, _confirmed_participants(event.id), key)
    emails.queue_guest_reminders(event, addressees(unanswered(event.id)), key)
    emails.queue_names_reminders(event, addressees(Invitation.event_id == event.id, owing_names()), f"{key}:names")
    return count_keyed(key + ":") - before


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder that is due and not yet sent; returns how many messages. The caller
    commits (and, on SQLite, should have begun a write transaction)."""
    now = now or utcnow()
    today = local_day(now)
    events = list(db.session.scalars(
        select(Event).where(Event.status == EventStatus.PUBLISHED, Event.starts_on >= today,
                            Event.starts_on <= today + timedelta(days=MAX_REMINDER_DAYS))
        .options(selectinload(Event.sessions)).order_by(Event.id)))
    sent = {tuple(row) for row in db.session.execute(select(ReminderRun.event_id, ReminderRun.days_before)
                                                     .where(ReminderRun.event_id.in_([e.id for e in events])))}
    total = 0
    for event in events:
        due = [days for days in due_offsets(event, now) if (event.id, days) not in sent]
        claimed = claim_runs(event, due, now) if due else []
        if not claimed:
            continue
        count = _send(event, f"reminder:{event.id}:{min(claimed)}:{event.sequence}")
        db.session.execute(update(ReminderRun).where(ReminderRun.event_id == event.id,
                                                     ReminderRun.days_before.in_(claimed)).values(message_count=count))
        total += count
    return total


def _require_remindable(actor, event: Event, now: datetime) -> None:
    require_staff(actor)
    if event.status == EventStatus.CANCELLED:
        raise RuleViolation(None, _("This event has been cancelled."))
    if event.status != EventStatus.PUBLISHED or has_ended(event, now):
        raise RuleViolation(None, _("This event has ended."))


def unanswered(event_id: int):
    """SQL: invitations of the event without an answer whose cooperative has not signed anyone up
    either (a board that signs people up from "My cooperative" has answered in deed)."""
    signed_up = exists().where(Registration.event_id == Invitation.event_id,
                               Registration.cooperative_id == Invitation.cooperative_id,
                               Registration.status.in_(ACTIVE_STATUSES))
    return and_(Invitation.event_id == event_id, Invitation.answer.is_(None), ~signed_up)


def non_responders_query(event_id: int):
    """The event's unanswered invitations, by name; the caller paginates."""
    return (select(Invitation).where(unanswered(event_id))
            .options(selectinload(Invitation.cooperative).selectinload(Cooperative.district))
            .order_by(Invitation.sort_name, Invitation.id))


def remind_non_responders(actor, event: Event, invitation_ids: list[int] | None, now: datetime | None = None) -> int:
    """Remind the chosen unanswered invitations of ``event`` now (``None``: all of them); answered
    ones and other events' are left out. Returns how many messages are new: an address already
    reminded this way today is not reminded again."""
    now = now or utcnow()
    _require_remindable(actor, event, now)
    conditions = [unanswered(event.id)]
    if invitation_ids is not None:
        conditions.append(Invitation.id.in_(list(invitation_ids)))
    found = addressees(*conditions)
    if not found:
        raise RuleViolation(None, _("Choose at least one invitation that has not been answered."))
    key = f"reminder-now:{event.id}:{local_day(now).isoformat()}"
    before = count_keyed(key + ":")
    emails.queue_guest_reminders(event, found, key)
    count = count_keyed(key + ":") - before
    record_change(actor, "invitations.reminded", event,
                  after={"invitations": [a.invitation_id for a in found], "messages": count})
    return count


def on_event_rescheduled(event: Event, **_kwargs) -> None:
    """Moving the event moves its reminders: offsets that are not due under the new schedule are
    released, to go out again on their new day (their messages' keys carry the event's SEQUENCE)."""
    due = due_offsets(event, utcnow())
    db.session.execute(delete(ReminderRun).where(
        ReminderRun.event_id == event.id, ReminderRun.days_before.not_in(due) if due else true()))
