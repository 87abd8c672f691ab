import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cooperatives.models import Cooperative, CooperativeType, District
from portal.database import UTCDateTime, enum_type, metadata, utcnow
from portal.enums import LabelledEnum
from portal.extensions import db
from portal.i18n import format_short_datetime
from portal.offices.models import Office, first_office_id
from portal.offices.scope import scope_by

DEFAULT_REMINDER_DAYS = (3, 1)


def _default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


def _random_uid() -> str:
    return secrets.token_hex(16)


class EventKind(LabelledEnum):
    MEETING = "meeting", _l("Coordination meeting")  # rapat koordinasi (rakor)
    TRAINING = "training", _l("Training")


class ProgramArea(LabelledEnum):
    PROMOTION = "promotion", _l("Product promotion")
    BUSINESS_NETWORK = "business_network", _l("Business network")
    CAPITAL = "capital", _l("Capital")
    TECHNOLOGY = "technology", _l("Technology")
    HR_TRAINING = "hr_training", _l("HR training")  # pendidikan dan pelatihan SDM koperasi


class Audience(LabelledEnum):
    """Open to cooperatives (narrowed by the event's districts, types and status, which combine),
    or to its guest list only."""

    ALL = "all", _l("Cooperatives matching the rules below")
    GUEST_LIST = "guest_list", _l("Only the guest list (by invitation)")


class AudienceStatus(LabelledEnum):
    ANY = "any", _l("Active and inactive")
    ACTIVE = "active", _l("Active only")
    INACTIVE = "inactive", _l("Inactive only")


class EventStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published")
    CANCELLED = "cancelled", _l("Cancelled")
    COMPLETED = "completed", _l("Completed")


# The statuses the public may see.
VISIBLE_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.COMPLETED)
# The public list's events (published, and cancelled so people learn of it) as SQL written out: the
# partial index below and the list's query (events/queries.py, LISTED) say it the same way, so the
# planner matches them whatever plan it keeps for the statement.
LISTED_SQL = "status IN ('published', 'cancelled')"

event_audience_districts = Table(
    "event_audience_districts",
    metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", ForeignKey("districts.id"), primary_key=True),
)


class Venue(db.Model):
    """A place where sessions are held; a managed list, so events are found by district."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    capacity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    district: Mapped[District] = relationship()

    @property
    def audit_label(self) -> str:
        return self.name


class Event(db.Model):
    """A coordination meeting or a training.

    ``starts_on`` and ``ends_on`` are the event's days as dates in the office's zone; every
    session falls within them. ``sequence`` counts changes of time, place or status, the way an
    iCalendar SEQUENCE does.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_status_starts_on", "status", "starts_on"),
        Index("ix_events_office_starts_on", "office_id", "starts_on"),
        # The public list walks its events in start order from the earliest one under way
        # (events/queries.py, _not_ended), found through the events' days as a range.
        Index("ix_events_visible_starts_on", "starts_on", "id", postgresql_where=text(LISTED_SQL),
              sqlite_where=text(LISTED_SQL)),
        Index("ix_events_days", text("daterange(starts_on, ends_on, '[]')"),
              postgresql_using="gist").ddl_if(dialect="postgresql"),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("ends_on >= starts_on", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The office that runs it: its staff manage it, its letterhead and zone are the event's.
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), default=first_office_id)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind), index=True)
    program_area: Mapped[ProgramArea | None] = mapped_column(enum_type(ProgramArea), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    facilitator: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    # Where replies to the event's emails go (Reply-To); the office's address when empty.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    seats: Mapped[int]
    seats_per_cooperative: Mapped[int | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date] = mapped_column(index=True)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: registration stays open until the first session starts.
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Until when a sign-up may be cancelled; None: until the first session starts.
    cancellation_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.ALL)
    # With the ``all`` audience: which statuses; ``audience_districts`` and ``audience_types``,
    # when not empty, narrow it further (all three must hold).
    audience_status: Mapped[AudienceStatus] = mapped_column(enum_type(AudienceStatus), default=AudienceStatus.ANY,
                                                            server_default=AudienceStatus.ANY.value)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    min_sessions_for_certificate: Mapped[int | None]
    # Days before the first session on which reminders go out, largest first; empty for none.
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=_default_reminder_days)
    status: Mapped[EventStatus] = mapped_column(enum_type(EventStatus), default=EventStatus.DRAFT)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(default=0)
    uid_token: Mapped[str] = mapped_column(String(32), unique=True, default=_random_uid)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sessions: Mapped[list["EventSession"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSession.starts_at")
    audience_districts: Mapped[list[District]] = relationship(secondary=event_audience_districts,
                                                              order_by=District.name)
    audience_type_rows: Mapped[list["EventAudienceType"]] = relationship(cascade="all, delete-orphan")
    guests: Mapped[list["GuestListEntry"]] = relationship(back_populates="event", cascade="all, delete-orphan")
    created_by = relationship("User")
    office: Mapped[Office] = relationship()

    @property
    def audience_types(self) -> list[CooperativeType]:
        return sorted(row.cooperative_type for row in self.audience_type_rows)

    @property
    def first_session(self) -> "EventSession | None":
        return self.sessions[0] if self.sessions else None

    @property
    def has_started(self) -> bool:
        return self.first_session is not None and self.first_session.starts_at <= utcnow()

    @property
    def is_editable(self) -> bool:
        return self.status in (EventStatus.DRAFT, EventStatus.PUBLISHED)

    @property
    def audit_label(self) -> str:
        return self.title


class EventAudienceType(db.Model):
    """A cooperative type an event is meant for (none: every type)."""

    __tablename__ = "event_audience_types"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    cooperative_type: Mapped[CooperativeType] = mapped_column(enum_type(CooperativeType), primary_key=True)


class EventSession(db.Model):
    """One sitting of an event. ``uid`` makes its calendar entry's UID, stable for its life;
    ``sequence`` is that entry's SEQUENCE."""

    __tablename__ = "event_sessions"
    __table_args__ = (
        Index("ix_event_sessions_event_starts", "event_id", "starts_at"),
        Index("ix_event_sessions_venue_starts", "venue_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=_random_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    # Participants may check themselves in by scanning the door's rotating QR (portal/attendance/self_check_in.py).
    self_check_in: Mapped[bool] = mapped_column(default=False, server_default=false())

    event: Mapped[Event] = relationship(back_populates="sessions")
    venue: Mapped[Venue] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.event.title} · {format_short_datetime(self.starts_at)}"


class GuestListEntry(db.Model):
    """Who an event is meant for: a cooperative, or an outside organisation (a bank, a partner
    office) by name and email. Invitations add to it when they are sent."""

    __tablename__ = "event_guests"
    __table_args__ = (
        UniqueConstraint("event_id", "cooperative_id"),
        CheckConstraint("cooperative_id IS NOT NULL OR organisation_name IS NOT NULL", name="names_someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="guests")
    cooperative: Mapped[Cooperative | None] = relationship()

    @property
    def name(self) -> str:
        return self.cooperative.name if self.cooperative else self.organisation_name

    @property
    def audit_label(self) -> str:
        return self.name


scope_by(Event, Event.office_id)
scope_by(EventSession, through=(EventSession.event_id, Event))
scope_by(GuestListEntry, through=(GuestListEntry.event_id, Event))
scope_by(Venue, through=(Venue.district_id, District))
