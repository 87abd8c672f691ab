"""Finding events, sessions, venues and guests for the pages and the calendar feeds. Lists load
sessions, venues and districts in a fixed number of queries, however many events there are."""

from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import search_condition
from portal.events.models import (
    VISIBLE_STATUSES,
    Event,
    EventKind,
    EventSession,
    EventStatus,
    GuestListEntry,
    ProgramArea,
    Venue,
)
from portal.events.services import local_moment, local_today
from portal.extensions import db


def venues_query():
    return select(Venue).options(selectinload(Venue.district)).order_by(Venue.name, Venue.id)


def guest_list_query(event: Event):
    return (select(GuestListEntry).where(GuestListEntry.event_id == event.id)
            .outerjoin(Cooperative).options(selectinload(GuestListEntry.cooperative))
            .order_by(func.coalesce(Cooperative.name, GuestListEntry.organisation_name), GuestListEntry.id))


def search_cooperatives(text: str, limit: int = 20) -> list[Cooperative]:
    text = (text or "").strip()
    if not text:
        return []
    query = (select(Cooperative).where(search_condition(text))
             .options(selectinload(Cooperative.district)).order_by(Cooperative.name).limit(limit))
    return list(db.session.scalars(query))


def _with_sessions(query):
    return query.options(selectinload(Event.sessions).selectinload(EventSession.venue).selectinload(Venue.district))


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def upcoming_query(kind: EventKind | None = None, program_area: ProgramArea | None = None,
                   district_id: int | None = None, month: date | None = None):
    """Published (and cancelled, so people learn of it) events that have not ended, soonest first."""
    query = select(Event).where(Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)))
    if month:
        first, last = month_bounds(month)
        query = query.where(Event.starts_on <= last, Event.ends_on >= max(first, local_today()))
    else:
        query = query.where(Event.ends_on >= local_today())
    if kind:
        query = query.where(Event.kind == kind)
    if program_area:
        query = query.where(Event.program_area == program_area)
    if district_id:
        query = query.where(Event.id.in_(select(EventSession.event_id).join(Venue)
                                          .where(Venue.district_id == district_id)))
    return _with_sessions(query.order_by(Event.starts_on, Event.id))


def organiser_query(status: EventStatus | None = None, search: str | None = None):
    query = select(Event)
    if status:
        query = query.where(Event.status == status)
    if search:
        query = query.where(Event.title.ilike(f"%{search.strip()}%"))
    return _with_sessions(query.order_by(Event.starts_on.desc(), Event.id.desc()))


def month_sessions(month: date) -> list[EventSession]:
    """Sessions of visible events that start in ``month`` (the office's calendar month), in one
    query: joins, not ``selectinload``, whose IN lists are cut into batches of 500."""
    first, last = month_bounds(month)
    start, end = local_moment(first, time(0, 0)), local_moment(last + timedelta(days=1), time(0, 0))
    query = (select(EventSession).join(Event)
             .where(Event.status.in_(VISIBLE_STATUSES), EventSession.starts_at >= start, EventSession.starts_at < end)
             .options(joinedload(EventSession.event), joinedload(EventSession.venue).joinedload(Venue.district))
             .order_by(EventSession.starts_at, EventSession.id))
    return list(db.session.scalars(query))


def feed_events() -> list[Event]:
    """What /events.ics carries: visible events that ended less than a year ago or are to come."""
    query = select(Event).where(Event.status.in_(VISIBLE_STATUSES),
                                Event.ends_on >= local_today() - timedelta(days=365))
    return list(db.session.scalars(_with_sessions(query.order_by(Event.starts_on, Event.id))))


def is_visible(event: Event) -> bool:
    return event.status in VISIBLE_STATUSES
