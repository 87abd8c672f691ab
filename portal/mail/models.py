from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_type, utcnow
from portal.enums import LabelledEnum
from portal.extensions import db
from portal.offices.models import first_office_id
from portal.offices.scope import scope_by


class MessageStatus(LabelledEnum):
    QUEUED = "queued", _l("Queued")
    SENDING = "sending", _l("Sending")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")
    CANCELLED = "cancelled", _l("Cancelled")


class OutboxMessage(db.Model):
    """An email waiting for, or done with, delivery. Written in the transaction of the action
    that causes it; delivered by the worker, never by a request."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # The subject key: what a capability asks of its messages, "every message about these rows".
        Index("ix_outbox_messages_concerns", "concerns_kind", "concerns_id"),
        Index("ix_outbox_messages_after", "after_message_id"),
        # The Email page's newest first, and the staff badge's "retrying for long": read from an
        # index, not the whole outbox (a country's holds millions).
        Index("ix_outbox_messages_created", "created_at", "id"),
        Index("ix_outbox_messages_office_created", "office_id", "created_at", "id"),
        Index("ix_outbox_messages_retrying", "created_at", postgresql_where=text("status = 'queued' AND attempts > 0"),
              sqlite_where=text("status = 'queued' AND attempts > 0")),
        # The staff badge's "failed in the last 7 days", on every staff page: counted from this
        # index alone (a country's week of failures is thousands of rows).
        Index("ix_outbox_messages_failed", "office_id", "next_attempt_at", postgresql_where=text("status = 'failed'"),
              sqlite_where=text("status = 'failed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed at enqueue, so a message re-sent after a crash is recognisable as the same one.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # Set by callers that must not queue the same message twice (a double-clicked button).
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    recipient_email: Mapped[str] = mapped_column(String(254), index=True)
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Attachments built by the worker at delivery: [{"renderer": name, "args": {...}}].
    deferred_attachments: Mapped[list] = mapped_column(JSON, default=list)
    template: Mapped[str] = mapped_column(String(120))
    # The office it was sent for (the office in use when it was queued): whose Email page shows it.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"),
                                                  default=first_office_id)
    # What the message is about, as kind and id ("event", "invitation", "registration",
    # "certificate", "user", "board_account"): the mail layer's queries go by it, no join needed.
    concerns_kind: Mapped[str | None] = mapped_column(String(64))
    concerns_id: Mapped[str | None] = mapped_column(String(64))
    # What the message was built from (sessions, venue, SEQUENCE, letter number, signatory), taken
    # when it was queued: its deferred attachments are built from this, never from the live rows,
    # so body, .ics and PDF tell the same schedule.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    # The message this one must not overtake: not claimed before that one is sent, cancelled if
    # that one fails for good.
    after_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    status: Mapped[MessageStatus] = mapped_column(enum_type(MessageStatus), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id")

    @property
    def audit_label(self) -> str:
        return f"{self.recipient_email}: {self.subject}"


class OutboxAttachment(db.Model):
    """An attachment small enough to build in the request (an .ics file). One with a ``content_id``
    is shown inline: the html body refers to it as ``cid:<content_id>`` (mail clients drop data:
    URIs and SVG, so an image in an email travels this way)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    content_id: Mapped[str | None] = mapped_column(String(100))

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


scope_by(OutboxMessage, OutboxMessage.office_id)
