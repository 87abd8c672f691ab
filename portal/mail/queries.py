"""What other capabilities may ask of the outbox, by subject key (kind and id): the mail layer
owns its tables, so no capability queries ``OutboxMessage`` itself."""

from datetime import datetime, timedelta

from flask import g
from sqlalchemy import String, and_, case, cast, func, or_, select

from portal.database import utcnow
from portal.extensions import db
from portal.mail.models import MessageStatus, OutboxMessage
from portal.offices.scope import office_clause, office_ids
from portal.pagination import bounded_count

PENDING = (MessageStatus.QUEUED, MessageStatus.SENDING)


def _about(kind: str, ids):
    """``ids`` may be a list or a select of ids (of any type: the key holds them as text)."""
    ids = select(cast(ids.subquery().c[0], String)) if hasattr(ids, "subquery") else [str(i) for i in ids]
    return OutboxMessage.concerns_kind == kind, OutboxMessage.concerns_id.in_(ids)


def messages_concerning(kind: str, ids, *, template: str | None = None, statuses=None):
    """A select of the messages about ``kind`` rows ``ids``, oldest first; the caller runs it."""
    query = select(OutboxMessage).where(*_about(kind, ids)).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    if statuses:
        query = query.where(OutboxMessage.status.in_(list(statuses)))
    return query


def recipients_concerning(kind: str, id_, *, template: str | None = None) -> set[str]:
    """The addresses (lower-cased) already written to about one row."""
    query = select(func.lower(OutboxMessage.recipient_email)).where(*_about(kind, [id_]))
    if template:
        query = query.where(OutboxMessage.template == template)
    return set(db.session.scalars(query))


def unsent_messages(kind: str, ids, template: str) -> dict[tuple[str, str], int]:
    """``{(subject id, address): message id}`` of the ``template`` messages about ``ids`` that have
    not been sent (queued, being sent, or failed): what a later message must not overtake."""
    rows = db.session.execute(
        select(OutboxMessage.concerns_id, OutboxMessage.recipient_email, OutboxMessage.id)
        .where(*_about(kind, ids), OutboxMessage.template == template,
               OutboxMessage.status.in_((*PENDING, MessageStatus.FAILED)))
        .order_by(OutboxMessage.id))
    return {(concerns_id, email): message_id for concerns_id, email, message_id in rows}


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def delivery_stats(kind: str, ids, template: str | None = None):
    """A subquery, per subject id (``key``, text): how many messages, and how many sent, pending
    and failed; for a capability to join to its own rows."""
    query = select(OutboxMessage.concerns_id.label("key"), func.count().label("total"),
                   _count_where(OutboxMessage.status == MessageStatus.SENT).label("sent"),
                   _count_where(OutboxMessage.status.in_(PENDING)).label("pending"),
                   _count_where(OutboxMessage.status == MessageStatus.FAILED).label("failed")
                   ).where(*_about(kind, ids))
    if template:
        query = query.where(OutboxMessage.template == template)
    return query.group_by(OutboxMessage.concerns_id).subquery()


def count_about(kind: str, id_column, template: str, statuses=None):
    """A correlated scalar subquery: how many ``template`` messages (in ``statuses``, or any) are
    about the ``kind`` row whose id is ``id_column``, through the subject index; for a capability
    that keeps counts of its messages on its own rows."""
    query = select(func.count()).where(OutboxMessage.concerns_kind == kind,
                                       OutboxMessage.concerns_id == cast(id_column, String),
                                       OutboxMessage.template == template)
    if statuses:
        query = query.where(OutboxMessage.status.in_(list(statuses)))
    return query.scalar_subquery()


def progress(kind: str, ids, template: str | None = None) -> dict[str, int]:
    """The messages about ``ids`` by state: queued (or being sent), sent, failed, cancelled."""
    query = select(OutboxMessage.status, func.count()).where(*_about(kind, ids))
    if template:
        query = query.where(OutboxMessage.template == template)
    counts = {"queued": 0, "sent": 0, "failed": 0, "cancelled": 0}
    for status, n in db.session.execute(query.group_by(OutboxMessage.status)):
        counts["queued" if status in PENDING else status.value] += n
    return counts


def count_keyed(prefix: str) -> int:
    """How many messages have an idempotency key starting with ``prefix``."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.idempotency_key.startswith(prefix, autoescape=True)))


FAILED_WINDOW = timedelta(days=7)
RETRYING_FOR = timedelta(hours=1)


def _failed_lately(now: datetime):
    return and_(OutboxMessage.status == MessageStatus.FAILED, OutboxMessage.next_attempt_at >= now - FAILED_WINDOW)


def _retrying_long(now: datetime):
    return and_(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.attempts > 0,
                OutboxMessage.created_at <= now - RETRYING_FOR)


def in_trouble(now: datetime):
    """SQL: a message that failed for good in the last 7 days (its last attempt was then), or one
    still retrying more than an hour after it was queued."""
    return or_(_failed_lately(now), _retrying_long(now))


def trouble_counts(now: datetime | None = None, actor=None, bounded: bool = False) -> dict[str, int]:
    """How many messages of the offices ``actor`` reads (every office's without an actor) failed
    for good lately and how many have been retrying for long: what staff must see (the
    navigation bar's badge, the administrators' daily summary). ``bounded``: each count stops
    past the count limit (``portal/pagination.py``), as the badge on every staff page does: a
    country's week of failures is thousands of rows."""
    now = now or utcnow()
    # Two counts, each through its own partial index (``ix_outbox_messages_failed`` and
    # ``ix_outbox_messages_retrying``).
    mine = office_clause(OutboxMessage, office_ids(actor))
    if bounded:
        # The indexed columns only, so PostgreSQL counts from ``ix_outbox_messages_failed`` alone.
        failed = bounded_count(select(OutboxMessage.next_attempt_at).where(_failed_lately(now), mine))
        retrying = bounded_count(select(OutboxMessage.id).where(_retrying_long(now), mine))
    else:
        failed = select(func.count()).where(_failed_lately(now), mine).scalar_subquery()
        retrying = select(func.count()).where(_retrying_long(now), mine).scalar_subquery()
    failed, retrying = db.session.execute(select(failed, retrying)).one()
    return {"failed": failed, "retrying": retrying, "total": failed + retrying}


def badge_counts(actor) -> dict[str, int]:
    """The navigation bar's badge: ``trouble_counts`` bounded, read once per request (the home
    page's panels show the same counts)."""
    memo = g.setdefault("mail_badge_counts", {})
    key = getattr(actor, "id", None)
    if key not in memo:
        memo[key] = trouble_counts(actor=actor, bounded=True)
    return memo[key]
