import enum
from datetime import date, datetime, time

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db

SYSTEM_ACTOR = "system"  # the actor label of a change made from the command line


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def snapshot(obj, fields: list[str]) -> dict:
    """The named attributes of ``obj`` as JSON-safe values, for before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(actor, action: str, target, before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Write one audit entry. ``actor`` is a User or None for the command line."""
    db.session.flush()
    if before is not None and after is not None:
        changed = {key for key in after if before.get(key) != after.get(key)}
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else SYSTEM_ACTOR,
        action=action,
        object_type=target.__tablename__,
        object_id=str(target.id),
        object_label=str(getattr(target, "audit_label", "") or "")[:255] or None,
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_query(action: str | None = None, actor: str | None = None, object_type: str | None = None,
                since: datetime | None = None, until: datetime | None = None):
    """The log, newest first, filtered; the caller paginates."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor_label.ilike(f"%{actor.strip()}%"))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    return query


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
