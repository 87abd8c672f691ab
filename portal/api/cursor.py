"""Cursor (keyset) pagination: a page is the rows after the last one the client saw, in a fixed
order ending with the primary key, so a row inserted meanwhile neither repeats a row nor hides
one, and a page costs the same however deep it is (no OFFSET)."""

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import literal, tuple_

from portal.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class CursorPage:
    items: list
    next_cursor: str | None


def _encode(values: list) -> str:
    plain = [value.isoformat() if isinstance(value, date | datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, keys) -> list:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError
        return [_typed(key, value) for key, value in zip(keys, raw, strict=True)]
    except (ValueError, TypeError):
        abort(400)


def _typed(key, value):
    python_type = key.type.python_type
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is int:
        if not isinstance(value, int) or isinstance(value, bool) or not -2**63 < value < 2**63:
            raise ValueError
        return value
    if not isinstance(value, str):
        raise ValueError
    return value


def keyset_page(query, keys, cursor: str | None, limit: int | None) -> CursorPage:
    """One page of ``query`` (ORM rows) ordered by ``keys`` (columns, the last one unique)."""
    limit = min(max(limit or DEFAULT_LIMIT, 1), MAX_LIMIT)
    query = query.order_by(None).order_by(*keys)
    if cursor:
        values = _decode(cursor, keys)
        after = tuple_(*(literal(value, key.type) for key, value in zip(keys, values, strict=True)))
        query = query.where(tuple_(*keys) > after)
    rows = list(db.session.scalars(query.limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode([getattr(rows[-1], key.key) for key in keys]) if more else None
    return CursorPage(rows, next_cursor)
