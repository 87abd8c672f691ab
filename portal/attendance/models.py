import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.events.models import Event, EventSession
from portal.extensions import db
from portal.i18n import format_short_datetime
from portal.offices.scope import scope_by
from portal.registrations.models import Registration


class AttendanceMark(LabelledEnum):
    PRESENT = "present", _l("Present")  # hadir
    LATE = "late", _l("Late")  # terlambat: counts as attended
    EXCUSED = "excused", _l("Excused")  # izin: does not count as attended
    ABSENT = "absent", _l("Absent")  # tidak hadir


# The marks that count as having attended a session (for rates and certificates).
ATTENDED_MARKS = (AttendanceMark.PRESENT, AttendanceMark.LATE)


class MarkSource(enum.StrEnum):
    """How a mark was made, so the office can tell a scan from a tap."""

    SHEET = "sheet"
    QR = "qr"
    CODE = "code"
    WALK_IN = "walk_in"
    REMAINING_ABSENT = "remaining_absent"
    DOOR = "door"  # by a volunteer's door pass (portal/attendance/door_passes.py)
    SELF = "self"  # the person scanned the door's rotating QR with their own phone: an organiser confirms


class AttendanceRecord(db.Model):
    """One registration's attendance at one session: one row per pair, whoever marks it and
    however often. ``arrived_at`` is when the person was checked in; only someone who came has it."""

    __tablename__ = "attendance_records"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        CheckConstraint("(mark IN ('present', 'late') AND arrived_at IS NOT NULL) "
                        "OR (mark IN ('excused', 'absent') AND arrived_at IS NULL)", name="arrival_matches_mark"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True)
    mark: Mapped[AttendanceMark] = mapped_column(enum_type(AttendanceMark))
    source: Mapped[MarkSource] = mapped_column(enum_type(MarkSource))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A self check-in is confirmed by an organiser (or undone): until then it is the person's word.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()
    session: Mapped[EventSession] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.registration.participant.full_name} · {format_short_datetime(self.session.starts_at)}"


scope_by(AttendanceRecord, through=(AttendanceRecord.session_id, EventSession))


class DoorPass(db.Model):
    """Check-in rights at one event's door for a person without an account (a volunteer): the
    organiser gives them a signed link (``portal/attendance/door_passes.py``) that opens the
    event's sheets and checks people in, nothing else, until ``expires_at`` (after the event's
    last session) or until revoked."""

    __tablename__ = "door_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def audit_label(self) -> str:
        return self.name


scope_by(DoorPass, through=(DoorPass.event_id, Event))
