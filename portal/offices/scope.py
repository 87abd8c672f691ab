"""Which offices' rows an actor may read and change: the one rule every view, query and service
uses, so that no office reads another's rows.

- Staff (organisers, administrators) of a regency office read and change that office's rows.
- Staff of a province office (``Office.province_id``) read the offices covering that province's
  regencies too, and change only their own office's rows (read-only by default).
- An administrator without an office reads and changes every office's rows.
- A leader (pimpinan) reads what the staff of its office read and changes no office's rows.
- Anyone else (a board member, a visitor) is not limited by office here: what they may see is
  decided by ownership (``cooperatives/policies.py``) and by what is public, as before.

A model takes part by declaring how its rows reach an office, next to the model::

    scope_by(Event, Event.office_id)                       # a column
    scope_by(Registration, through=(Registration.event_id, Event))   # a parent that has one

Then ``scoped(select(Registration), Registration, actor)`` narrows any query, and
``load_or_404(Registration, registration_id, actor)`` loads one row for a detail route: a row of
an office the actor may not read is a 404, and so is one the actor may not change when the
request changes something (any method but GET/HEAD) or ``write=True``.
"""


from flask import abort, has_request_context, request
from sqlalchemy import false, select, true

from portal.accounts.models import OFFICE_ROLES, Role
from portal.extensions import db
from portal.offices.models import Office, Regency, office_regencies

# None: every office (no office limit applies to this actor).
OfficeIds = frozenset[int] | None

_RULES: dict[type, tuple] = {}
_CACHE = "_portal_office_scope"


def scope_by(model, column=None, *, through: tuple | None = None, clause=None, office_of=None) -> None:
    """Declare how ``model``'s rows reach an office: ``column`` holds the office id, or
    ``through=(foreign_key_column, Parent)`` names a parent model that is itself scoped, or
    ``clause(ids)`` and ``office_of(row)`` say it in full (staff accounts and board accounts)."""
    if sum(rule is not None for rule in (column, through, clause)) != 1:
        raise ValueError("scope_by takes one of a column, through=(foreign key, parent) or clause=")
    if column is not None:
        _RULES[model] = ("column", column)
    elif through is not None:
        _RULES[model] = ("through", *through)
    else:
        _RULES[model] = ("clause", clause, office_of)


def is_scoped(model) -> bool:
    return model in _RULES


def _is_staff(actor) -> bool:
    """Staff and leaders: the accounts of an office, limited to the offices it reads."""
    return actor is not None and getattr(actor, "role", None) in OFFICE_ROLES


def _covered_by(province_id: int) -> set[int]:
    """The offices covering a regency of the province."""
    return set(db.session.scalars(select(office_regencies.c.office_id).join(
        Regency, Regency.id == office_regencies.c.regency_id).where(Regency.province_id == province_id)))


def offices_read_by(office_id: int) -> frozenset[int]:
    """The office and, for a province's office, the offices covering that province's regencies:
    whose rows its staff read, and whose cooperatives its events invite."""
    ids = {office_id}
    office = db.session.get(Office, office_id)
    if office is not None and office.province_id is not None:
        ids |= _covered_by(office.province_id)
    return frozenset(ids)


def readable_office_ids(actor) -> OfficeIds:
    """The offices whose rows ``actor`` may read; None for every office."""
    if not _is_staff(actor) or actor.office_id is None:
        return None
    cached = getattr(actor, _CACHE, None)
    if cached is not None and cached[0] == actor.office_id:
        return cached[1]
    result = offices_read_by(actor.office_id)
    setattr(actor, _CACHE, (actor.office_id, result))
    return result


def writable_office_ids(actor) -> OfficeIds:
    """The offices whose rows ``actor`` may change: staff their own office only; None for every
    office (an administrator without an office, and actors office scope does not limit)."""
    if not _is_staff(actor) or actor.office_id is None:
        return None
    if actor.role == Role.LEADER:
        return frozenset()
    return frozenset({actor.office_id})


def office_ids(actor, write: bool = False) -> OfficeIds:
    return writable_office_ids(actor) if write else readable_office_ids(actor)


def office_clause(model, ids: OfficeIds):
    """A WHERE clause keeping ``model``'s rows of the offices ``ids`` (None: every row)."""
    if ids is None:
        return true()
    if not ids:
        return false()
    kind, *rule = _RULES[model]
    if kind == "column":
        return rule[0].in_(sorted(ids))
    if kind == "clause":
        return rule[0](sorted(ids))
    foreign_key, parent = rule
    parent_id = parent.__mapper__.primary_key[0]
    return foreign_key.in_(select(parent_id).where(office_clause(parent, ids)))


def scoped(query, model, actor, *, write: bool = False):
    """``query`` narrowed to ``model``'s rows of the offices ``actor`` may read (or change)."""
    ids = office_ids(actor, write)
    return query if ids is None else query.where(office_clause(model, ids))


def _changing() -> bool:
    return has_request_context() and request.method not in ("GET", "HEAD")


def load_or_404(model, object_id, actor, *, write: bool | None = None):
    """One row for a detail route, or 404 when it does not exist or lies outside the offices
    ``actor`` may read; when ``write`` (by default: the request changes something), outside the
    offices ``actor`` may change. One query, as ``db.get_or_404``."""
    if write is None:
        write = _changing()
    ids = office_ids(actor, write)
    if ids is None:
        return db.get_or_404(model, object_id)
    try:
        key = int(object_id)
    except (TypeError, ValueError):
        abort(404)
    primary = model.__mapper__.primary_key[0]
    found = db.session.scalar(select(model).where(primary == key, office_clause(model, ids)))
    if found is None:
        abort(404)
    return found


def check_or_404(obj, actor, *, write: bool | None = None):
    """The same rule for a row already loaded another way (by token, through a parent)."""
    if obj is None:
        abort(404)
    if write is None:
        write = _changing()
    ids = office_ids(actor, write)
    if ids is not None and office_id_of(obj) not in ids:
        abort(404)
    return obj


def may_read(actor, office_id: int | None) -> bool:
    ids = readable_office_ids(actor)
    return ids is None or office_id in ids


def may_change(actor, office_id: int | None) -> bool:
    ids = writable_office_ids(actor)
    return ids is None or office_id in ids


def office_id_of(obj) -> int | None:
    """The office a row belongs to, by its model's declaration."""
    kind, *rule = _RULES[type(obj)]
    if kind == "column":
        return getattr(obj, rule[0].key)
    if kind == "clause":
        return rule[1](obj)
    foreign_key, parent = rule
    parent_row = db.session.get(parent, getattr(obj, foreign_key.key))
    return office_id_of(parent_row) if parent_row is not None else None


def readable_offices(actor) -> list[Office]:
    """The offices ``actor`` reads, for filters and the offices page."""
    ids = readable_office_ids(actor)
    query = select(Office).order_by(Office.office_name)
    if ids is not None:
        query = query.where(Office.id.in_(sorted(ids)))
    return list(db.session.scalars(query))


