"""The report pages, a part of the reports blueprint (endpoints ``reports.pages.*``): each report
for a year or a date range, filtered, with its chart and its table; as CSV, XLSX and a PDF on the
letterhead. Staff and leaders read them (a leader only reads anyway)."""

import base64

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.documents import spreadsheets
from portal.documents.pdf import PDF_MIMETYPE, render_pdf
from portal.events.models import Event
from portal.inputs import page_number
from portal.offices.scope import load_or_404
from portal.pagination import paginate_rows
from portal.privacy.access import log_access
from portal.privacy.models import AccessKind
from portal.reports import lists, snapshots
from portal.reports.cache import cached
from portal.reports.catalogue import REPORTS, Report
from portal.reports.charts import bar_chart
from portal.reports.figures import Filters
from portal.reports.forms import DirectoryExportForm, ReportFilterForm, TrackingExportForm
from portal.revival.dates import office_today
from portal.security import content_security_policy

bp = Blueprint("pages", __name__)
READERS = (*STAFF_ROLES, Role.LEADER)
CHART_BARS = 12  # the chart's largest groups; the table beside it holds them all
ROWS_SHOWN = 50  # a page's rows, with a pager; the CSV and XLSX hold them all


def _report(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        abort(404)
    return report


def _filters(form: ReportFilterForm) -> Filters:
    """The form's filters; what does not validate falls back to this year, unfiltered."""
    year = office_today().year
    if not form.validate():
        return Filters.year(year)
    extra = {"district_ids": tuple(ids) if (ids := district_ids_for(form.district_id.data, current_actor()))
             is not None else None,
             "cooperative_type": form.cooperative_type.data or None, "program_area": form.program_area.data or None}
    if form.begins.data and form.ends.data:
        return Filters(form.begins.data, form.ends.data, **extra)
    return Filters.year(form.year.data or year, **extra)


def _table(name: str):
    """The report, its form, its filters and its table (from the cache when fresh), with when the
    figures were read."""
    report = _report(name)
    form = ReportFilterForm(request.args, meta={"csrf": False})
    filters = _filters(form)
    table, as_of = snapshots.read(report.name, filters, current_actor(),
                                  lambda: report.build(filters, current_actor()))
    return report, form, filters, table, as_of


def _chart(name: str, filters, table) -> str | None:
    if not table.chart_labels:
        return None
    svg, _as_of = cached(f"{name}.svg", filters, current_actor(),
                         lambda: bar_chart(table.chart_title, *table.chart_top(CHART_BARS)))
    return svg


@bp.get("/reports/")
@roles(*READERS)
def index():
    return render_template("reports/index.html", reports=list(REPORTS.values()))


@bp.get("/reports/<name>")
@roles(*READERS)
def show(name: str):
    report, form, filters, table, as_of = _table(name)
    return render_template("reports/report.html", report=report, form=form, filters=filters, table=table,
                           reports=list(REPORTS.values()), as_of=as_of,
                           page=paginate_rows(table.rows, page_number(), ROWS_SHOWN), more_rows_shown=ROWS_SHOWN,
                           chart_bars=CHART_BARS,
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"], current_actor()))


@bp.get("/reports/<name>/chart.svg")
@roles(*READERS)
@content_security_policy(default_src="'none'", style_src="'unsafe-inline'", script_src="'none'", img_src=None,
                         form_action=None)
def chart(name: str):
    """The chart as an image (an <img> on the page: its inline styles stay out of the page's CSP)."""
    _report_, _form, filters, table, _as_of = _table(name)
    svg = _chart(name, filters, table)
    if svg is None:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@bp.get("/reports/<name>.<kind>")
@roles(*READERS)
def export(name: str, kind: str):
    report, _form, filters, table, _as_of = _table(name)
    if kind == "pdf":
        svg = _chart(name, filters, table)
        chart_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else None
        body = render_pdf("reports/report_pdf.html", report=report, filters=filters, table=table, chart=chart_uri)
        return Response(body, mimetype=PDF_MIMETYPE,
                        headers={"Content-Disposition": f'attachment; filename="laporan-{report.name}.pdf"'})
    if kind not in ("csv", "xlsx"):
        abort(404)
    rows, width = table.rows, len(table.header)
    for part in table.more:  # under the first, each after a blank row and its title, as wide as the first
        rows = [*rows, *([*row, *[None] * (width - len(row))]
                         for row in ([], [part.title], part.header, *part.rows))]
    return spreadsheets.download(kind, table.header, rows, title=str(report.title)[:31],
                                 filename=f"laporan-{report.name}", separator_name=request.args.get("separator"))


# -- the lists staff keep, exported ---------------------------------------------------------------


def _download(kind: str, header, rows, title: str, filename: str) -> Response:
    if kind not in ("csv", "xlsx"):
        abort(404)
    return spreadsheets.download(kind, header, rows, title=title, filename=filename,
                                 separator_name=request.args.get("separator"))


def _valid(field):
    return field.data if field.data and not field.errors else None


# One endpoint per format (no argument in the path): the office-scope walk reads them as list pages.
@bp.get("/cooperatives/directory.csv")
@roles(*READERS)
def directory_csv():
    return directory_export("csv")


@bp.get("/cooperatives/directory.xlsx")
@roles(*READERS)
def directory_xlsx():
    return directory_export("xlsx")


def directory_export(kind: str):
    """The directory under the page's filters (name, district, type, status, sort)."""
    form = DirectoryExportForm(request.args, meta={"csrf": False})
    form.validate()
    filters = {"search": _valid(form.q), "type": _valid(form.type), "status": _valid(form.status),
               "district_ids": district_ids_for(_valid(form.district), current_actor()),
               "sort": _valid(form.sort) or "name"}
    header, rows = lists.directory(filters, current_actor())
    # The cooperatives' contacts (an email, a phone) can be a person's; streamed, so not counted.
    log_access(current_user, AccessKind.EXPORT, "directory", label=_("Cooperatives"))
    return _download(kind, header, rows, _("Cooperatives"), "koperasi")


@bp.get("/organiser/events/<int:event_id>/invitations.<kind>")
@roles(*READERS)
def invitations_export(event_id: int, kind: str):
    event = load_or_404(Event, event_id, current_actor())
    form = TrackingExportForm(request.args, meta={"csrf": False})
    filters = {}
    if form.validate():
        filters = {"delivery": form.delivery.data or None, "answer": form.answer.data or None,
                   "district_ids": district_ids_for(form.district_id.data, current_actor()), "search": form.q.data}
    header, rows = lists.invitation_tracking(event.id, filters)
    log_access(current_user, AccessKind.EXPORT, "invitations", event=event, row_count=len(rows))
    return _download(kind, header, rows, _("Invitations"), f"undangan-{event.id}")


@bp.get("/organiser/certificates.csv")
@roles(*READERS)
def certificates_csv():
    return certificates_export("csv")


@bp.get("/organiser/certificates.xlsx")
@roles(*READERS)
def certificates_xlsx():
    return certificates_export("xlsx")


def certificates_export(kind: str):
    """The certificate register of the period (the report filters' year or date range)."""
    filters = _filters(ReportFilterForm(request.args, meta={"csrf": False}))
    header, rows = lists.certificate_register(filters.begins, filters.ends, current_actor())
    log_access(current_user, AccessKind.EXPORT, "certificates", label=_("Certificates"), row_count=len(rows))
    return _download(kind, header, rows, _("Certificates"), f"sertifikat-{filters.begins.year}")
