"""The reports' pages: which cooperatives came to an event, on screen and as CSV and XLSX."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.documents import spreadsheets
from portal.events.models import Event
from portal.offices.scope import load_or_404
from portal.reports import turnout
from portal.reports.forms import TurnoutFilterForm

bp = Blueprint("reports", __name__)


def _turnout_filters(form: TurnoutFilterForm) -> dict:
    if not form.validate():
        return {}
    return {"stage": form.stage.data or None, "district_ids": district_ids_for(form.district_id.data, current_actor())}


@bp.get("/organiser/events/<int:event_id>/cooperatives")
@roles(*STAFF_ROLES)
def cooperatives(event_id: int):
    """Which cooperatives came: every cooperative invited or registered, and how far it went."""
    event = load_or_404(Event, event_id, current_actor())
    form = TurnoutFilterForm(request.args, meta={"csrf": False})
    filters = _turnout_filters(form)
    return render_template("reports/cooperatives.html", event=event, form=form,
                           page=turnout.page(event, current_actor(), **filters),
                           counts=turnout.stage_counts(event.id, current_actor()), stages=list(turnout.Stage),
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"], current_actor()))


@bp.get("/organiser/events/<int:event_id>/cooperatives.<kind>")
@roles(*STAFF_ROLES)
def cooperatives_export(event_id: int, kind: str):
    event = load_or_404(Event, event_id, current_actor())
    if kind not in ("csv", "xlsx"):
        abort(404)
    form = TurnoutFilterForm(request.args, meta={"csrf": False})
    header, rows = turnout.table(turnout.all_rows(event, current_actor(), **_turnout_filters(form)))
    return spreadsheets.download(kind, header, rows, title=_("Cooperatives"), filename=f"cooperatives-{event.id}",
                                 separator_name=request.args.get("separator"))
