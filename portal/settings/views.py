from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import public, roles
from portal.accounts.models import Role
from portal.settings.forms import OfficeSettingsForm
from portal.settings.services import EDITABLE_FIELDS, get_office_settings, update_office_settings
from portal.transactions import act

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


@bp.route("/", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit():
    settings = get_office_settings()
    form = OfficeSettingsForm(obj=settings)
    return act(lambda: update_office_settings(current_user, {f: getattr(form, f).data for f in EDITABLE_FIELDS},
                                              form.logo.data.read() if form.logo.data else None),
               form=form, done=_("Office settings saved."), then=url_for("settings.edit")
               ) or render_template("settings/edit.html", form=form, settings=settings)


@bp.get("/logo")
@public
def logo():
    settings = get_office_settings()
    if not settings.logo:
        abort(404)
    return Response(settings.logo, mimetype=settings.logo_mimetype, headers={"Cache-Control": "public, max-age=300"})
