"""Which reminder offsets of an event are due, and taking them: shared by the reminders job and by
sending invitations (an invitation sent when an offset is already due counts as that reminder)."""

from datetime import date, datetime, time, timedelta

from portal.database import insert_ignoring_duplicates
from portal.events.models import Event, EventStatus
from portal.events.services import local_moment
from portal.extensions import db
from portal.i18n import office_zone
from portal.invitations.models import ReminderRun

SEND_FROM = time(8)
SOON = timedelta(days=3)


def local_day(moment: datetime) -> date:
    return moment.astimezone(office_zone()).date()


def due_offsets(event: Event, now: datetime) -> list[int]:
    """The event's reminder offsets that are due at ``now`` (sent or not), largest first."""
    first = event.first_session
    if event.status != EventStatus.PUBLISHED or first is None or now >= first.starts_at:
        return []
    day = local_day(first.starts_at)
    return [days for days in event.reminder_days if local_moment(day - timedelta(days=days), SEND_FROM) <= now]


def claim_runs(event: Event, offsets: list[int], now: datetime) -> list[int]:
    """Insert a run for each offset; returns the offsets this transaction inserted (a run that
    another transaction inserted first, committed or not, is skipped: on PostgreSQL this waits
    for that transaction to end)."""
    insert = insert_ignoring_duplicates(db.session, ReminderRun.__table__, "event_id", "days_before")
    rows = [{"event_id": event.id, "days_before": days, "message_count": 0, "created_at": now} for days in offsets]
    return list(db.session.scalars(insert.values(rows).returning(ReminderRun.days_before)))


def count_invitations_as_reminders(event: Event, now: datetime) -> list[int]:
    """For an event less than ``SOON`` away, the offsets already due when invitations go out: the
    invitation is that reminder, so the job does not send another right behind it. (Further
    ahead, a due reminder still goes, to those invited earlier who have not answered.)"""
    first = event.first_session
    if first is None or first.starts_at - now >= SOON:
        return []
    due = due_offsets(event, now)
    return claim_runs(event, due, now) if due else []
