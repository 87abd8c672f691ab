"""The reports' pages: which cooperatives came to an event, on screen and as CSV and XLSX; and the
board's inbox, everything its cooperative received, with its certificates one by one or as a ZIP."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, owner, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.certificates import documents as certificate_documents
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import approved_cooperative_id, may_act_for
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.documents import spreadsheets
from portal.events.models import Event
from portal.extensions import db
from portal.invitations.models import Invitation
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.privacy.access import log_access
from portal.privacy.models import AccessKind
from portal.registrations.models import Registration
from portal.reports import inbox as inbox_queries
from portal.reports import reach, turnout
from portal.reports.forms import TurnoutFilterForm
from portal.reports.models import ReachKind
from portal.reports.report_views import bp as report_pages_bp
from portal.transactions import act

bp = Blueprint("reports", __name__)
bp.register_blueprint(report_pages_bp)


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
    found = turnout.all_rows(event, current_actor(), **_turnout_filters(form))
    log_access(current_user, AccessKind.EXPORT, "cooperatives", event=event, row_count=len(found))
    header, rows = turnout.table(found)
    return spreadsheets.download(kind, header, rows, title=_("Cooperatives"), filename=f"cooperatives-{event.id}",
                                 separator_name=request.args.get("separator"))


# -- the board's inbox ----------------------------------------------------------------------------


def _cooperative_for(cooperative_id: int) -> Cooperative:
    """The cooperative, for its own board or the office's staff; anyone else's is a 404."""
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor())
    if not may_act_for(current_user, cooperative.id):
        abort(404)
    return cooperative


@bp.get("/my-cooperative/inbox")
@roles(Role.BOARD)
def my_inbox():
    cooperative_id = approved_cooperative_id(current_user)
    if cooperative_id is None:
        return redirect(url_for("cooperatives.mine"))
    return redirect(url_for("reports.inbox", cooperative_id=cooperative_id))


@bp.get("/cooperatives/<int:cooperative_id>/inbox")
@owner(*STAFF_ROLES, Role.BOARD)
def inbox(cooperative_id: int):
    """Everything the cooperative received, event by event."""
    cooperative = _cooperative_for(cooperative_id)
    page = paginate(inbox_queries.events_query(cooperative.id))
    return render_template("reports/inbox.html", cooperative=cooperative, page=page,
                           rows=inbox_queries.fill(cooperative.id, list(page.items)))


@bp.get("/cooperatives/<int:cooperative_id>/events/<int:event_id>/certificates.zip")
@owner(*STAFF_ROLES, Role.BOARD)
def certificates_zip(cooperative_id: int, event_id: int):
    """All the cooperative's certificates of one event, as one ZIP of PDFs."""
    cooperative = _cooperative_for(cooperative_id)
    event = load_or_404(Event, event_id, current_actor())
    certificates = list(db.session.scalars(inbox_queries.certificates_query(cooperative.id, [event.id])))
    if not certificates:
        abort(404)
    body = inbox_queries.certificates_zip(certificates, certificate_documents.certificate_pdf,
                                          certificate_documents.filename)
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="sertifikat-{event.id}-{cooperative.id}.zip"'})


# -- reach without email --------------------------------------------------------------------------


@bp.get("/organiser/events/<int:event_id>/without-email")
@roles(*STAFF_ROLES)
def without_email(event_id: int):
    """"Tanpa email": the event's people without an address, the messages offered by WhatsApp and
    those sent already."""
    event = load_or_404(Event, event_id, current_actor())
    page = paginate(reach.without_email_query(event.id))
    # The cooperatives' list pages by its own argument, beside the people's.
    cooperatives_page = db.paginate(reach.cooperatives_without_email_query(event.id),
                                    page=request.args.get("cpage", 1, type=int),
                                    per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("reports/without_email.html", event=event, page=page,
                           rows=reach.fill(event, list(page.items)), cooperatives_page=cooperatives_page,
                           cooperative_rows=reach.fill_cooperatives(event, list(cooperatives_page.items)))


@bp.post("/organiser/registrations/<int:registration_id>/reach/<kind>")
@roles(*STAFF_ROLES)
def record_reach(registration_id: int, kind: str):
    """Record the message as sent, then open it in WhatsApp (a landline: back to the list)."""
    registration = load_or_404(Registration, registration_id, current_actor())
    try:
        reach_kind = ReachKind(kind)
    except ValueError:
        abort(404)
    back = url_for("reports.without_email", event_id=registration.event_id)
    return act(lambda: reach.record_reach(current_user, registration, reach_kind),
               done=_("Recorded: %(message)s to %(name)s by WhatsApp.", message=reach_kind.label,
                      name=registration.participant.full_name),
               then=lambda result: result[1] or back, back=back)


@bp.post("/organiser/invitations/<int:invitation_id>/reach/<kind>")
@roles(*STAFF_ROLES)
def record_cooperative_reach(invitation_id: int, kind: str):
    """Record the message to a cooperative without an address as sent, then open it in WhatsApp."""
    invitation = load_or_404(Invitation, invitation_id, current_actor())
    if invitation.cooperative_id is None or kind not in (ReachKind.INVITATION, ReachKind.NAMES_OWED):
        abort(404)
    reach_kind = ReachKind(kind)
    back = url_for("reports.without_email", event_id=invitation.event_id)
    return act(lambda: reach.record_cooperative_reach(current_user, invitation, reach_kind),
               done=_("Recorded: %(message)s to %(name)s by WhatsApp.", message=reach_kind.label,
                      name=invitation.cooperative.name),
               then=lambda result: result[1] or back, back=back)
