from flask import Blueprint, abort, render_template
from sqlalchemy import select

from portal.accounts.access import public
from portal.extensions import db
from portal.registrations import services
from portal.registrations.forms import STATUS_LABELS
from portal.registrations.models import Registration

bp = Blueprint("registrations", __name__)


@bp.context_processor
def labels():
    return {"status_labels": STATUS_LABELS}


@bp.get("/tickets/<token>")
@public
def ticket(token: str):
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    if registration is None or len(token) < 22:
        abort(404)
    return render_template("registrations/ticket.html", registration=registration, event=registration.event,
                           position=services.waitlist_position(registration))
