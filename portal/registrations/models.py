import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cooperatives.models import Cooperative
from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.events.models import Event
from portal.extensions import db
from portal.offices.scope import scope_by


def _ticket_token() -> str:
    """256 random bits, URL-safe: the ticket page's only key."""
    return secrets.token_urlsafe(32)


# No 0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G or 8/B: a code read out over a cracked screen is typed right.
CHECK_IN_CODE_ALPHABET = "ACEFHJKMNPRTUVWXY3479"
CHECK_IN_CODE_LENGTH = 6


def random_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_CODE_ALPHABET) for _ in range(CHECK_IN_CODE_LENGTH))


class ParticipantPosition(LabelledEnum):
    BOARD = "board", _l("Board member")
    STAFF = "staff", _l("Staff")
    MEMBER = "member", _l("Member")


class Sex(LabelledEnum):
    """Recorded only when the person or the office says so: never required, never guessed
    (government activity reports count women and men)."""

    FEMALE = "female", _l("Female")
    MALE = "male", _l("Male")


class RegistrationStatus(LabelledEnum):
    PENDING = "pending", _l("Awaiting approval")  # holds a seat, waits for an organiser's approval
    CONFIRMED = "confirmed", _l("Confirmed")
    WAITLISTED = "waitlisted", _l("Waiting list")
    REJECTED = "rejected", _l("Not approved")
    CANCELLED = "cancelled", _l("Cancelled")
    WALK_IN = "walk_in", _l("Walk-in")  # recorded at the door by attendance; takes no seat


# The states that take one of the event's seats.
SEAT_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)
# The states that still count against a cooperative's limit.
ACTIVE_STATUSES = (*SEAT_STATUSES, RegistrationStatus.WAITLISTED)
# The states of the people expected in the room: on the attendance sheet and the daftar hadir.
ATTENDING_STATUSES = (*SEAT_STATUSES, RegistrationStatus.WALK_IN)


class Participant(db.Model):
    """A person who takes part: someone a cooperative sends, or a guest of an outside
    organisation that an organiser registers. ``phone_key`` is the phone in 62xxx form, so
    "0812..." and "+62 812..." are the same person within a cooperative."""

    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("cooperative_id IS NOT NULL OR organisation_name IS NOT NULL", name="belongs_somewhere"),
        Index("ix_participants_cooperative_email", "cooperative_id", "email"),
        Index("ix_participants_cooperative_phone_key", "cooperative_id", "phone_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[ParticipantPosition] = mapped_column(enum_type(ParticipantPosition))
    sex: Mapped[Sex | None] = mapped_column(enum_type(Sex, length=10))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the name and contacts were blanked (retention or an erasure request): the rows stay,
    # so registrations and attendance still count.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cooperative: Mapped[Cooperative | None] = relationship()

    @property
    def affiliation(self) -> str:
        return self.cooperative.name if self.cooperative else self.organisation_name

    @property
    def audit_label(self) -> str:
        return self.full_name


class Registration(db.Model):
    """One participant on one event. ``queue_number`` orders the waiting list (lowest first);
    ``cooperative_id`` is the participant's, copied so seat limits and filters need no join.
    ``check_in_code`` is the ticket's short code, typed at the door when a QR code cannot be read."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "participant_id"),
        UniqueConstraint("event_id", "check_in_code"),
        Index("ix_registrations_event_status", "event_id", "status"),
        Index("ix_registrations_event_cooperative", "event_id", "cooperative_id"),
        # The home page's "sign-ups to approve": the few pending ones, not every coming event's seats.
        Index("ix_registrations_pending", "event_id", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_type(RegistrationStatus))
    queue_number: Mapped[int | None]
    token: Mapped[str] = mapped_column(String(64), unique=True, default=_ticket_token)
    check_in_code: Mapped[str] = mapped_column(String(6), default=random_check_in_code)
    reason: Mapped[str | None] = mapped_column(String(500))
    signed_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    participant: Mapped[Participant] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    signed_up_by = relationship("User", foreign_keys=[signed_up_by_id])

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    @property
    def is_active(self) -> bool:
        """Holding a seat or waiting for one: it can still be cancelled."""
        return self.status in ACTIVE_STATUSES

    @property
    def audit_label(self) -> str:
        return f"{self.participant.full_name} → {self.event.title}"


scope_by(Registration, through=(Registration.event_id, Event))
scope_by(Participant, through=(Participant.cooperative_id, Cooperative))
