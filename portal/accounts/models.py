import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    BOARD = "board"
    # The head of office or of section (pimpinan): reads what staff read, changes nothing.
    LEADER = "leader"


STAFF_ROLES = (Role.ADMIN, Role.ORGANISER)
# The accounts that belong to an office and read its rows (scope, login lifetimes, staff lists).
OFFICE_ROLES = (*STAFF_ROLES, Role.LEADER)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the services, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    # Staff belong to an office and work on its cooperatives and events; an administrator without
    # one manages every office. Board members have none (their cooperative says where they are).
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="id")
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the owner was last told that someone is guessing the password (at most one an hour).
    guessing_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    login_sessions: Mapped[list["LoginSession"]] = relationship(back_populates="user")
    office = relationship("Office")

    # The login session this request runs under; Flask-Login stores it, not the user id,
    # in the cookie, so ending the LoginSession row logs that browser out for good.
    current_session_token = None
    current_login = None

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def reads_office(self) -> bool:
        """Staff or a leader: sees the office's pages (a leader only reads them)."""
        return self.role in OFFICE_ROLES

    def get_id(self) -> str | None:
        return self.current_session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def audit_label(self) -> str:
        return self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(db.Model):
    """One login of one browser. The cookie carries a random token; the row keeps its hash.
    It ends at logout, or when idle or too old for the user's role (portal/accounts/lifetimes.py)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the browser was last seen, to a few minutes (it is not written on every request).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Remember-me was ticked: a board member's session then lives longer.
    is_remembered: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="login_sessions")


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
    EMAIL_VERIFICATION = "email_verification"


class AccountToken(db.Model):
    """A single-use link token sent by email. Only its SHA-256 is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose, length=30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """One try at the login form, kept for the lock-out rules (portal/accounts/guard.py) and the
    administrator's list of failed logins. ``email`` is what was typed (normalised); ``user_id``
    is set when it named an account. No password, right or wrong, is ever stored."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_attempted_at", "email", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    is_success: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User | None] = relationship()
