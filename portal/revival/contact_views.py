"""The contact log and the "tindak lanjut" list, a part of the revival blueprint (endpoints
``revival.contacts.*``)."""

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.forms import parse_id
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.revival import contacts, queries
from portal.revival.dates import office_today
from portal.revival.forms import ContactForm
from portal.revival.models import Contact
from portal.transactions import act

bp = Blueprint("contacts", __name__)


@bp.route("/cooperatives/<int:cooperative_id>/pembinaan/new", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def new(cooperative_id: int):
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor())
    form = ContactForm()
    if request.method == "GET":
        form.contacted_on.data = office_today()
    return act(lambda: contacts.log_contact(current_user, cooperative, form.values(), office_today()), form=form,
               done=_("Contact recorded."),
               then=url_for("cooperatives.show", cooperative_id=cooperative.id) + "#pembinaan"
               ) or render_template("revival/contact_form.html", form=form, cooperative=cooperative)


@bp.post("/pembinaan/<int:contact_id>/done")
@roles(*STAFF_ROLES)
def step_done(contact_id: int):
    contact = load_or_404(Contact, contact_id, current_actor())
    back = url_for("revival.contacts.follow_ups") if request.form.get("back") == "list" else url_for(
        "cooperatives.show", cooperative_id=contact.cooperative_id) + "#pembinaan"
    return act(lambda: contacts.mark_step_done(current_user, contact), done=_("Next step marked done."), then=back)


@bp.get("/pembinaan/follow-ups")
@roles(*STAFF_ROLES)
def follow_ups():
    """Next steps not yet done, by officer and district; "due" narrows to those due by today."""
    officer_id = parse_id(request.args.get("officer"))
    due_only = request.args.get("due") == "1"
    page = paginate(queries.open_steps_query(until=office_today() if due_only else None, officer_id=officer_id,
                                             district_ids=district_ids_for(request.args.get("district")),
                                             actor=current_actor()))
    return render_template("revival/follow_ups.html", page=page, today=office_today(), officer_id=officer_id,
                           due_only=due_only, officers=queries.staff_officers(current_actor()),
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"]))
