"""What the minutes' pages and the others' pages read: an event's minutes, the follow-ups due for
an organiser's home, a cooperative's open follow-ups."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.minutes.models import AgendaItem, EventPhoto, FollowUp, FollowUpStatus, Speaker
from portal.offices.scope import scoped

# Follow-ups due within this many days show on the home page (the overdue ones always do).
DUE_WITHIN_DAYS = 7
DUE_SHOWN = 10


@dataclass
class Minutes:
    speakers: list[Speaker]
    agenda: list[AgendaItem]
    follow_ups: list[FollowUp]
    photos: list[EventPhoto]


def minutes_of(event_id: int) -> Minutes:
    return Minutes(
        speakers=list(db.session.scalars(select(Speaker).where(Speaker.event_id == event_id).order_by(Speaker.id))),
        agenda=list(db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == event_id)
                                       .order_by(AgendaItem.position))),
        follow_ups=list(db.session.scalars(select(FollowUp).options(joinedload(FollowUp.cooperative))
                                           .where(FollowUp.event_id == event_id)
                                           .order_by(FollowUp.due_on, FollowUp.id))),
        photos=list(db.session.scalars(select(EventPhoto).where(EventPhoto.event_id == event_id)
                                       .order_by(EventPhoto.id))))


def followups_due(actor, today: date, within_days: int = DUE_WITHIN_DAYS, limit: int = DUE_SHOWN) -> list[FollowUp]:
    """Open follow-ups of the events ``actor``'s office reads that are overdue or due within
    ``within_days`` days, soonest first: one query, bounded."""
    query = (select(FollowUp).options(joinedload(FollowUp.cooperative), joinedload(FollowUp.event))
             .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_on <= today + timedelta(days=within_days))
             .order_by(FollowUp.due_on, FollowUp.id).limit(limit))
    return list(db.session.scalars(scoped(query, FollowUp, actor)))


def cooperative_follow_ups(cooperative_id: int, limit: int = 20) -> list[FollowUp]:
    """A cooperative's open follow-ups, soonest first, for its page and its board's inbox."""
    return list(db.session.scalars(
        select(FollowUp).options(joinedload(FollowUp.event))
        .where(FollowUp.cooperative_id == cooperative_id, FollowUp.status == FollowUpStatus.OPEN)
        .order_by(FollowUp.due_on, FollowUp.id).limit(limit)))
