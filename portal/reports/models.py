from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.events.models import Event
from portal.extensions import db
from portal.offices.scope import scope_by
from portal.registrations.models import Registration


class ReachKind(LabelledEnum):
    """The messages a participant receives by email, offered by WhatsApp to one without an address."""

    CONFIRMATION = "confirmation", _l("Confirmation with the ticket")
    REMINDER = "reminder", _l("Reminder")
    SCHEDULE_CHANGE = "schedule_change", _l("Schedule change")
    CERTIFICATE = "certificate", _l("Certificate link")
    # To a cooperative without an address (its board): the invitation, and the names still owed.
    INVITATION = "invitation", _l("Invitation")
    NAMES_OWED = "names_owed", _l("Names owed")


class Reach(db.Model):
    """One message sent by hand (by WhatsApp) to a participant, or a cooperative, without an email
    address: who sent which, when, so the office sees who was reached and how."""

    __tablename__ = "reaches"
    __table_args__ = (
        Index("ix_reaches_registration_kind", "registration_id", "kind"),
        Index("ix_reaches_invitation_kind", "invitation_id", "kind"),
        CheckConstraint("(registration_id IS NULL) <> (invitation_id IS NULL)", name="person_or_cooperative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    kind: Mapped[ReachKind] = mapped_column(enum_type(ReachKind))
    channel: Mapped[str] = mapped_column(db.String(20), default="whatsapp")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration | None] = relationship()


scope_by(Reach, through=(Reach.event_id, Event))


class ReportSnapshot(db.Model):
    """A report's table (or the home page's key figures) as last counted for one set of filters,
    offices and language, shared by every app server: a country's aggregate costs up to a second,
    so it is counted once and read by everyone, and the worker counts it again while people read
    it (``snapshots.py``). ``key`` is a digest of what it was counted for; ``reader_id`` a reader
    it was counted for (the worker counts as them again, and drops the snapshot when that reader
    no longer reads the same offices)."""

    __tablename__ = "report_snapshots"
    __table_args__ = (Index("ix_report_snapshots_computed_at", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    report: Mapped[str] = mapped_column(String(40))
    filters: Mapped[dict] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(10))
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
