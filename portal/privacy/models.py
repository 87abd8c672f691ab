"""Personal data under UU 27/2022 (PDP): who read or exported it, how long each office keeps it
and what its privacy notice says, and people's requests about their own data."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.extensions import db
from portal.offices.models import first_office_id
from portal.offices.scope import scope_by


class AccessKind(LabelledEnum):
    EXPORT = ("export", _l("Export"))
    API_READ = ("api_read", _l("API read"))


# What the access log shows for each ``subject`` an export or API read records. A new export's
# subject gets its label here (tests/test_privacy_access.py checks every recorded subject has one).
ACCESS_SUBJECTS = {
    "registrations": _l("Registrations"),
    "attendance": _l("Attendance"),
    "api.registrations": _l("Registrations (API)"),
    "api.attendance": _l("Attendance (API)"),
    "directory": _l("Cooperative directory"),
    "cooperatives": _l("Cooperatives' turnout"),
    "invitations": _l("Invitations"),
    "certificates": _l("Certificates"),
    "people": _l("People"),
    "transport_allowance": _l("Transport allowance list"),
}


class PersonalDataAccess(db.Model):
    """One export or API read that handed out personal data: who, when, what list, how many rows.
    Written in the request that hands the data out; kept as text too, so an entry still says who
    and what after the account or the event is gone."""

    __tablename__ = "personal_data_accesses"
    __table_args__ = (Index("ix_personal_data_accesses_office_at_id", "office_id", "accessed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"),
                                                  default=first_office_id)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    kind: Mapped[AccessKind] = mapped_column(enum_type(AccessKind))
    # What was handed out, as a stable name ("registrations", "attendance", "api.registrations").
    subject: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    # The event's title or the list's name as it was.
    label: Mapped[str | None] = mapped_column(String(255))
    row_count: Mapped[int | None]

    actor = relationship("User")

    @property
    def subject_label(self):
        """The subject as the administrator reads it; an unknown one as it was recorded."""
        return ACCESS_SUBJECTS.get(self.subject, self.subject)


scope_by(PersonalDataAccess, PersonalDataAccess.office_id)


# Documented defaults, in days (docs/security.md, "Personal data").
DEFAULT_RETENTION_DAYS = {
    "contact_days": 730,       # participants' names and contacts: two years after their last event
    "walk_in_days": 365,       # walk-ins' names: one year after the event
    "survey_days": 365,        # evaluation survey answers: one year after the event
    "photo_days": 1095,        # event photos: three years after the event
    "session_days": 30,        # ended login sessions: 30 days (LOGIN_SESSION_RETENTION_SECONDS caps it)
}


class PrivacySettings(db.Model):
    """One office's retention periods (days) and its privacy notice; an office without a row uses
    the defaults and the notice in the templates."""

    __tablename__ = "privacy_settings"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    contact_days: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_DAYS["contact_days"])
    walk_in_days: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_DAYS["walk_in_days"])
    survey_days: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_DAYS["survey_days"])
    photo_days: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_DAYS["photo_days"])
    session_days: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_DAYS["session_days"])
    # The administrator's own notice, per language; None: the template's default text.
    notice_id: Mapped[str | None] = mapped_column(Text)
    notice_en: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def id(self) -> int:  # what the audit log names the row by
        return self.office_id

    @property
    def audit_label(self) -> str:
        return f"privacy settings {self.office_id}"


scope_by(PrivacySettings, PrivacySettings.office_id)


class DataRequestKind(LabelledEnum):
    CORRECTION = ("correction", _l("Correction"))
    ERASURE = ("erasure", _l("Erasure"))


class DataRequestStatus(LabelledEnum):
    OPEN = ("open", _l("Open"))
    DONE = ("done", _l("Done"))
    REFUSED = ("refused", _l("Refused"))


class DataRequest(db.Model):
    """A person's request about their own data (a participant through their ticket link, or a board
    member for their cooperative's people); due within the statutory time (``DATA_REQUEST_HOURS``)."""

    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_office_status_due", "office_id", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), default=first_office_id)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"),
                                                       index=True)
    kind: Mapped[DataRequestKind] = mapped_column(enum_type(DataRequestKind))
    status: Mapped[DataRequestStatus] = mapped_column(enum_type(DataRequestStatus), default=DataRequestStatus.OPEN)
    details: Mapped[str | None] = mapped_column(String(1000))
    # Where the answer goes, and the name it was asked about, kept after an erasure.
    reply_email: Mapped[str | None] = mapped_column(String(254))
    person_label: Mapped[str] = mapped_column(String(120))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str | None] = mapped_column(String(1000))

    @property
    def audit_label(self) -> str:
        return f"{self.kind.value} request {self.id}"


scope_by(DataRequest, DataRequest.office_id)
