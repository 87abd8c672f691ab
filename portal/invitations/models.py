import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cooperatives.models import Cooperative
from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.events.models import Event
from portal.extensions import db
from portal.i18n import to_local
from portal.offices.scope import scope_by


def sort_key(guest_name: str) -> str:
    """An invitation's ``sort_name``: its guest's name as shown, in lower case, so the tab reads
    one page in order through an index (the same as ``lower()`` in SQL, for ASCII names)."""
    return guest_name.lower()


def new_token() -> str:
    """192 random bits, URL-safe: the only key of an invitation's answer links."""
    return secrets.token_urlsafe(24)


class InvitationAnswer(LabelledEnum):
    ACCEPTED = "accepted", _l("Accepted")
    DECLINED = "declined", _l("Declined")


class AnswerChannel(LabelledEnum):
    """How an answer reached the portal: the board through its link, or the office on its behalf."""

    LINK = "link", _l("Answer link")
    PHONE = "phone", _l("Phone")
    WHATSAPP = "whatsapp", _l("WhatsApp")
    LETTER = "letter", _l("Letter")
    IN_PERSON = "in_person", _l("In person")


# The channels an organiser records an answer from.
OFFICE_CHANNELS = tuple(channel for channel in AnswerChannel if channel != AnswerChannel.LINK)


# An invitation not answered yet has no answer (NULL); the organisers' filters and counts call it this.
NO_ANSWER = "none"
NO_ANSWER_LABEL = _l("No answer")
# An accepted meeting whose invitee announced more people than it has named yet.
NAMES_OWED = "names_owed"
NAMES_OWED_LABEL = _l("Names owed")


class Delivery(LabelledEnum):
    """Where an invitation's email stands, worked out from the counts of its messages kept on it
    (``tracking.py``)."""

    QUEUED = "queued", _l("Queued")  # some message waits for the worker, none has gone yet
    SENT = "sent", _l("Sent")  # at least one address has received it
    FAILED = "failed", _l("Failed")  # every message failed (or was cancelled)
    NO_ADDRESS = "no_address", _l("No email address")  # the cooperative has no email address on file


class InvitationRound(db.Model):
    """One send action: who sent, when, what was chosen and what to bring. Each invitation
    points to the round it was first sent in; a round's letter number belongs here."""

    __tablename__ = "invitation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the organiser chose (filter or hand-picked ids), as they chose it: for the record.
    selection: Mapped[dict] = mapped_column(JSON, default=dict)
    what_to_bring: Mapped[str | None] = mapped_column(Text)
    cooperative_count: Mapped[int] = mapped_column(default=0)
    organisation_count: Mapped[int] = mapped_column(default=0)
    message_count: Mapped[int] = mapped_column(default=0)
    # The surat undangan's number, taken from the office's yearly sequence when the round is sent;
    # every invitation of the round carries it, each with its own addressee.
    letter_number: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    sent_by = relationship("User")

    @property
    def letter_dated(self) -> date:
        """The letter's date: the day, in the office's zone, the round was sent."""
        return to_local(self.created_at).date()

    @property
    def audit_label(self) -> str:
        return f"{self.event.title} #{self.id}"


class Invitation(db.Model):
    """A cooperative, or an outside organisation by name and address, invited to an event.

    One per cooperative per event, and one per organisation address per event: sending again
    adds nobody. ``token`` opens the answer page without logging in, until the event ends.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "cooperative_id"),
        UniqueConstraint("event_id", "email"),
        CheckConstraint("(cooperative_id IS NULL) <> (organisation_name IS NULL)", name="cooperative_or_organisation"),
        CheckConstraint("cooperative_id IS NOT NULL OR email IS NOT NULL", name="organisation_has_address"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_has_time"),
        CheckConstraint("decline_reason IS NULL OR answer = 'declined'", name="reason_only_when_declined"),
        # The tab's counts per delivery and answer read this index alone on PostgreSQL.
        Index("ix_invitations_event_answer", "event_id", "answer", postgresql_include=[
            "messages_total", "messages_sent", "messages_pending", "messages_failed"]),
        Index("ix_invitations_event_sort_name", "event_id", "sort_name", "id"),
        # The home page's "names owed": the accepted invitations that announced people, a few of a
        # country's accepted ones.
        Index("ix_invitations_names_expected", "event_id",
              postgresql_where=text("answer = 'accepted' AND attendee_count > 0"),
              sqlite_where=text("answer = 'accepted' AND attendee_count > 0")),
    )

    # Its invitation messages by state, kept as the mail layer queues and delivers them
    # (``tracking.py``): the tab counts an event's deliveries without reading the outbox.
    messages_total: Mapped[int] = mapped_column(default=0, server_default="0")
    messages_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    messages_pending: Mapped[int] = mapped_column(default=0, server_default="0")
    messages_failed: Mapped[int] = mapped_column(default=0, server_default="0")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("invitation_rounds.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    # The guest's name as shown (the cooperative's, kept in step when it is renamed, or the
    # organisation's), through ``sort_key``: the tab's order and search, one page read by index.
    sort_name: Mapped[str] = mapped_column(String(200))
    # An organisation's address; a cooperative's addresses are read from the registry at each send.
    email: Mapped[str | None] = mapped_column(String(254))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    answer: Mapped[InvitationAnswer | None] = mapped_column(enum_type(InvitationAnswer))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    # How the answer came, and, for one the office recorded, who gave it ("Ibu Maria, ketua").
    answer_channel: Mapped[AnswerChannel | None] = mapped_column(enum_type(AnswerChannel))
    answered_by_name: Mapped[str | None] = mapped_column(String(120))
    # For a coordination meeting: how many people the cooperative said will come. The people it
    # names are its registrations; a count above them is names still owed.
    attendee_count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    round: Mapped[InvitationRound] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()

    @property
    def guest_name(self) -> str:
        return self.cooperative.name if self.cooperative else self.organisation_name

    @property
    def audit_label(self) -> str:
        return f"{self.guest_name} → {self.event.title}"


class ReminderRun(db.Model):
    """The scheduled reminder of an event for ``days_before`` has been sent. The row is the
    claim: inserting it is atomic and the unique constraint lets one run of ``send-reminders``
    win, however many run at once. Offsets that fell due together (an event published late)
    each get a row for the one reminder that went."""

    __tablename__ = "reminder_runs"
    __table_args__ = (
        UniqueConstraint("event_id", "days_before"),
        CheckConstraint("days_before >= 0", name="days_before_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    days_before: Mapped[int]
    message_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


scope_by(InvitationRound, through=(InvitationRound.event_id, Event))
scope_by(Invitation, through=(Invitation.event_id, Event))
