"""The office acting for a cooperative, a part of the registrations blueprint (endpoints
``registrations.office.*``): signing people up on its behalf (one without an account, often),
chosen from the registry by name or legal number."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import search_cooperatives
from portal.events.models import Event
from portal.extensions import db
from portal.forms import parse_id, parse_ids
from portal.registrations import participants, queries, services
from portal.registrations.forms import SignUpForm
from portal.transactions import act

bp = Blueprint("office", __name__)


def _chosen_cooperative() -> Cooperative | None:
    cooperative_id = parse_id(request.values.get("cooperative_id"))
    return db.session.get(Cooperative, cooperative_id) if cooperative_id else None


@bp.route("/organiser/events/<int:event_id>/registrations/for-cooperative", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def sign_up_for(event_id: int):
    """First find the cooperative (a search field and its results, refreshed as one types where
    scripts run), then tick people of its board list or add a new person."""
    event = db.get_or_404(Event, event_id)
    cooperative = _chosen_cooperative()
    form = SignUpForm()
    if cooperative is not None and request.method == "POST":
        response = act(lambda: services.sign_up_for_cooperative(
            current_user, event.id, cooperative.id, parse_ids(request.form.getlist("participant_id")),
            parse_ids(request.form.getlist("board_member_id")), form.new_person()),
            form=form, then=url_for("registrations.manage", event_id=event.id),
            done=lambda done: _("%(count)d people signed up for %(cooperative)s.", count=len(done),
                                cooperative=cooperative.name))
        if response:
            return response
    search = " ".join(request.args.get("q", "").split())[:100]
    signed_up = queries.event_registrations_of(event.id, cooperative.id) if cooperative else []
    return render_template(
        "registrations/sign_up_for.html", event=event, cooperative=cooperative, form=form, search=search,
        found=search_cooperatives(search) if cooperative is None else [], signed_up=signed_up,
        known=participants.others_than_board(cooperative) if cooperative else []
    ), 400 if request.method == "POST" else 200
