"""Odd input is refused where it enters the portal, once for every view, never deep inside as a
database error (a 500):

- integers in a URL (``<int:event_id>``) beyond the range of the database's ``INTEGER`` match no
  route: a 404, as for any other id that is no row's;
- integers read from the query string or a posted form with ``type=int`` (``?page=``) beyond that
  range count as malformed: the caller's default;
- a NUL byte anywhere in the path, the query string or a posted value is a 400: PostgreSQL text
  cannot hold one, and no person types one.

The base form (``portal/forms.py``) adds what needs a message beside its field: line breaks in
single-line fields and numbers beyond the columns' range.
"""

from flask import Request, abort, has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

# PostgreSQL's INTEGER, which every id and count column is.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def bounded_int(value) -> int:
    """``int(value)`` within the database's INTEGER; ValueError otherwise."""
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError(value)
    return number


def page_number() -> int:
    """``?page=`` as a page number: 1 when missing, malformed, below 1 or beyond INTEGER."""
    return max(request.args.get("page", 1, type=int), 1) if has_request_context() else 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` up to INT_MAX: a larger id is no row's, so no route matches it (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedMultiDict(ImmutableMultiDict):
    """Query-string and form values whose ``get(..., type=int)`` keeps within INTEGER, as
    Flask-SQLAlchemy's ``paginate`` reads ``?page=``."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):  # noqa: A002
        return super().getlist(key, bounded_int if type is int else type)


class PortalRequest(Request):
    parameter_storage_class = BoundedMultiDict


def _has_nul(values: BoundedMultiDict) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul_bytes() -> None:
    """Before each request: a NUL byte in the path, a query-string key or value, or a posted field
    is a bad request."""
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return
    if _has_nul(request.form):
        abort(400)


def init_app(app) -> None:
    app.request_class = PortalRequest
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_nul_bytes)
