"""An event's guest list, a part of the events blueprint (endpoints ``events.guest_list.*``):
the cooperatives and outside organisations an invitation-only event admits."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.services import search_cooperatives
from portal.events import guest_lists, queries
from portal.events.forms import GuestOrganisationForm
from portal.events.models import Event, GuestListEntry
from portal.extensions import db
from portal.forms import parse_ids
from portal.offices.scope import load_or_404
from portal.transactions import act

bp = Blueprint("guest_list", __name__)


def _render_guests(event: Event, form: GuestOrganisationForm, status: int = 200):
    search = request.args.get("q", "")
    guests = list(db.session.scalars(queries.guest_list_query(event)))
    listed = {guest.cooperative_id for guest in guests}
    found = [c for c in search_cooperatives(search, actor=current_actor()) if c.id not in listed]
    return render_template("events/guests.html", event=event, form=form, guests=guests, search=search,
                           found=found), status


@bp.get("/organiser/events/<int:event_id>/guests")
@roles(*STAFF_ROLES)
def index(event_id: int):
    return _render_guests(load_or_404(Event, event_id, current_actor()), GuestOrganisationForm(formdata=None))


@bp.post("/organiser/events/<int:event_id>/guests/cooperatives")
@roles(*STAFF_ROLES)
def add_cooperatives(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    ids = parse_ids(request.form.getlist("cooperative_id"))
    return act(lambda: guest_lists.add_guest_cooperatives(current_user, event, ids),
               done=lambda added: _("%(count)d cooperatives added to the guest list.", count=added),
               then=url_for("events.guest_list.index", event_id=event.id))


@bp.post("/organiser/events/<int:event_id>/guests/organisations")
@roles(*STAFF_ROLES)
def add_organisation(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    form = GuestOrganisationForm()
    return act(lambda: guest_lists.add_guest_organisation(current_user, event, form.organisation_name.data,
                                                          form.email.data),
               form=form, done=_("Added to the guest list."), then=url_for("events.guest_list.index", event_id=event.id)
               ) or _render_guests(event, form, 400)


@bp.post("/organiser/events/<int:event_id>/guests/<int:entry_id>/remove")
@roles(*STAFF_ROLES)
def remove(event_id: int, entry_id: int):
    event = load_or_404(Event, event_id, current_actor())
    entry = load_or_404(GuestListEntry, entry_id, current_actor())
    if entry.event_id != event.id:
        abort(404)
    return act(lambda: guest_lists.remove_guest(current_user, event, entry), done=_("Removed from the guest list."),
               then=url_for("events.guest_list.index", event_id=event.id))
