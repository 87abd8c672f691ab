"""The rules of events: scheduling in the office's zone, the lifecycle, venues and guest lists.

Times come in as the office's local date and clock (what an organiser types) and are stored in
UTC. The event's days (``starts_on`` .. ``ends_on``) are explicit dates the organiser chooses;
each session must fall within them, so a typo in a session's date is caught instead of
silently stretching the event.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import CooperativeType, District
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events import signals
from portal.events.models import (
    DEFAULT_REMINDER_DAYS,
    Audience,
    AudienceStatus,
    Event,
    EventAudienceType,
    EventKind,
    EventSession,
    EventStatus,
    GuestListEntry,
    ProgramArea,
    Venue,
)
from portal.extensions import db
from portal.i18n import format_local_datetime, office_zone
from portal.offices.context import default_office
from portal.offices.scope import office_id_of, offices_read_by
from portal.seams import SEAT_COUNTERS, registered

EVENT_FIELDS = [
    "kind", "program_area", "title", "description", "facilitator", "contact_name", "contact_phone", "contact_email",
    "seats",
    "seats_per_cooperative", "starts_on", "ends_on", "registration_opens_at", "registration_closes_at",
    "cancellation_deadline_at", "audience", "audience_status", "requires_approval", "min_sessions_for_certificate",
    "reminder_days",
]
MAX_REMINDER_DAYS = 60
MAX_REMINDERS = 5
SESSION_FIELDS = ["starts_at", "ends_at", "venue_id"]
MAX_SHIFT_DAYS = 3660


@dataclass
class EventDetails:
    """What an organiser enters for an event; clock times are in the office's zone."""

    kind: EventKind
    title: str
    seats: int
    starts_on: date
    ends_on: date
    program_area: ProgramArea | None = None
    description: str = ""
    facilitator: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    seats_per_cooperative: int | None = None
    registration_opens_on: date | None = None
    registration_opens_time: time | None = None
    registration_closes_on: date | None = None
    registration_closes_time: time | None = None
    cancellation_deadline_on: date | None = None
    cancellation_deadline_time: time | None = None
    audience: Audience = Audience.ALL
    audience_status: AudienceStatus = AudienceStatus.ANY
    district_ids: list[int] = field(default_factory=list)
    cooperative_types: list[CooperativeType] = field(default_factory=list)
    requires_approval: bool = False
    min_sessions_for_certificate: int | None = None
    reminder_days: list[int] = field(default_factory=lambda: list(DEFAULT_REMINDER_DAYS))


def local_today() -> date:
    return utcnow().astimezone(office_zone()).date()


def local_moment(day: date, clock: time) -> datetime:
    """The UTC instant of ``clock`` on ``day`` in the office's zone."""
    return datetime.combine(day, clock, tzinfo=office_zone()).astimezone(UTC)


def local_parts(moment: datetime | None) -> tuple[date | None, time | None]:
    """``moment`` as the office's local date and clock, for a form."""
    if moment is None:
        return None, None
    local = moment.astimezone(office_zone())
    return local.date(), local.time().replace(second=0, microsecond=0)


def _optional_moment(day: date | None, clock: time | None, field_name: str, default_clock: time) -> datetime | None:
    if day is None:
        if clock is not None:
            raise RuleViolation(field_name, _("Enter a date for this time."))
        return None
    return local_moment(day, clock or default_clock)


def _apply_details(event: Event, details: EventDetails) -> bool:
    """Copy ``details`` onto ``event`` after checking them; True when anything changed."""
    if details.kind == EventKind.TRAINING and details.program_area is None:
        raise RuleViolation("program_area", _("Choose the program area of the training."))
    if details.ends_on < details.starts_on:
        raise RuleViolation("ends_on", _("The last day cannot be before the first day."))
    if details.seats < 1:
        raise RuleViolation("seats", _("An event needs at least one seat."))
    taken = seats_taken([event.id])[event.id] if event.id else 0
    if details.seats < taken:
        raise RuleViolation("seats", _("%(taken)d seats are already taken; the event cannot have fewer "
                                       "(you entered %(seats)d).", taken=taken, seats=details.seats))
    if details.seats_per_cooperative is not None and not 1 <= details.seats_per_cooperative <= details.seats:
        raise RuleViolation("seats_per_cooperative", _("Between 1 and the number of seats."))
    open_to_cooperatives = details.audience == Audience.ALL
    values = {
        "reminder_days": _reminder_days(details.reminder_days),
        "kind": details.kind,
        "program_area": details.program_area if details.kind == EventKind.TRAINING else None,
        "title": details.title.strip(),
        "description": (details.description or "").replace("\r\n", "\n").strip(),
        "facilitator": (details.facilitator or "").strip() or None,
        "contact_name": (details.contact_name or "").strip() or None,
        "contact_phone": (details.contact_phone or "").strip() or None,
        "contact_email": (details.contact_email or "").strip().lower() or None,
        "seats": details.seats,
        "seats_per_cooperative": details.seats_per_cooperative,
        "starts_on": details.starts_on,
        "ends_on": details.ends_on,
        "registration_opens_at": _optional_moment(details.registration_opens_on, details.registration_opens_time,
                                                  "registration_opens_on", time(0, 0)),
        "registration_closes_at": _optional_moment(details.registration_closes_on, details.registration_closes_time,
                                                   "registration_closes_on", time(23, 59)),
        "cancellation_deadline_at": _optional_moment(details.cancellation_deadline_on,
                                                     details.cancellation_deadline_time,
                                                     "cancellation_deadline_on", time(23, 59)),
        "audience": details.audience,
        "audience_status": details.audience_status if open_to_cooperatives else AudienceStatus.ANY,
        "requires_approval": bool(details.requires_approval),
        "min_sessions_for_certificate": details.min_sessions_for_certificate,
    }
    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if opens and closes and opens >= closes:
        raise RuleViolation("registration_opens_on", _("Registration must open before it closes."))
    changed = False
    for name, value in values.items():
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed = True
    districts = _districts(details.district_ids) if open_to_cooperatives else []
    if {d.id for d in event.audience_districts} != {d.id for d in districts}:
        event.audience_districts = districts
        changed = True
    types = sorted(set(details.cooperative_types)) if open_to_cooperatives else []
    if event.audience_types != types:
        event.audience_type_rows = [EventAudienceType(cooperative_type=t) for t in types]
        changed = True
    _check_schedule(event, event.sessions)
    return changed


def _reminder_days(days: list[int]) -> list[int]:
    days = sorted(set(days), reverse=True)
    if any(not 0 <= day <= MAX_REMINDER_DAYS for day in days):
        raise RuleViolation("reminder_days", _("Reminders go out between 0 and %(max)d days before the event.",
                                               max=MAX_REMINDER_DAYS))
    if len(days) > MAX_REMINDERS:
        raise RuleViolation("reminder_days", _("At most %(count)d reminders.", count=MAX_REMINDERS))
    return days


def _districts(ids: list[int]) -> list[District]:
    districts = list(db.session.scalars(select(District).where(District.id.in_(ids))))
    if len(districts) != len(set(ids)):
        raise RuleViolation("district_ids", _("Choose districts from the list."))
    return districts


def _check_schedule(event: Event, sessions: list[EventSession], field_name: str | None = None) -> None:
    """Every session within the event's days; registration and the cancellation deadline
    before the first session starts."""
    for session in sessions:
        day = session.starts_at.astimezone(office_zone()).date()
        last_day = session.ends_at.astimezone(office_zone()).date()
        if day < event.starts_on or last_day > event.ends_on:
            target = field_name or ("starts_on" if day < event.starts_on else "ends_on")
            raise RuleViolation(target, _("A session on %(day)s falls outside the event's days.",
                                          day=format_local_datetime(session.starts_at)))
    if not sessions:
        return
    first = min(session.starts_at for session in sessions)
    if event.registration_closes_at and event.registration_closes_at > first:
        raise RuleViolation(field_name or "registration_closes_on",
                            _("Registration must close before the first session starts (%(start)s).",
                              start=format_local_datetime(first)))
    if event.cancellation_deadline_at and event.cancellation_deadline_at > first:
        raise RuleViolation(field_name or "cancellation_deadline_on",
                            _("The cancellation deadline must be before the first session starts (%(start)s).",
                              start=format_local_datetime(first)))


def event_office_id(actor) -> int:
    """The office a new event belongs to: its organiser's (the first office from the command line)."""
    return getattr(actor, "office_id", None) or default_office().id


def create_event(actor, details: EventDetails) -> Event:
    event = Event(created_by_id=actor.id if actor else None, status=EventStatus.DRAFT, office_id=event_office_id(actor))
    _apply_details(event, details)
    db.session.add(event)
    db.session.flush()
    record_change(actor, "event.created", event, after=snapshot(event, EVENT_FIELDS))
    return event


def update_event(actor, event: Event, details: EventDetails) -> bool:
    """Save the organiser's changes; saving what is already there changes nothing."""
    require_editable(event)
    before = snapshot(event, EVENT_FIELDS)
    if not _apply_details(event, details):
        return False
    db.session.flush()
    record_change(actor, "event.updated", event, before=before, after=snapshot(event, EVENT_FIELDS))
    if event.seats != before["seats"]:
        signals.event_seats_changed.send(event, before=before["seats"])
    return True


def require_editable(event: Event) -> None:
    if not event.is_editable:
        raise RuleViolation(None, _("A cancelled or completed event can no longer be changed."))


def publish_event(actor, event: Event) -> None:
    if event.status != EventStatus.DRAFT:
        raise RuleViolation(None, _("Only a draft can be published."))
    if not event.sessions:
        raise RuleViolation(None, _("Add at least one session before publishing."))
    if (event.min_sessions_for_certificate or 0) > len(event.sessions):
        raise RuleViolation(None, _("The certificate asks for more sessions than the event has."))
    event.status = EventStatus.PUBLISHED
    event.published_at = utcnow()
    record_change(actor, "event.published", event, before={"status": "draft"}, after={"status": "published"})


def cancel_event(actor, event: Event, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason", _("Give the reason for the cancellation."))
    if not event.is_editable:
        raise RuleViolation(None, _("A completed or cancelled event cannot be cancelled."))
    before = event.status.value
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason[:500]
    event.cancelled_at = utcnow()
    event.sequence += 1
    for session in event.sessions:
        session.sequence += 1
    record_change(actor, "event.cancelled", event, before={"status": before},
                  after={"status": "cancelled", "reason": event.cancel_reason})
    signals.event_cancelled.send(event, reason=event.cancel_reason)


def complete_event(actor, event: Event, now: datetime | None = None) -> None:
    """Completion grants certificates, so it waits until the last session has ended: a
    three-day training is not complete after its first day."""
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED:
        raise RuleViolation(None, _("Only a published event can be completed."))
    if not event.sessions or event.sessions[0].starts_at > now:
        raise RuleViolation(None, _("The event has not started yet."))
    last_end = max(session.ends_at for session in event.sessions)
    if last_end > now:
        raise RuleViolation(None, _("The event cannot be completed yet: its last session ends on %(end)s.",
                                    end=format_local_datetime(last_end)))
    event.status = EventStatus.COMPLETED
    event.completed_at = utcnow()
    record_change(actor, "event.completed", event, before={"status": "published"}, after={"status": "completed"})
    signals.event_completed.send(event)


def duplicate_event(actor, event: Event, shift_days: int) -> Event:
    """A new draft with the same details, sessions and guest list, moved by ``shift_days``."""
    if abs(shift_days) > MAX_SHIFT_DAYS:
        raise RuleViolation("shift_days", _("Move the copy by at most ten years."))
    shift = timedelta(days=shift_days)
    copy = Event(created_by_id=actor.id if actor else None, status=EventStatus.DRAFT, office_id=event.office_id)
    for name in EVENT_FIELDS:
        value = getattr(event, name)
        setattr(copy, name, _shift_local(value, shift) if isinstance(value, (date, datetime)) else value)
    copy.audience_districts = list(event.audience_districts)
    copy.audience_type_rows = [EventAudienceType(cooperative_type=t) for t in event.audience_types]
    copy.sessions = [EventSession(starts_at=_shift_local(s.starts_at, shift), ends_at=_shift_local(s.ends_at, shift),
                                  venue_id=s.venue_id) for s in event.sessions]
    copy.guests = [GuestListEntry(cooperative_id=g.cooperative_id, organisation_name=g.organisation_name,
                                  email=g.email, added_by_id=actor.id if actor else None) for g in event.guests]
    db.session.add(copy)
    db.session.flush()
    record_change(actor, "event.duplicated", copy, after={"source_event_id": event.id, "shift_days": shift_days})
    return copy


def _shift_local(value, shift: timedelta):
    """Move by whole days on the office's wall clock (09.00 stays 09.00)."""
    if isinstance(value, datetime):
        local = value.astimezone(office_zone())
        return local_moment(local.date() + shift, local.time())
    return value + shift


def _session_times(day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
    if ends <= starts:
        raise RuleViolation("ends", _("The session must end after it starts."))
    return local_moment(day, starts), local_moment(day, ends)


def _venue(venue_id, event: Event) -> Venue:
    """A venue in the districts of the offices the event's office reads."""
    venue = db.session.get(Venue, venue_id) if isinstance(venue_id, int) else None
    if venue is None or office_id_of(venue) not in offices_read_by(event.office_id):
        raise RuleViolation("venue_id", _("Choose a venue from the list."))
    return venue


def overlapping_sessions(session: EventSession) -> list[EventSession]:
    """Other sessions in the same venue at the same time (cancelled events do not count)."""
    query = (select(EventSession).join(Event)
             .where(EventSession.venue_id == session.venue_id, EventSession.id != session.id,
                    EventSession.starts_at < session.ends_at, EventSession.ends_at > session.starts_at,
                    Event.status != EventStatus.CANCELLED)
             .options(selectinload(EventSession.event)))
    return list(db.session.scalars(query))


def add_session(actor, event: Event, day: date, starts: time, ends: time, venue_id: int) -> EventSession:
    require_editable(event)
    starts_at, ends_at = _session_times(day, starts, ends)
    venue = _venue(venue_id, event)
    session = EventSession(starts_at=starts_at, ends_at=ends_at, venue=venue)
    _check_schedule(event, [*event.sessions, session], field_name="day")
    event.sessions.append(session)
    db.session.flush()
    record_change(actor, "event.session_added", event, after=snapshot(session, SESSION_FIELDS))
    return session


def reschedule_session(actor, event: Event, session: EventSession, day: date, starts: time, ends: time,
                       venue_id: int) -> bool:
    """Move a session in time or place. Raises the calendar SEQUENCE; on a published event it
    writes an audit entry and tells the other capabilities. Unchanged values change nothing."""
    require_editable(event)
    starts_at, ends_at = _session_times(day, starts, ends)
    venue = _venue(venue_id, event)
    if (session.starts_at, session.ends_at, session.venue_id) == (starts_at, ends_at, venue.id):
        return False
    before = snapshot(session, SESSION_FIELDS)
    moved = EventSession(starts_at=starts_at, ends_at=ends_at, venue=venue)
    _check_schedule(event, [s for s in event.sessions if s is not session] + [moved], field_name="day")
    session.starts_at, session.ends_at, session.venue = starts_at, ends_at, venue
    session.sequence += 1
    event.sequence += 1
    event.sessions.sort(key=lambda s: s.starts_at)
    db.session.flush()
    record_change(actor, "event.rescheduled", event, before=before, after=snapshot(session, SESSION_FIELDS))
    if event.status == EventStatus.PUBLISHED:
        signals.event_rescheduled.send(event, session=session, before=before)
    return True


def remove_session(actor, event: Event, session: EventSession) -> None:
    if event.status != EventStatus.DRAFT:
        raise RuleViolation(None, _("Sessions of a published event cannot be removed; reschedule them or "
                                    "cancel the event."))
    before = snapshot(session, SESSION_FIELDS)
    event.sessions.remove(session)
    db.session.flush()
    record_change(actor, "event.session_removed", event, before=before)


def venues_too_small(event: Event) -> list[Venue]:
    """The venues of the event's sessions that hold fewer people than the event has seats; a
    venue whose capacity is not known is not judged. A warning, not a rule: the office may know
    of standing room or a second hall."""
    small = {}
    for session in event.sessions:
        venue = session.venue
        if venue.capacity is not None and venue.capacity < event.seats:
            small[venue.id] = venue
    return list(small.values())


def seats_taken(event_ids) -> dict[int, int]:
    """Seats taken per event, from the counters at the ``SEAT_COUNTERS`` seam: zero until the
    registrations capability registers its own."""
    taken = dict.fromkeys(event_ids, 0)
    for counter in registered(SEAT_COUNTERS):
        for event_id, count in counter(list(taken)).items():
            taken[event_id] += count
    return taken
