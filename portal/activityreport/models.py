"""The laporan kegiatan of an event: its texts (pendahuluan, penutup), the transport allowance paid
per attendee, the signed daftar hadir scanned per session, and the document jobs that build the
report. A job is queued by a request and built by the worker, never in the request."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.events.models import Event, EventSession
from portal.extensions import db
from portal.files.models import StoredFile
from portal.offices.scope import scope_by


class JobState(LabelledEnum):
    QUEUED = "queued", _l("Being prepared")
    BUILDING = "building", _l("Being prepared")
    READY = "ready", _l("Ready")
    FAILED = "failed", _l("Failed")


class ReportTexts(db.Model):
    """What only the office can write: background, legal basis, purpose, conclusion and advice."""

    __tablename__ = "activity_report_texts"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    background: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    # Uang transport per attendee per session, whole rupiah; None until the office sets it.
    transport_amount: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def audit_label(self) -> str:
        return str(self.event_id)


class SessionSheetScan(db.Model):
    """The signed paper daftar hadir of one session, scanned and uploaded by the office (a PDF, or
    a JPEG/PNG drawn again without its metadata): the report attaches it instead of the printed sheet."""

    __tablename__ = "session_sheet_scans"

    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[EventSession] = relationship()
    file: Mapped[StoredFile] = relationship()

    @property
    def audit_label(self) -> str:
        return self.file.filename


class ReportJob(db.Model):
    """One build of the report: queued, taken by a worker (building, with the time it was taken:
    a job left building past the lease is taken again), then ready with its PDF, or failed."""

    __tablename__ = "activity_report_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[JobState] = mapped_column(enum_type(JobState), default=JobState.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    docx_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    file: Mapped[StoredFile | None] = relationship(foreign_keys=[file_id])
    docx_file: Mapped[StoredFile | None] = relationship(foreign_keys=[docx_file_id])

    @property
    def pending(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.BUILDING)

    @property
    def audit_label(self) -> str:
        return f"#{self.id}"


scope_by(ReportTexts, through=(ReportTexts.event_id, Event))
scope_by(SessionSheetScan, through=(SessionSheetScan.session_id, EventSession))
scope_by(ReportJob, through=(ReportJob.event_id, Event))
