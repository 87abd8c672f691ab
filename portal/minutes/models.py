"""What an event leaves behind: who spoke, what was said per agenda point, what was decided and
who follows it up by when, and its photos (kept in the stored files)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cooperatives.models import Cooperative
from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.events.models import Event
from portal.extensions import db
from portal.files.models import StoredFile
from portal.offices.scope import scope_by


class SpeakerRole(LabelledEnum):
    SPEAKER = "speaker", _l("Speaker (narasumber)")
    FACILITATOR = "facilitator", _l("Facilitator")
    MODERATOR = "moderator", _l("Moderator")


class Speaker(db.Model):
    __tablename__ = "event_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    role: Mapped[SpeakerRole] = mapped_column(enum_type(SpeakerRole))
    name: Mapped[str] = mapped_column(String(120))
    institution: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))

    @property
    def audit_label(self) -> str:
        return self.name


class AgendaItem(db.Model):
    """One point of the notulen: the agenda item and what was said about it."""

    __tablename__ = "event_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")

    @property
    def audit_label(self) -> str:
        return self.title


class FollowUpOwner(LabelledEnum):
    COOPERATIVE = "cooperative", _l("A cooperative")
    OFFICE = "office", _l("The office")
    PERSON = "person", _l("A person")


class FollowUpStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    DONE = "done", _l("Done")
    DROPPED = "dropped", _l("Dropped")


class FollowUp(db.Model):
    """A decision of the event and the action that follows it up: what, who (a cooperative, the
    office or a named person), by when (not before the event), and where it stands."""

    __tablename__ = "event_follow_ups"
    __table_args__ = (
        CheckConstraint("owner_kind != 'cooperative' OR cooperative_id IS NOT NULL", name="cooperative_named"),
        Index("ix_event_follow_ups_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(300))
    owner_kind: Mapped[FollowUpOwner] = mapped_column(enum_type(FollowUpOwner))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"),
                                                       index=True)
    # The person (or the office's section) who follows it up.
    owner_name: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date]
    status: Mapped[FollowUpStatus] = mapped_column(enum_type(FollowUpStatus), default=FollowUpStatus.OPEN)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()

    @property
    def owner_label(self) -> str:
        if self.owner_kind.is_cooperative and self.cooperative is not None:
            return self.cooperative.name
        return self.owner_name or str(self.owner_kind.label)

    @property
    def audit_label(self) -> str:
        return self.action


class EventPhoto(db.Model):
    """A photo of the event, resized and stripped of its metadata on the way in, with a caption."""

    __tablename__ = "event_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    caption: Mapped[str] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file: Mapped[StoredFile] = relationship()

    @property
    def audit_label(self) -> str:
        return self.caption


scope_by(Speaker, through=(Speaker.event_id, Event))
scope_by(AgendaItem, through=(AgendaItem.event_id, Event))
scope_by(FollowUp, through=(FollowUp.event_id, Event))
scope_by(EventPhoto, through=(EventPhoto.event_id, Event))
