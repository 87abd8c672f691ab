from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.database import UTCDateTime, utcnow
from portal.enums import LabelledEnum
from portal.extensions import db


class ApiScope(LabelledEnum):
    """What a token may do, on top of what its owner may do (their role and offices)."""

    EVENTS_READ = "events:read", _l("Read events and their sessions")
    COOPERATIVES_READ = "cooperatives:read", _l("Read the cooperative registry")
    REGISTRATIONS_READ = "registrations:read", _l("Read an event's registrations")
    ATTENDANCE_READ = "attendance:read", _l("Read an event's attendance")
    ATTENDANCE_WRITE = "attendance:write", _l("Mark attendance and check people in")
    CERTIFICATES_READ = "certificates:read", _l("Read certificates")
    REPORTS_READ = "reports:read", _l("Read report figures")


class ApiToken(db.Model):
    """A personal API token. The secret is shown once; the row keeps its first characters
    (``prefix``, to find the row without scanning) and a SHA-256 hash of the whole token (a
    random 256-bit secret needs no slow hash). A token acts as its owner, narrowed to ``scopes``;
    one with ``event_id`` answers only for that event (a door device's short-lived token), and one
    with ``expires_at`` stops working then."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def permits(self, scope: str | None, view_args: dict | None) -> bool:
        """Whether this token may call a view that needs ``scope`` with these URL values."""
        if scope is None or scope not in self.scopes:
            return False
        return self.event_id is None or (view_args or {}).get("event_id") == self.event_id

    @property
    def audit_label(self) -> str:
        return f"{self.name} ({self.prefix})"


class IdempotentRequest(db.Model):
    """A write the API has done for a client-supplied ``Idempotency-Key``: the same key again with
    the same request gets the stored answer and changes nothing; with another request, a refusal."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
