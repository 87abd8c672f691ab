"""Finding events, sessions, venues and guests for the pages and the calendar feeds. Lists load
sessions, venues and districts in a fixed number of queries, however many events there are."""

from datetime import date, time, timedelta

from flask import current_app
from sqlalchemy import Date, and_, case, cast, func, literal, literal_column, select
from sqlalchemy.orm import joinedload, selectinload

from portal.cooperatives.models import Cooperative, District
from portal.events.models import (
    LISTED_SQL,
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
from portal.i18n import to_local
from portal.offices.models import office_regencies
from portal.offices.scope import scoped


def venues_query(actor=None, *, write: bool = False):
    """The venues in the districts of the offices ``actor`` reads (or changes)."""
    return scoped(select(Venue), Venue, actor, write=write).options(selectinload(Venue.district)).order_by(
        Venue.name, Venue.id)


def guest_list_query(event: Event):
    return (select(GuestListEntry).where(GuestListEntry.event_id == event.id)
            .outerjoin(Cooperative).options(selectinload(GuestListEntry.cooperative))
            .order_by(func.coalesce(Cooperative.name, GuestListEntry.organisation_name), GuestListEntry.id))


def _with_sessions(query):
    return query.options(selectinload(Event.sessions).selectinload(EventSession.venue).selectinload(Venue.district))


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def in_offices(query, office_id: int | None = None, regency_id: int | None = None):
    """Events of one office, or of the offices covering one regency: the public filters."""
    if office_id:
        query = query.where(Event.office_id == office_id)
    if regency_id:
        query = query.where(Event.office_id.in_(select(office_regencies.c.office_id).where(
            office_regencies.c.regency_id == regency_id)))
    return query


LISTED = literal_column(f"events.{LISTED_SQL}")  # as ix_events_visible_starts_on says it


def _not_ended(listed, since: date):
    """``Event.ends_on >= since`` for the events of ``listed`` (the list's query, filters and all),
    with a bound an index can walk in start order: a start on or after the earliest start of those
    under way on ``since`` (or ``since`` itself), so the list reads its events from there in
    ``ix_events_visible_starts_on`` instead of sorting every coming event in the country. On
    PostgreSQL the events under way come through the GiST index of their days as a range
    (``ix_events_days``); the subquery is fenced (OFFSET 0) so its minimum is taken over them. One
    long event under way (a year's programme) moves the bound back for the lists it is in."""
    if db.session.get_bind().dialect.name == "postgresql":
        days = func.daterange(Event.starts_on, Event.ends_on, literal_column("'[]'"))
        under_way = days.op("@>")(cast(literal(since), Date))
    else:
        under_way = and_(Event.starts_on < since, Event.ends_on >= since)
    starts = listed.with_only_columns(Event.starts_on).where(under_way).order_by(None).offset(0).subquery()
    earliest = select(func.min(starts.c.starts_on)).scalar_subquery()
    return and_(Event.ends_on >= since, Event.starts_on >= func.coalesce(earliest, since))


def upcoming_query(kind: EventKind | None = None, program_area: ProgramArea | None = None,
                   district_ids: list[int] | None = None, month: date | None = None,
                   office_id: int | None = None, regency_id: int | None = None):
    """Published (and cancelled, so people learn of it) events that have not ended, soonest first."""
    query = in_offices(select(Event).where(LISTED), office_id, regency_id)
    since = local_today()
    if month:
        first, last = month_bounds(month)
        query = query.where(Event.starts_on <= last)
        since = max(first, since)
    if kind:
        query = query.where(Event.kind == kind)
    if program_area:
        query = query.where(Event.program_area == program_area)
    if district_ids is not None:
        query = _in_districts(query, district_ids)
    return _with_sessions(query.where(_not_ended(query, since)).order_by(Event.starts_on, Event.id))


def organiser_query(status: EventStatus | None = None, search: str | None = None, actor=None):
    """The events of the offices ``actor`` reads, newest first."""
    query = scoped(select(Event), Event, actor)
    if status:
        query = query.where(Event.status == status)
    if search:
        query = query.where(Event.title.ilike(f"%{search.strip()}%"))
    return _with_sessions(query.order_by(Event.starts_on.desc(), Event.id.desc()))


# The month calendar shows this many sessions a day and "+ n more" for the rest.
SESSIONS_PER_DAY = 3


def _of_visible_event():
    """SQL: the session's event is visible, looked up through the events' primary key for each
    session the time index finds (a join would have the planner read every event of the country)."""
    return select(Event.status).where(Event.id == EventSession.event_id).scalar_subquery().in_(VISIBLE_STATUSES)


def _month_starts(month: date, office_id: int | None = None, regency_id: int | None = None, *columns):
    """The sessions of visible events that start in ``month`` (the office's calendar month):
    ``columns`` of them, through the sessions' time index."""
    first, last = month_bounds(month)
    start, end = local_moment(first, time(0, 0)), local_moment(last + timedelta(days=1), time(0, 0))
    query = select(*columns).where(_of_visible_event(), EventSession.starts_at >= start, EventSession.starts_at < end)
    if office_id or regency_id:  # the sessions' events are not joined here: ask through their ids
        query = query.where(EventSession.event_id.in_(in_offices(select(Event.id), office_id, regency_id)))
    return query


def month_stamp(month: date, office_id: int | None = None, regency_id: int | None = None) -> str | None:
    """Changes whenever the month calendar would: a session of the month added, removed or moved
    (their number, ids and sequences) or its event changed (the events' last ``updated_at``);
    None for a month without sessions. One aggregate over the month's sessions, each event
    looked up through its primary key."""
    changed = select(Event.updated_at).where(Event.id == EventSession.event_id).scalar_subquery()
    count, ids, sequences, last = db.session.execute(_month_starts(
        month, office_id, regency_id, func.count(EventSession.id), func.coalesce(func.sum(EventSession.id), 0),
        func.coalesce(func.sum(EventSession.sequence), 0), func.max(changed))).one()
    return f"{count}-{ids}-{sequences}-{last and last.timestamp()}" if count else None


def month_sessions(month: date, per_day: int = SESSIONS_PER_DAY, office_id: int | None = None,
                   regency_id: int | None = None) -> tuple[list[EventSession], dict[date, int]]:
    """Sessions of visible events that start in ``month`` (the office's calendar month): the
    first ``per_day`` of each day, and how many more each day has. Two queries, the page bounded
    however busy the month: the month's starts alone, then the shown sessions with their events,
    venues and districts (joins, not ``selectinload``, whose IN lists are cut into batches)."""
    starts = _month_starts(month, office_id, regency_id, EventSession.id, EventSession.starts_at).order_by(
        EventSession.starts_at, EventSession.id)
    shown, per_day_seen = [], {}
    for session_id, starts_at in db.session.execute(starts):
        day = to_local(starts_at).date()
        per_day_seen[day] = per_day_seen.get(day, 0) + 1
        if per_day_seen[day] <= per_day:
            shown.append(session_id)
    more = {day: n - per_day for day, n in per_day_seen.items() if n > per_day}
    query = (select(EventSession).where(EventSession.id.in_(shown))
             .options(joinedload(EventSession.event), joinedload(EventSession.venue).joinedload(Venue.district))
             .order_by(EventSession.starts_at, EventSession.id))
    return list(db.session.scalars(query)), more


# What /events.ics and the month calendar reach: from FEED_PAST_DAYS ago to FEED_FUTURE_DAYS ahead
# of the office's today (docs/architecture.md, "Bounded lists and feeds").
FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 365


def feed_window(today: date | None = None) -> tuple[date, date]:
    today = today or local_today()
    return today - timedelta(days=FEED_PAST_DAYS), today + timedelta(days=FEED_FUTURE_DAYS)


def _in_feed(query, window: tuple[date, date], district_id: int | None = None, office_id: int | None = None,
             regency_id: int | None = None):
    first, last = window
    query = query.where(Event.status.in_(VISIBLE_STATUSES), Event.ends_on >= first, Event.starts_on <= last)
    query = in_offices(query, office_id, regency_id)
    return _in_districts(query, [district_id]) if district_id else query


def drawn_in(days: list[tuple[date, int]], window: tuple[date, date], today: date,
             limit: int) -> tuple[date, date]:
    """``window``, or, when its ``days`` (a day and its number of sessions) hold more than
    ``limit`` sessions, the part of it that holds about ``limit``: the coming days first, soonest
    first, with a quarter of the room kept for the past (or what the coming ones leave), latest
    first. Whole days, so a day's sessions are all in or all out, and today always."""
    if sum(n for _day, n in days) <= limit:
        return window
    coming = sorted((day, n) for day, n in days if day >= today)
    gone = sorted(((day, n) for day, n in days if day < today), reverse=True)
    room = limit - min(sum(n for _day, n in gone), limit // 4)
    first = last = today
    used = 0
    for day, n in coming:
        if used + n > room and day > today:
            break
        used, last = used + n, day
    for day, n in gone:
        if used + n > limit:
            break
        used, first = used + n, day
    return first, last


def _in_districts(query, district_ids: list[int]):
    """Events with a session at a venue in one of ``district_ids``."""
    return query.where(Event.id.in_(select(EventSession.event_id).join(Venue)
                                    .where(Venue.district_id.in_(district_ids))))


def feed_query(window: tuple[date, date], district_id: int | None = None, office_id: int | None = None,
               regency_id: int | None = None):
    """What /events.ics carries, one row of plain values per session of the visible events within
    ``window`` (``drawn_in``; of one district, office or regency), ``calendar.make_entry``'s arguments
    less the link: no ORM object is built for a feed of thousands. The caller reads it in
    batches and writes the entries as they come."""
    order = (EventSession.starts_at, EventSession.id)
    query = (select(Event.id.label("event_id"), EventSession.uid.label("uid_token"), EventSession.sequence,
                    EventSession.starts_at, EventSession.ends_at, Event.title,
                    func.row_number().over(partition_by=Event.id, order_by=order).label("number"),
                    func.count().over(partition_by=Event.id).label("count"), Venue.name.label("venue"),
                    Venue.address, District.name.label("district"), Event.description,
                    (Event.status == EventStatus.CANCELLED).label("cancelled"))
             .join(EventSession, EventSession.event_id == Event.id).join(Venue, Venue.id == EventSession.venue_id)
             .outerjoin(District, District.id == Venue.district_id))
    return _in_feed(query, window, district_id, office_id, regency_id).order_by(Event.starts_on, Event.id, *order)


def feed_version(district_id: int | None = None, office_id: int | None = None,
                 regency_id: int | None = None) -> tuple[str, tuple[date, date]]:
    """The feed's window and a version that changes whenever the feed would: an event in the
    window added, changed (its ``updated_at``) or moved (its sessions' sequences), and with the
    window itself. The window is ``feed_window``, drawn in to ``FEED_MAX_SESSIONS`` sessions
    (``drawn_in``: a country's feed, of every office). One aggregate over the window, by day: an
    event counts on the day it ends if it is over, else on the day it starts (today if under way),
    so it is in a window drawn in to [first, last] exactly when that day is."""
    today = local_today()
    window = feed_window(today)
    day = case((Event.ends_on < today, Event.ends_on), (Event.starts_on < today, today), else_=Event.starts_on)
    query = select(day, func.count(EventSession.id), func.max(Event.updated_at),
                   func.coalesce(func.sum(EventSession.sequence), 0)).join(Event.sessions)
    rows = db.session.execute(_in_feed(query, window, district_id, office_id, regency_id).group_by(day)).all()
    first, last = drawn_in([(row[0], row[1]) for row in rows], window, today,
                           current_app.config["FEED_MAX_SESSIONS"])
    kept = [row for row in rows if first <= row[0] <= last]
    changed = max((row[2] for row in kept), default=None)
    version = (f"{first}-{last}-{district_id or 0}-{office_id or 0}-{regency_id or 0}-{sum(row[1] for row in kept)}"
               f"-{changed and changed.timestamp()}-{sum(row[3] for row in kept)}")
    return version, (first, last)


def next_event_month(today: date) -> date | None:
    """The first day of the month in which the next visible session starts, within the feed's
    window; None when nothing is coming."""
    _first, last = feed_window(today)
    start = db.session.scalar(select(func.min(EventSession.starts_at)).where(
        _of_visible_event(), EventSession.starts_at >= local_moment(today, time(0, 0)),
        EventSession.starts_at < local_moment(last + timedelta(days=1), time(0, 0))))
    return to_local(start).date().replace(day=1) if start else None


def is_visible(event: Event) -> bool:
    return event.status in VISIBLE_STATUSES
