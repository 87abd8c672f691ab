from datetime import datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from portal.accounts.access import current_actor, roles
from portal.accounts.models import Role
from portal.audit import labels, services
from portal.audit.forms import AuditFilterForm
from portal.i18n import office_zone
from portal.inputs import bounded_int

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _local_midnight(day):
    return datetime.combine(day, time.min, tzinfo=office_zone())


@bp.get("/")
@roles(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All actions"))] + labels.action_choices()
    filters = {}
    if form.validate():
        filters = {
            "action": form.action.data or None,
            "actor": form.actor.data or None,
            "since": _local_midnight(form.since.data) if form.since.data else None,
            "until": _local_midnight(form.until.data) + timedelta(days=1) if form.until.data else None,
        }
    page = services.keyset_page(services.audit_query(**filters, reader=current_actor()), current_app.config["PER_PAGE"],
                                older=_cursor("older"), newer=_cursor("newer"))
    links = request.args.to_dict()
    links.pop("older", None)
    links.pop("newer", None)
    return render_template("audit/index.html", form=form, page=page, labels=labels, links=links)


def _cursor(name: str) -> services.Cursor | None:
    """``?older=`` or ``?newer=`` as a cursor, "<ISO time with its zone>,<id>"; None (the first
    page) when missing or malformed."""
    at, _sep, entry_id = request.args.get(name, "").rpartition(",")
    try:
        created_at = datetime.fromisoformat(at)
        number = bounded_int(entry_id)
    except ValueError:
        return None
    if created_at.tzinfo is None:
        return None
    return services.Cursor(created_at, number)
