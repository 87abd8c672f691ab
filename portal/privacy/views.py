from datetime import datetime

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, public, roles
from portal.accounts.models import Role
from portal.inputs import bounded_int
from portal.offices.context import current_office, get_office
from portal.privacy import access, services
from portal.privacy.forms import PrivacySettingsForm
from portal.transactions import act

bp = Blueprint("privacy", __name__)


def _older() -> tuple[datetime, int] | None:
    """``?older=<ISO time with its zone>,<id>``; None (the first page) when missing or malformed."""
    at, _sep, entry_id = request.args.get("older", "").rpartition(",")
    try:
        when, number = datetime.fromisoformat(at), bounded_int(entry_id)
    except ValueError:
        return None
    return (when, number) if when.tzinfo is not None else None


@bp.get("/admin/privacy/access")
@roles(Role.ADMIN)
def access_log():
    """Who exported or read personal data, in the offices the administrator reads."""
    page = access.access_page(current_actor(), current_app.config["PER_PAGE"], _older())
    return render_template("privacy/access_log.html", page=page)


@bp.route("/admin/privacy/settings", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings():
    office = current_office(current_user)
    form = PrivacySettingsForm(obj=services.settings_of(office.id))
    fields = [*services.RETENTION_FIELDS, "notice_id", "notice_en"]
    return act(lambda: services.update_privacy_settings(current_user, office,
                                                         {f: getattr(form, f).data for f in fields}),
               form=form, done=_("Privacy settings saved."), then=url_for("privacy.settings")
               ) or render_template("privacy/settings.html", form=form, office=office)


def _notice(office):
    settings = services.settings_of(office.id)
    english = str(get_locale()) == "en"
    return render_template("privacy/notice.html", office=office, settings=settings,
                           custom=settings.notice_en if english else settings.notice_id,
                           default_text=f"privacy/_notice_{'en' if english else 'id'}.html")


@bp.get("/privacy")
@public
def notice():
    """The privacy notice of the office in use (the first office for a visitor)."""
    return _notice(current_office())


@bp.get("/privacy/<int:office_id>")
@public
def office_notice(office_id: int):
    office = get_office(office_id)
    if office is None:
        abort(404)
    return _notice(office)
