"""Who saw what: every export of personal data and every API read of people is recorded here,
and administrators read the log of their offices.

A capability that hands personal data out calls ``record_personal_data_access`` (a service: it
flushes) or, from a GET view that has no transaction of its own to commit, ``log_access`` (the
request's bookkeeping, written and committed before the data is streamed, as a login's
last-seen time is). Issue 27's directory exports and any later export register in one line each:

    log_access(current_user, AccessKind.EXPORT, "people", label=_("Directory"), row_count=n)
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_

from portal.database import utcnow, write_apart
from portal.extensions import db
from portal.offices.scope import scoped
from portal.privacy.models import AccessKind, PersonalDataAccess


def record_personal_data_access(actor, kind: AccessKind, subject: str, *, event=None, label: str | None = None,
                                row_count: int | None = None, office_id: int | None = None,
                                now: datetime | None = None) -> PersonalDataAccess:
    """One entry: ``actor`` (a User) handed out ``row_count`` rows of ``subject`` (of ``event``).
    The entry's office is ``office_id``, else the event's, else the actor's."""
    office_id = office_id or (event.office_id if event is not None else None) or getattr(actor, "office_id", None)
    entry = PersonalDataAccess(
        accessed_at=now or utcnow(), actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system", kind=kind, subject=subject,
        event_id=event.id if event is not None else None,
        label=(label or (event.title if event is not None else None) or "")[:255] or None,
        row_count=row_count)
    if office_id is not None:
        entry.office_id = office_id
    db.session.add(entry)
    db.session.flush()
    return entry


def log_access(actor, kind: AccessKind, subject: str, **details) -> None:
    """``record_personal_data_access`` in its own write transaction, committed: for the GET views
    (exports, API reads) that hand data out and change nothing else. What the request has loaded
    is not expired by these commits: a page already read is serialised without reading it again."""
    with write_apart(db.session):
        record_personal_data_access(actor, kind, subject, **details)


def count_rows(query) -> int:
    """How many rows ``query`` gives, for the log of an export that streams them."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@dataclass(frozen=True)
class AccessPage:
    items: list
    older: tuple | None  # (accessed_at ISO, id) of the last row, when there are older entries
    page_size: int


def access_page(reader, per_page: int, older: tuple[datetime, int] | None = None) -> AccessPage:
    """The log of the offices ``reader`` reads, newest first: one query whatever the depth (a
    keyset on (accessed_at, id), no OFFSET, no count; the actor is named by the entry's own text)."""
    query = (scoped(select(PersonalDataAccess), PersonalDataAccess, reader)
             .order_by(PersonalDataAccess.accessed_at.desc(), PersonalDataAccess.id.desc()))
    if older is not None:
        query = query.where(tuple_(PersonalDataAccess.accessed_at, PersonalDataAccess.id) < tuple_(*older))
    rows = list(db.session.scalars(query.limit(per_page + 1)))
    beyond = len(rows) > per_page
    rows = rows[:per_page]
    return AccessPage(rows, (rows[-1].accessed_at.isoformat(), rows[-1].id) if beyond else None, per_page)
