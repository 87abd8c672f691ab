"""RAT records on the web: a board submits its own, the office verifies or records, and offers
"aktifkan kembali"; the office's lists of submissions and of cooperatives at risk."""

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.accounts.access import current_actor, owner, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import may_act_for
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.extensions import db
from portal.files.services import download
from portal.i18n import format_calendar_date
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.revival import funnel as funnels
from portal.revival import queries, services
from portal.revival.campaign_views import bp as campaign_bp
from portal.revival.contact_views import bp as contacts_bp
from portal.revival.dates import office_today
from portal.revival.forms import RatForm
from portal.revival.import_views import bp as imports_bp
from portal.revival.models import RatRecord
from portal.transactions import Confirmation, act

bp = Blueprint("revival", __name__)
bp.register_blueprint(contacts_bp)
bp.register_blueprint(imports_bp)
bp.register_blueprint(campaign_bp)
ELIGIBLE_SHOWN = 50


def _cooperative_or_404(cooperative_id: int) -> Cooperative:
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor())
    if not may_act_for(current_user, cooperative.id):
        abort(404)
    return cooperative


def _rat_or_404(rat_id: int) -> RatRecord:
    record = load_or_404(RatRecord, rat_id, current_actor())
    if not may_act_for(current_user, record.cooperative_id):
        abort(404)
    return record


def _show_url(cooperative_id: int) -> str:
    return url_for("cooperatives.show", cooperative_id=cooperative_id) + "#rat"


@bp.route("/cooperatives/<int:cooperative_id>/rat", methods=["GET", "POST"])
@owner(*STAFF_ROLES, Role.BOARD)
def record_rat(cooperative_id: int):
    cooperative = _cooperative_or_404(cooperative_id)
    form = RatForm()
    if request.method == "GET" and form.book_year.data is None:
        form.book_year.data = office_today().year - 1
    staff = current_user.is_staff
    done = _("RAT recorded and verified.") if staff else _("RAT sent; the office will verify it.")
    return act(lambda: services.save_rat(current_user, cooperative, form.values(), office_today(),
                                         document=form.upload()),
               form=form, done=done, then=_show_url(cooperative.id)
               ) or render_template("revival/rat_form.html", form=form, cooperative=cooperative)


@bp.get("/rat/<int:rat_id>/document")
@owner(*STAFF_ROLES, Role.BOARD)
def rat_document(rat_id: int):
    record = _rat_or_404(rat_id)
    if record.document is None:
        abort(404)
    return download(record.document)


@bp.post("/rat/<int:rat_id>/verify")
@roles(*STAFF_ROLES)
def verify_rat(rat_id: int):
    record = load_or_404(RatRecord, rat_id, current_actor())
    return act(lambda: services.verify_rat(current_user, record),
               done=_("The RAT of book year %(year)d is verified.", year=record.book_year),
               then=request.form.get("back") == "pending" and url_for("revival.pending_rats")
               or _show_url(record.cooperative_id))


@bp.post("/rat/<int:rat_id>/reactivate")
@roles(*STAFF_ROLES)
def reactivate(rat_id: int):
    record = load_or_404(RatRecord, rat_id, current_actor())
    today = office_today()
    return act(lambda: services.reactivate(current_user, record, today),
               confirm=lambda: _reactivation_confirmation(record, today),
               done=_("%(name)s is active again; the change is in its status history with the RAT as its reason.",
                      name=record.cooperative.name),
               then=_show_url(record.cooperative_id))


def _reactivation_confirmation(record: RatRecord, today: date) -> Confirmation:
    cooperative = record.cooperative
    return Confirmation(
        _("Make %(name)s active again?", name=cooperative.name),
        [_("%(name)s changes from Inactive to Active, since %(day)s.", name=cooperative.name,
           day=format_calendar_date(today)),
         _("Reason: %(reason)s", reason=services.reactivation_reason(record)),
         _("A line is added to its status history, linked to this RAT, and the change is in the audit log.")],
        _("Yes, make it active again"), _show_url(cooperative.id))


@bp.get("/rat/pending")
@roles(*STAFF_ROLES)
def pending_rats():
    page = paginate(queries.pending_rats_query(current_actor()))
    return render_template("revival/pending.html", page=page)


@bp.get("/rat/at-risk")
@roles(*STAFF_ROLES)
def at_risk():
    """The reverse list: active cooperatives without a verified RAT in the last two book years;
    and the inactive ones a recent verified RAT makes eligible again."""
    today = office_today()
    district_ids = district_ids_for(request.args.get("district"))
    page = paginate(queries.without_recent_rat_query(today, district_ids=district_ids, actor=current_actor()))
    eligible = db.session.scalars(queries.eligible_for_reactivation_query(today, current_actor())
                                  .limit(ELIGIBLE_SHOWN)).all()
    return render_template("revival/at_risk.html", page=page, eligible=eligible,
                           years=services.recent_book_years(today),
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"]))


@bp.get("/rat/funnel")
@roles(*STAFF_ROLES)
def funnel():
    """The funnel of the cooperatives inactive at the start of a year, with those at each stage."""
    year = request.args.get("year", type=int) or office_today().year
    year = min(max(year, 2000), office_today().year)
    stage = request.args.get("stage")
    stage = stage if stage in dict(funnels.STAGES) else None
    page = paginate(funnels.stage_query(year, stage, current_actor()).options(joinedload(Cooperative.district)))
    return render_template("revival/funnel.html", year=year, stage=stage, stages=funnels.STAGES,
                           counts=funnels.funnel_counts(year, current_actor()), page=page)
