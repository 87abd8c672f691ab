import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.events.models import Event
from portal.extensions import db
from portal.offices.scope import scope_by
from portal.registrations.models import Registration

# Unambiguous on paper (no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B); 12 of them are about 52 random bits.
CODE_ALPHABET = "ACEFHJKMNPRTUVWXY3479"
CODE_LENGTH = 12


def random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Certificate(db.Model):
    """A training's certificate of completion for one registration: at most one, ever (issuing
    again issues nobody twice, and a revoked certificate stays revoked). The person's name and
    cooperative, the sessions and minutes attended are kept as they were when it was issued, so
    the printed certificate and the public check always agree."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("(revoked_at IS NULL AND revoke_reason IS NULL) "
                        "OR (revoked_at IS NOT NULL AND revoke_reason IS NOT NULL)", name="revocation_has_reason"),
        CheckConstraint("sessions_attended >= 1 AND minutes_attended >= 0", name="attended_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # Random, never sequential: it is what the public verification page is looked up by.
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True, default=random_code)
    full_name: Mapped[str] = mapped_column(String(120))
    affiliation: Mapped[str] = mapped_column(String(200))
    sessions_attended: Mapped[int]
    minutes_attended: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))

    registration: Mapped[Registration] = relationship()
    event: Mapped[Event] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed: K7FA-3XMC-PRTU."""
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))

    @property
    def audit_label(self) -> str:
        return f"{self.full_name} → {self.event.title} ({self.display_code})"


scope_by(Certificate, through=(Certificate.event_id, Event))
