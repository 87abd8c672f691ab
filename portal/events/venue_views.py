"""The managed list of venues, a part of the events blueprint (endpoints ``events.venues.*``)."""

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.models import District
from portal.events import queries, venues
from portal.events.forms import VenueForm
from portal.events.models import Venue
from portal.extensions import db
from portal.offices.scope import load_or_404, scoped
from portal.transactions import act

bp = Blueprint("venues", __name__)


@bp.get("/organiser/venues")
@roles(*STAFF_ROLES)
def index():
    page = db.paginate(queries.venues_query(current_actor()), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("events/venues.html", page=page)


@bp.route("/organiser/venues/new", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def new():
    return _venue_form(None)


@bp.route("/organiser/venues/<int:venue_id>", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit(venue_id: int):
    return _venue_form(load_or_404(Venue, venue_id, current_actor()))


def _venue_form(venue: Venue | None):
    form = VenueForm(obj=venue)
    form.set_districts(list(db.session.scalars(scoped(select(District), District, current_actor(), write=True)
                                               .order_by(District.name))))

    def save() -> None:
        values = (form.name.data, form.address.data, form.district_id.data, form.capacity.data)
        if venue:
            venues.update_venue(current_user, venue, *values)
        else:
            venues.create_venue(current_user, *values)

    return act(save, form=form, done=_("Venue saved."), then=url_for("events.venues.index")
               ) or render_template("events/venue.html", venue=venue, form=form)
