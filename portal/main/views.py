from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.access import current_actor, public, safe_next_url
from portal.accounts.services import set_preferred_language
from portal.events import queries as event_queries
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.main.panels import panels_for
from portal.transactions import attempt

bp = Blueprint("main", __name__)


HOME_EVENTS = 3


@bp.get("/")
@public
def index():
    """The front door: what the office has coming up, for everyone, before any login."""
    upcoming = list(db.session.scalars(event_queries.upcoming_query().where(
        Event.status == EventStatus.PUBLISHED).limit(HOME_EVENTS)))
    return render_template("main/index.html", upcoming=upcoming, panels=panels_for(current_actor()))


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
@public
def set_language():
    language = request.form.get("language", "")
    session["lang"] = language
    if current_user.is_authenticated:
        attempt(lambda: set_preferred_language(current_user, language))
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))
