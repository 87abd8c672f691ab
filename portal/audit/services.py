import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select, tuple_

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


def _office_of(actor, target) -> int | None:
    """The office a change was made in: the changed row's office when its model declares one
    (``portal/offices/scope.py``), else the actor's."""
    from portal.offices.scope import is_scoped, office_id_of

    if is_scoped(type(target)):
        office_id = office_id_of(target)
        if office_id is not None:
            return office_id
    return getattr(actor, "office_id", None)


def record_change(actor, action: str, target, before: dict | None = None, after: dict | None = None, *,
                  office_id: int | None = None) -> AuditEntry:
    """Write one audit entry. ``actor`` is a User or None for the command line. The entry's office
    is ``office_id``, else the changed row's, else the actor's, else the first office's."""
    db.session.flush()
    if before is not None and after is not None:
        changed = {key for key in after if before.get(key) != after.get(key)}
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    entry = AuditEntry(
        office_id=office_id or _office_of(actor, target),
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
                since: datetime | None = None, until: datetime | None = None, reader=None):
    """The log of the offices ``reader`` reads, newest first, filtered; ``keyset_page`` pages it."""
    from portal.offices.scope import scoped

    query = scoped(select(AuditEntry), AuditEntry, reader).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
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


@dataclass(frozen=True)
class Cursor:
    """Where a page of the log starts: the (created_at, id) of the last entry seen."""

    created_at: datetime
    id: int

    def __str__(self) -> str:
        return f"{self.created_at.astimezone(UTC).isoformat()},{self.id}"

    @classmethod
    def of(cls, entry: AuditEntry) -> "Cursor":
        return cls(entry.created_at, entry.id)


@dataclass(frozen=True)
class KeysetPage:
    items: list[AuditEntry]
    older: Cursor | None  # the cursor for the page of older entries, if there are any
    newer: Cursor | None  # the cursor for the page of newer entries, if there are any


def keyset_page(query, per_page: int, older: Cursor | None = None, newer: Cursor | None = None) -> KeysetPage:
    """One page of ``audit_query(...)``: the entries just older than ``older``, or just newer than
    ``newer``, or the newest. One query whatever the depth: no OFFSET and no count; one row more
    than the page tells whether there is a page beyond."""
    key = tuple_(AuditEntry.created_at, AuditEntry.id)
    if newer is not None:
        query = (query.where(key > tuple_(newer.created_at, newer.id)).order_by(None)
                 .order_by(AuditEntry.created_at.asc(), AuditEntry.id.asc()))
    elif older is not None:
        query = query.where(key < tuple_(older.created_at, older.id))
    rows = list(db.session.scalars(query.limit(per_page + 1)))
    beyond = len(rows) > per_page
    rows = rows[:per_page]
    if newer is not None:
        rows.reverse()
        has_newer, has_older = beyond, True
    else:
        has_newer, has_older = older is not None, beyond
    if not rows:  # past either end (an entry deleted, a stale link): no links but back to the start
        return KeysetPage([], None, None)
    return KeysetPage(rows, Cursor.of(rows[-1]) if has_older else None, Cursor.of(rows[0]) if has_newer else None)
