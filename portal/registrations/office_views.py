"""Acting for a cooperative, a part of the registrations blueprint (endpoints
``registrations.office.*``): the office signing people up on its behalf (one without an
account, often), chosen from the registry by name or legal number; and a substitute ("Ganti
peserta") named by the cooperative's board or an organiser."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, owner, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.accounts.policies import is_staff
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import may_act_for
from portal.cooperatives.services import search_cooperatives
from portal.events.models import Event
from portal.forms import parse_id, parse_ids
from portal.offices.scope import load_or_404
from portal.registrations import participants, queries, services, substitutes
from portal.registrations.forms import SignUpForm
from portal.registrations.models import Registration
from portal.transactions import act

bp = Blueprint("office", __name__)


def _chosen_cooperative() -> Cooperative | None:
    """The cooperative chosen, among those of the offices the organiser reads (another's: a 404)."""
    cooperative_id = parse_id(request.values.get("cooperative_id"))
    return load_or_404(Cooperative, cooperative_id, current_actor(), write=False) if cooperative_id else None


@bp.route("/organiser/events/<int:event_id>/registrations/for-cooperative", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def sign_up_for(event_id: int):
    """First find the cooperative (a search field and its results, refreshed as one types where
    scripts run), then tick people of its board list or add a new person."""
    event = load_or_404(Event, event_id, current_actor())
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
        found=search_cooperatives(search, actor=current_actor()) if cooperative is None else [], signed_up=signed_up,
        known=participants.others_than_board(cooperative) if cooperative else []
    ), 400 if request.method == "POST" else 200


def _chosen_substitute() -> dict:
    """The person ticked (``member:<id>`` or ``person:<id>``), or none: then the new person typed in."""
    kind, _sep, value = request.form.get("substitute", "").partition(":")
    chosen = parse_id(value)
    return {"board_member_id": chosen if kind == "member" else None,
            "participant_id": chosen if kind == "person" else None}


@bp.route("/registrations/<int:registration_id>/substitute", methods=["GET", "POST"])
@owner(*STAFF_ROLES, Role.BOARD)
def substitute(registration_id: int):
    """"Ganti peserta": another person of the same cooperative takes this registration's place."""
    registration = load_or_404(Registration, registration_id, current_actor())
    if registration.cooperative_id is None or not may_act_for(current_user, registration.cooperative_id):
        abort(404)
    back = (url_for("registrations.manage", event_id=registration.event_id) if is_staff(current_user)
            else url_for("registrations.board_index"))
    form = SignUpForm()
    if request.method == "POST":
        response = act(lambda: substitutes.substitute_participant(
            current_user, registration, new_person=form.new_person(), **_chosen_substitute()),
            form=form, then=back,
            done=lambda replaced: _("%(substitute)s takes the place of %(name)s; the new ticket is sent.",
                                    substitute=registration.participant.full_name, name=replaced.full_name))
        if response:
            return response
    cooperative = registration.cooperative
    members, known = _others(cooperative, registration)
    return render_template("registrations/substitute.html", registration=registration, event=registration.event,
                           cooperative=cooperative, form=form, members=members, known=known, back=back
                           ), 400 if request.method == "POST" else 200


def _others(cooperative: Cooperative, registration: Registration):
    """Whom the form offers: the board members and earlier participants other than the one replaced."""
    person = registration.participant
    members = [m for m in cooperative.board_members
               if participants.normalised_name(m.full_name) != participants.normalised_name(person.full_name)]
    return members, [p for p in participants.others_than_board(cooperative) if p.id != person.id]
