"""What the office knows about bringing cooperatives back: each cooperative's annual members
meetings (RAT) per book year, and each contact the office had with it (pembinaan)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cooperatives.models import Cooperative, StatusChange
from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.extensions import db
from portal.files.models import StoredFile
from portal.offices.scope import scope_by


class RatStatus(LabelledEnum):
    SUBMITTED = "submitted", _l("Awaiting verification")
    VERIFIED = "verified", _l("Verified")


class RatSource(LabelledEnum):
    BOARD = "board", _l("Submitted by the board")
    OFFICE = "office", _l("Recorded by the office")
    IMPORT = "import", _l("Imported")
    REGISTRY = "registry", _l("From the registry's last RAT year")


class RatRecord(db.Model):
    """One cooperative's RAT for one book year: the RAT for book year 2025 is held in early 2026.

    A board submits its own; the office verifies it or records it directly. Only verified
    records count: ``Cooperative.last_rat_year`` is the latest verified book year held, kept by
    ``services.refresh_last_rat_year`` and never typed."""

    __tablename__ = "rat_records"
    __table_args__ = (UniqueConstraint("cooperative_id", "book_year"),
                      Index("ix_rat_records_book_year_status", "book_year", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    book_year: Mapped[int]
    is_held: Mapped[bool] = mapped_column(default=True)
    held_on: Mapped[date | None]
    members_present: Mapped[int | None]
    members_total: Mapped[int | None]
    place: Mapped[str | None] = mapped_column(String(200))
    is_reported_to_ods: Mapped[bool] = mapped_column(default=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    status: Mapped[RatStatus] = mapped_column(enum_type(RatStatus))
    source: Mapped[RatSource] = mapped_column(enum_type(RatSource))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The status change "aktif kembali" this RAT was the reason for.
    reactivation_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperative_status_changes.id", ondelete="SET NULL"))

    cooperative: Mapped[Cooperative] = relationship()
    document: Mapped[StoredFile | None] = relationship()
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    reactivation: Mapped[StatusChange | None] = relationship()

    @property
    def audit_label(self) -> str:
        return f"RAT {self.book_year} {self.cooperative.name}"


class ContactChannel(LabelledEnum):
    PHONE = "phone", _l("Phone call")
    WHATSAPP = "whatsapp", _l("WhatsApp")
    LETTER = "letter", _l("Letter")
    EMAIL = "email", _l("Email")
    VISIT = "visit", _l("Visit")
    RAT_ATTENDANCE = "rat_attendance", _l("Attended its RAT")


class Contact(db.Model):
    """One contact of the office with a cooperative (pembinaan), with the next step it left and
    when that is due; the next step stays on the "tindak lanjut" list until marked done."""

    __tablename__ = "cooperative_contacts"
    __table_args__ = (Index("ix_cooperative_contacts_open_steps", "next_step_done_at", "next_step_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    channel: Mapped[ContactChannel] = mapped_column(enum_type(ContactChannel))
    contacted_on: Mapped[date]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    person: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(String(255))
    next_step_due: Mapped[date | None]
    next_step_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letter_number: Mapped[str | None] = mapped_column(String(80))
    campaign_year: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    officer = relationship("User", foreign_keys=[officer_id])

    @property
    def audit_label(self) -> str:
        return f"{self.channel.value} {self.cooperative.name} {self.contacted_on.isoformat()}"


# Both reach an office through their cooperative (portal/offices/scope.py).
scope_by(RatRecord, through=(RatRecord.cooperative_id, Cooperative))
scope_by(Contact, through=(Contact.cooperative_id, Cooperative))
