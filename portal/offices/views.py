"""The offices of the portal: a list, and what each covers, for an administrator without an
office or of a province (``services.may_manage_offices``). An office's letterhead, signatory and
numbering are its settings page (``settings.edit_office``)."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import Role
from portal.offices import services
from portal.offices.forms import OfficeForm
from portal.offices.models import Office
from portal.offices.scope import load_or_404, readable_offices
from portal.transactions import act

bp = Blueprint("offices", __name__, url_prefix="/admin/offices")


def _manager_or_404():
    if not services.may_manage_offices(current_actor()):
        abort(404)


def _form(office: Office | None = None) -> OfficeForm:
    form = OfficeForm(obj=office)
    form.set_places(services.provinces(), services.regencies())
    if office is not None and not form.is_submitted():
        form.regency_ids.data = [regency.id for regency in office.regencies]
        form.timezone.data = office.timezone or ""
    return form


@bp.get("/")
@roles(Role.ADMIN)
def index():
    return render_template("offices/index.html", offices=readable_offices(current_actor()),
                           may_manage=services.may_manage_offices(current_actor()))


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new():
    _manager_or_404()
    form = _form()
    return act(lambda: services.create_office(current_user, form.office_name.data, form.regency_ids.data,
                                              timezone=form.timezone.data, province_id=form.province_id.data),
               form=form, done=_("Office saved."),
               then=lambda office: url_for("settings.edit_office", office_id=office.id)
               ) or render_template("offices/edit.html", form=form, office=None)


@bp.route("/<int:office_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(office_id: int):
    """Managing offices reads the offices the administrator reads (a province's office manages
    those under it), so the load asks for reading, and the service for a manager."""
    office = load_or_404(Office, office_id, current_actor(), write=False)
    _manager_or_404()
    form = _form(office)
    return act(lambda: services.update_office_cover(current_user, office, form.office_name.data,
                                                    form.regency_ids.data, form.timezone.data, form.province_id.data),
               form=form, done=_("Office saved."), then=url_for("offices.index")
               ) or render_template("offices/edit.html", form=form, office=office)
