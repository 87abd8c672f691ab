"""A person's own data: the participant through their ticket link, a board member for their
cooperative's people; organisers answer the requests of their office."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, owner, public, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.certificates import data_requests
from portal.certificates.forms import DataRequestAnswerForm, DataRequestForm, PersonCorrectionForm
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import may_act_for
from portal.database import clock_now
from portal.extensions import db
from portal.offices.context import get_office, office_in_use
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.privacy.models import DataRequest, DataRequestKind
from portal.registrations.models import Participant, Registration
from portal.registrations.participants import person_details
from portal.transactions import act

bp = Blueprint("data_requests", __name__)


def _page(participant: Participant, then: str):
    form = DataRequestForm()
    office = get_office(data_requests.office_of(participant) or 0)
    with office_in_use(office):
        return act(lambda: data_requests.request_about(
                       current_user if current_user.is_authenticated else None, participant,
                       DataRequestKind(form.kind.data), form.details.data, clock_now()),
                   form=form, done=_("Your request has been sent to the office."), then=then
                   ) or render_template("certificates/my_data.html", form=form, office=office,
                                        kept=data_requests.kept_about(participant))


@bp.route("/tickets/<token>/my-data", methods=["GET", "POST"])
@public
def ticket_data(token: str):
    """What the office keeps about the ticket's holder; the ticket's random token is the key."""
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    if registration is None:
        abort(404)
    return _page(registration.participant, url_for("data_requests.ticket_data", token=token))


def _own_cooperative_or_404(cooperative_id: int) -> Cooperative:
    """The cooperative, for its board or the staff of its office."""
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor(), write=False)
    if not may_act_for(current_user, cooperative.id):
        abort(404)
    return cooperative


@bp.get("/cooperatives/<int:cooperative_id>/people")
@owner(*STAFF_ROLES, Role.BOARD)
def people(cooperative_id: int):
    """The cooperative's people, each with a link to what is kept about them."""
    cooperative = _own_cooperative_or_404(cooperative_id)
    return render_template("certificates/people.html", cooperative=cooperative,
                           page=paginate(data_requests.people_query(cooperative.id)))


@bp.route("/cooperatives/<int:cooperative_id>/people/<int:participant_id>/data", methods=["GET", "POST"])
@owner(*STAFF_ROLES, Role.BOARD)
def person_data(cooperative_id: int, participant_id: int):
    cooperative = _own_cooperative_or_404(cooperative_id)
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.cooperative_id != cooperative.id:
        abort(404)
    return _page(participant, url_for("data_requests.person_data", cooperative_id=cooperative.id,
                                      participant_id=participant.id))


@bp.get("/organiser/data-requests")
@roles(*STAFF_ROLES)
def index():
    page = paginate(data_requests.requests_query(current_actor()))
    return render_template("certificates/data_requests.html", page=page, form=DataRequestAnswerForm(),
                           now=clock_now())


def _decide(request_id: int, grant: bool):
    data_request = load_or_404(DataRequest, request_id, current_actor())
    form = DataRequestAnswerForm(request.form)
    return act(lambda: data_requests.decide_request(current_user, data_request, grant, form.answer.data, clock_now()),
               done=_("The request is answered and the person is told."), then=url_for("data_requests.index"))


@bp.post("/organiser/data-requests/<int:request_id>/grant")
@roles(*STAFF_ROLES)
def grant(request_id: int):
    return _decide(request_id, True)


@bp.post("/organiser/data-requests/<int:request_id>/refuse")
@roles(*STAFF_ROLES)
def refuse(request_id: int):
    return _decide(request_id, False)


@bp.route("/organiser/data-requests/<int:request_id>/correct", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def correct(request_id: int):
    """A correction request beside the person's details, to correct them and answer in one step."""
    data_request = load_or_404(DataRequest, request_id, current_actor())
    participant = db.session.get(Participant, data_request.participant_id) if data_request.participant_id else None
    if data_request.kind != DataRequestKind.CORRECTION or participant is None:
        abort(404)
    current = person_details(participant)
    form = PersonCorrectionForm(data={**current, "sex": current["sex"] or ""})
    response = act(lambda: data_requests.apply_correction(current_user, data_request, form.details(),
                                                           form.answer.data, clock_now()),
                   form=form, done=_("The correction is made and the person is told."),
                   then=url_for("data_requests.index"))
    return response or (render_template("certificates/data_request_correct.html", form=form, data_request=data_request,
                                        participant=participant, now=clock_now()),
                        400 if request.method == "POST" else 200)
