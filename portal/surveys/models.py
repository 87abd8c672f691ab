"""An office's evaluation template, an event's survey copied from it, and the answers.

Anonymity is kept by the shape of the tables: an answer (``SurveyResponse``) names no person
unless the survey was opened as named; who has answered is kept apart (``SurveyAnswered``, the
survey and the registration, no time and no link to the answer), which is what makes an answer one
per registration."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.events.models import Event
from portal.extensions import db
from portal.offices.models import Office
from portal.offices.scope import scope_by
from portal.registrations.models import Registration

# The office's own words, written in Indonesian as its letters are.
DEFAULT_RATINGS = ["Materi pelatihan", "Fasilitator / narasumber", "Tempat dan sarana", "Penyelenggaraan"]
DEFAULT_TOPICS_QUESTION = "Topik apa yang dibutuhkan koperasi Anda berikutnya?"
DEFAULT_TOPICS = ["Pembukuan dan akuntansi koperasi", "Tata kelola dan RAT", "Pemasaran dan promosi produk",
                  "Akses permodalan", "Digitalisasi dan teknologi"]
DEFAULT_COMMENT_QUESTION = "Saran dan masukan untuk penyelenggara"


class SurveyTemplate(db.Model):
    """What an office asks after its events; a survey copies it when it opens, so a later edit
    never changes the questions of answers already given."""

    __tablename__ = "survey_templates"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    ratings: Mapped[list[str]] = mapped_column(JSON)
    topics_question: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list[str]] = mapped_column(JSON)
    comment_question: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    office: Mapped[Office] = relationship()

    @property
    def id(self) -> int:
        """The office's id, as the audit log names a changed row."""
        return self.office_id

    @property
    def audit_label(self) -> str:
        return self.office.office_name


class Survey(db.Model):
    """One event's evaluation form: ratings 1-5 (one per entry of ``ratings``), topics to choose
    from, a free text. ``is_anonymous`` (the default): answers keep no registration."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    ratings: Mapped[list[str]] = mapped_column(JSON)
    topics_question: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list[str]] = mapped_column(JSON)
    comment_question: Mapped[str] = mapped_column(String(200))
    is_anonymous: Mapped[bool] = mapped_column(default=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def audit_label(self) -> str:
        return self.event.title


class SurveyResponse(db.Model):
    """One answer. ``registration_id`` only on a named survey; the day only, not the time."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    other_topic: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_on: Mapped[date]

    ratings: Mapped[list["SurveyRating"]] = relationship(cascade="all, delete-orphan",
                                                         order_by="SurveyRating.position")


class SurveyRating(db.Model):
    """One rating of an answer: the ``position`` of the question in ``Survey.ratings``."""

    __tablename__ = "survey_ratings"
    __table_args__ = (CheckConstraint("value BETWEEN 1 AND 5", name="value_one_to_five"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int]


class SurveyAnswered(db.Model):
    """That a registration has answered a survey, and nothing more: the key forbids a second."""

    __tablename__ = "survey_answered"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                 primary_key=True)

    registration: Mapped[Registration] = relationship()


scope_by(SurveyTemplate, SurveyTemplate.office_id)
scope_by(Survey, through=(Survey.event_id, Event))
scope_by(SurveyResponse, through=(SurveyResponse.survey_id, Survey))
