"""The reports' figures through the API: the same table the report page, its CSV and its XLSX
read (``reports.catalogue``), for the same filters, through the same short-lived cache."""

from datetime import date

from flask import abort
from flask_smorest import Blueprint

from portal.accounts.access import current_actor, roles, token_scope
from portal.accounts.models import STAFF_ROLES
from portal.api import schemas
from portal.api.models import ApiScope
from portal.cooperatives.services import district_ids_for
from portal.reports import snapshots
from portal.reports.catalogue import REPORTS
from portal.reports.figures import Filters
from portal.revival.dates import office_today

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1",
               description="The reports' figures (reach, revival, trainings, attendance, participants).")


def _filters(args) -> Filters:
    ids = district_ids_for(str(args["district_id"] or ""), current_actor())
    extra = {"district_ids": tuple(ids) if ids is not None else None,
             "cooperative_type": args["cooperative_type"].value if args["cooperative_type"] else None,
             "program_area": args["program_area"].value if args["program_area"] else None}
    if args["begins"]:
        return Filters(args["begins"], args["ends"], **extra)
    return Filters.year(args["year"] or office_today().year, **extra)


def _rows(rows) -> list[list]:
    """The table's rows with dates as ISO dates (JSON has none of its own)."""
    return [[value.isoformat() if isinstance(value, date) else value for value in row] for row in rows]


@bp.route("/reports/<name>", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.REPORTS_READ)
@bp.arguments(schemas.ReportQuery, location="query")
@bp.response(200, schemas.ReportSchema)
def report(args, name: str):
    """One report's table for a year or a range, filtered as the report page is: `name` is one of
    reach, revival, trainings, attendance, participants."""
    found = REPORTS.get(name)
    if found is None:
        abort(404)
    filters, actor = _filters(args), current_actor()
    table, as_of = snapshots.read(found.name, filters, actor, lambda: found.build(filters, actor))
    more = [{"title": str(part.title), "header": [str(h) for h in part.header], "rows": _rows(part.rows)}
            for part in table.more]
    return {"report": found.name, "title": str(found.title), "begins": filters.begins, "ends": filters.ends,
            "as_of": as_of, "header": [str(h) for h in table.header], "rows": _rows(table.rows),
            "notes": [str(n) for n in table.notes], "second": more[0] if more else None, "more": more}
