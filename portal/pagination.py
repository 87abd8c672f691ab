"""Counts that stop at a limit, and pages of lists whose total is one of them.

At a regency's size every count is exact. At a country's, an exact ``count(*)`` over the whole
filtered set on every request costs as much as the set is large; a count that stops at
``COUNT_LIMIT`` (1,000 by default) reads at most that many index entries, and the page says
"more than 1,000" instead. The pager then offers the pages within the limit, and a search or a
filter narrows the rest.
"""

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from portal.extensions import db


def count_limit() -> int:
    return current_app.config["COUNT_LIMIT"]


def bounded_count(query, limit: int | None = None):
    """A scalar subquery: how many rows ``query`` gives, counting no further than ``limit`` + 1.
    Several go in one statement: ``select(bounded_count(a), bounded_count(b))``."""
    limit = count_limit() if limit is None else limit
    rows = query.order_by(None).limit(limit + 1).subquery()
    return select(func.count()).select_from(rows).scalar_subquery()


def paginate(query, total: int | None = None):
    """One page of ``query``; its total is ``total`` (a bounded count the caller already has)
    or a bounded count of its own. ``page.is_total_capped`` tells "more than" from exact."""
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False, count=False)
    page.total = db.session.scalar(select(bounded_count(query))) if total is None else total
    page.is_total_capped = page.total > count_limit()
    return page


def format_count(n: int) -> str:
    """A bounded count as a page shows it: '1.234', or 'more than 1.000' past the limit."""
    limit = count_limit()
    return _("more than %(n)s", n=format_decimal(limit)) if n > limit else format_decimal(n)


class _ListPagination(Pagination):
    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def paginate_rows(rows: list, page: int, per_page: int) -> Pagination:
    """One page of rows already read (a report's grouped rows), with the pager's attributes."""
    result = _ListPagination(page=page, per_page=per_page, error_out=False, rows=rows)
    result.is_total_capped = False
    return result
