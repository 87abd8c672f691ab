from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, public, roles
from portal.accounts.models import Role
from portal.forms import parse_id
from portal.offices.context import current_office, get_office
from portal.offices.models import Office
from portal.offices.scope import load_or_404
from portal.settings.forms import OfficeSettingsForm
from portal.settings.services import EDITABLE_FIELDS, may_edit_settings, update_office_settings
from portal.transactions import act

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


def _edit(office: Office, then: str):
    form = OfficeSettingsForm(obj=office)
    return act(lambda: update_office_settings(current_user, {f: getattr(form, f).data for f in EDITABLE_FIELDS},
                                              form.logo.data.read() if form.logo.data else None, office=office,
                                              marks=form.marks()),
               form=form, done=_("Office settings saved."), then=then
               ) or render_template("settings/edit.html", form=form, settings=office)


@bp.route("/", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit():
    """The administrator's own office's settings."""
    return _edit(current_office(current_user), url_for("settings.edit"))


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_office(office_id: int):
    """Another office's settings, for an administrator who manages offices."""
    office = load_or_404(Office, office_id, current_actor(), write=False)
    if not may_edit_settings(current_actor(), office):
        abort(404)
    return _edit(office, url_for("settings.edit_office", office_id=office.id))


MARKS = {"signature": "signature_image", "stamp": "stamp_image"}


@bp.get("/offices/<int:office_id>/<mark>.png")
@roles(Role.ADMIN)
def mark(office_id: int, mark: str):
    """The office's signature or stamp, for the settings page's preview."""
    office = load_or_404(Office, office_id, current_actor(), write=False)
    if mark not in MARKS:
        abort(404)
    data = getattr(office, MARKS[mark])
    if not may_edit_settings(current_actor(), office) or not data:
        abort(404)
    return Response(data, mimetype="image/png", headers={"Cache-Control": "private, no-store",
                                                          "X-Content-Type-Options": "nosniff"})


@bp.get("/logo")
@public
def logo():
    """An office's logo (``?office=<id>``; the request's office when not given)."""
    office_id = parse_id(request.args.get("office"))
    settings = get_office(office_id) if office_id else current_office()
    if settings is None or not settings.logo:
        abort(404)
    return Response(settings.logo, mimetype=settings.logo_mimetype, headers={"Cache-Control": "public, max-age=300"})
