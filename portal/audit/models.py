from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.offices.models import first_office_id


class AuditEntry(db.Model):
    """Who did what to which object, when, with the values before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        # The log's order, newest first, which its pages walk by keyset (created_at, id).
        Index("ix_audit_entries_created_at_id", "created_at", "id"),
        # The actor search (any part of a name or address): a trigram index on PostgreSQL; on
        # SQLite a regency's log is scanned fast enough (migrations/env.py compares it there only).
        Index("ix_audit_entries_actor_label_trgm", "actor_label", postgresql_using="gin",
              postgresql_ops={"actor_label": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        # One office's log in the same order.
        Index("ix_audit_entries_office_created_at_id", "office_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Kept as text too, so the entry still says who it was if the account goes.
    actor_label: Mapped[str] = mapped_column(String(254))
    # The office the change was made in (the actor's); None from the command line or a superuser.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"),
                                                  default=first_office_id)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    object_label: Mapped[str | None] = mapped_column(String(255))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")


event.listen(AuditEntry.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))
