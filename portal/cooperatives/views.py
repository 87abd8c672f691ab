import secrets
from dataclasses import asdict
from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, owner, public, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.cooperatives import services
from portal.cooperatives.forms import (
    BoardMemberForm,
    BoardSignupForm,
    ContactsForm,
    CooperativeForm,
    DecisionForm,
    DirectoryFilterForm,
    ImportUploadForm,
    StatusForm,
)
from portal.cooperatives.importing import ImportFileError, import_cooperatives
from portal.cooperatives.models import BoardAccount, BoardMember, Cooperative, CooperativeImport
from portal.cooperatives.policies import approved_cooperative_id, may_act_for
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import format_calendar_date, to_local
from portal.inputs import page_number
from portal.offices.scope import check_or_404, load_or_404
from portal.pagination import paginate
from portal.seams import COOPERATIVE_PAGE_PARTS, registered
from portal.transactions import Confirmation, act

bp = Blueprint("cooperatives", __name__)


def get_cooperative_or_404(cooperative_id: int, for_user=None) -> Cooperative:
    """Load a cooperative the user may see; another cooperative's id is simply not found."""
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor())
    if for_user is not None and not may_act_for(for_user, cooperative.id):
        abort(404)
    return cooperative


def _show_url(cooperative: Cooperative) -> str:
    return url_for("cooperatives.show", cooperative_id=cooperative.id)


def _office_today() -> date:
    return to_local(utcnow()).date()


def _district_choices(blank=None):
    return ([("", blank)] if blank else []) + [(d.id, d.name) for d in services.districts(current_actor(), write=True)]


@bp.get("/cooperatives/")
@roles(*STAFF_ROLES)
def index():
    form = DirectoryFilterForm(request.args)
    form.validate()
    filters = {"search": _valid(form.q), "type": _valid(form.type),
               "district_ids": services.district_ids_for(_valid(form.district), current_actor()),
               "actor": current_actor()}
    status = _valid(form.status)
    counts = services.status_counts(**filters)
    page = paginate(services.directory_query(status=status, sort=_valid(form.sort) or "name", **filters),
                    total=counts[status or "all"])
    return render_template("cooperatives/index.html", form=form, page=page, counts=counts,
                           districts=services.listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"],
                                                              current_actor()))


def _valid(field):
    """A filter's value when it is set and valid; a bad filter is ignored, not an error."""
    return field.data if field.data and not field.errors else None


def _cooperative_form(cooperative=None):
    form = CooperativeForm(obj=cooperative)
    form.district_id.choices = _district_choices()
    if cooperative is not None and request.method == "GET":
        form.type.data = cooperative.type.value
    return form


@bp.route("/cooperatives/new", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def new():
    form = _cooperative_form()
    return act(lambda: services.create_cooperative(current_user, form.data, today=_office_today()), form=form,
               done=_("Cooperative saved."), then=lambda cooperative: _show_url(cooperative)
               ) or render_template("cooperatives/form.html", form=form, cooperative=None)


@bp.get("/cooperatives/<int:cooperative_id>")
@owner(*STAFF_ROLES, Role.BOARD)
def show(cooperative_id: int):
    cooperative = get_cooperative_or_404(cooperative_id, current_user)
    status_form = StatusForm(status=cooperative.status.value, reason=cooperative.status_reason,
                             effective_date=_office_today())
    accounts = db.session.scalars(select(BoardAccount).where(BoardAccount.cooperative_id == cooperative.id)
                                  .order_by(BoardAccount.id)).all() if current_user.is_staff else []
    return render_template("cooperatives/show.html", cooperative=cooperative, status_form=status_form,
                           board_form=BoardMemberForm(), accounts=accounts, decision_form=DecisionForm(),
                           page_parts=registered(COOPERATIVE_PAGE_PARTS))


@bp.route("/cooperatives/<int:cooperative_id>/edit", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def edit(cooperative_id: int):
    cooperative = get_cooperative_or_404(cooperative_id)
    form = _cooperative_form(cooperative)
    return act(lambda: services.update_cooperative(current_user, cooperative, form.data), form=form,
               done=_("Cooperative saved."), then=_show_url(cooperative)
               ) or render_template("cooperatives/form.html", form=form, cooperative=cooperative)


@bp.post("/cooperatives/<int:cooperative_id>/status")
@roles(*STAFF_ROLES)
def set_status(cooperative_id: int):
    cooperative = get_cooperative_or_404(cooperative_id)
    form = StatusForm()
    return act(lambda: services.set_status(current_user, cooperative, services.CooperativeStatus(form.status.data),
                                           form.reason.data, form.effective_date.data),
               form=form, confirm=lambda: _status_confirmation(cooperative, form),
               done=lambda changed: _status_saved(cooperative, changed), then=_show_url(cooperative)
               ) or (render_template("cooperatives/show.html", cooperative=cooperative, status_form=form,
                                     board_form=BoardMemberForm(), accounts=[], decision_form=DecisionForm()), 400)


def _status_confirmation(cooperative: Cooperative, form: StatusForm) -> Confirmation | None:
    """Asked only when the status changes; the same status again changes nothing."""
    status = services.CooperativeStatus(form.status.data)
    if status == cooperative.status:
        return None
    since = format_calendar_date(form.effective_date.data)
    consequences = [_("%(name)s changes from %(before)s to %(after)s, since %(day)s.", name=cooperative.name,
                      before=cooperative.status.label, after=status.label, day=since)]
    if (form.reason.data or "").strip():
        consequences.append(_("Reason: %(reason)s", reason=form.reason.data.strip()))
    consequences.append(_("A line is added to its status history, and reports count it as %(after)s from then on.",
                          after=status.label))
    return Confirmation(_("Change the status of %(name)s?", name=cooperative.name), consequences,
                        _("Yes, change the status"), _show_url(cooperative))


def _status_saved(cooperative: Cooperative, changed: str | None):
    if changed is None:
        return _("The status was already %(status)s; nothing has changed.", status=cooperative.status.label), "info"
    if changed == "reason":
        return _("The reason for the status %(status)s is corrected; the history has no new line.",
                 status=cooperative.status.label)
    return _("%(name)s is now %(status)s (since %(day)s); the change is in its status history.",
             name=cooperative.name, status=cooperative.status.label,
             day=format_calendar_date(cooperative.status_date))


@bp.route("/cooperatives/<int:cooperative_id>/contacts", methods=["GET", "POST"])
@owner(*STAFF_ROLES, Role.BOARD)
def contacts(cooperative_id: int):
    cooperative = get_cooperative_or_404(cooperative_id, current_user)
    form = ContactsForm(obj=cooperative)
    return act(lambda: services.update_contacts(current_user, cooperative, form.data), form=form,
               done=_("Contacts saved."), then=_show_url(cooperative)
               ) or render_template("cooperatives/contacts.html", form=form, cooperative=cooperative)


@bp.route("/cooperatives/<int:cooperative_id>/board/new", methods=["GET", "POST"])
@bp.route("/cooperatives/<int:cooperative_id>/board/<int:member_id>", methods=["GET", "POST"])
@owner(*STAFF_ROLES, Role.BOARD)
def board_member(cooperative_id: int, member_id: int | None = None):
    cooperative = get_cooperative_or_404(cooperative_id, current_user)
    member = None
    if member_id is not None:
        member = load_or_404(BoardMember, member_id, current_actor())
        if member.cooperative_id != cooperative.id:
            abort(404)
    form = BoardMemberForm(obj=member)
    if member is not None and request.method == "GET":
        form.position.data = member.position.value
    return act(lambda: services.save_board_member(current_user, cooperative, form.data, member), form=form,
               done=_("Board list saved."), then=_show_url(cooperative) + "#board"
               ) or render_template("cooperatives/board_member.html", form=form, cooperative=cooperative, member=member)


@bp.post("/cooperatives/<int:cooperative_id>/board/<int:member_id>/delete")
@owner(*STAFF_ROLES, Role.BOARD)
def remove_board_member(cooperative_id: int, member_id: int):
    cooperative = get_cooperative_or_404(cooperative_id, current_user)
    member = load_or_404(BoardMember, member_id, current_actor())
    if member.cooperative_id != cooperative.id:
        abort(404)
    return act(lambda: services.remove_board_member(current_user, cooperative, member),
               done=_("Removed from the board list."), then=_show_url(cooperative) + "#board")


@bp.route("/cooperatives/import", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def upload_import():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data, filename = upload.read(), upload.filename or "upload"
        try:
            with db.session.begin_nested() as preview:
                report = import_cooperatives(current_user, filename, data, dry_run=True, today=_office_today())
                preview.rollback()
        except ImportFileError as error:
            form.file.errors.append(error.message)
        else:
            return act(lambda: _keep_upload(filename, data, report),
                       then=lambda batch: url_for("cooperatives.import_report", token=batch.token))
    return render_template("cooperatives/import_upload.html", form=form)


def _keep_upload(filename: str, data: bytes, report) -> CooperativeImport:
    """The file and its dry run, kept until the organiser commits the import."""
    batch = CooperativeImport(token=secrets.token_urlsafe(24), filename=filename[:255], data=data,
                              uploaded_by_id=current_user.id, summary=_summary(report))
    db.session.add(batch)
    return batch


def _summary(report) -> dict:
    return {"counts": report.counts, "line": report.summary_line(), "rows": [asdict(row) for row in report.rows]}


def _import_or_404(token: str) -> CooperativeImport:
    batch = db.session.scalar(select(CooperativeImport).where(CooperativeImport.token == token))
    return check_or_404(batch, current_actor())


@bp.get("/cooperatives/import/<token>")
@roles(*STAFF_ROLES)
def import_report(token: str):
    """The preview (or report) a page of rows at a time: a file of tens of thousands of rows
    would otherwise make a page of tens of megabytes."""
    batch = _import_or_404(token)
    rows, per_page = batch.summary["rows"], current_app.config["IMPORT_PREVIEW_PER_PAGE"]
    page = min(page_number(), max(1, -(-len(rows) // per_page)))
    shown = rows[(page - 1) * per_page:page * per_page]
    return render_template("cooperatives/import_report.html", batch=batch, rows=shown, page=page,
                           more=max(0, len(rows) - page * per_page))


@bp.post("/cooperatives/import/<token>/commit")
@roles(*STAFF_ROLES)
def commit_import(token: str):
    batch = _import_or_404(token)
    back = url_for("cooperatives.import_report", token=batch.token)
    if batch.committed_at is not None:
        return redirect(back)

    def run_import():
        report = import_cooperatives(current_user, batch.filename, batch.data, dry_run=False, today=_office_today())
        batch.summary, batch.committed_at = _summary(report), utcnow()
        return report

    return act(run_import, done=lambda report: _("Import finished: %(line)s.", line=report.summary_text()), then=back)


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = BoardSignupForm()
    return act(lambda: services.register_board_member(
        form.full_name.data, form.email.data, form.phone.data, form.position.data, form.legal_number.data,
        form.password.data, language=request.accept_languages.best_match(["id", "en"]) or "id"),
        form=form, answer=lambda _account: render_template("cooperatives/register_done.html", email=form.email.data)
    ) or render_template("cooperatives/register.html", form=form)


@bp.get("/my-cooperative")
@roles(Role.BOARD)
def mine():
    cooperative_id = approved_cooperative_id(current_user)
    if cooperative_id is not None:
        return redirect(url_for("cooperatives.show", cooperative_id=cooperative_id))
    return render_template("cooperatives/mine_waiting.html", account=services.board_account_of(current_user))


@bp.get("/cooperatives/claims")
@roles(*STAFF_ROLES)
def claims():
    status = request.args.get("status", "pending")
    status = status if status in {"pending", "approved", "rejected", "revoked", ""} else "pending"
    page = db.paginate(services.claims_query(status or None, current_actor()), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("cooperatives/claims.html", page=page, status=status, decision_form=DecisionForm())


def _decide(account_id: int, decide, done: str):
    account = load_or_404(BoardAccount, account_id, current_actor())
    form = DecisionForm()
    back = (url_for("cooperatives.show", cooperative_id=account.cooperative_id)
            if request.form.get("back") == "cooperative" else url_for("cooperatives.claims"))
    if not form.validate_on_submit():
        return redirect(back)
    return act(lambda: decide(current_user, account, form.reason.data), done=done, then=back)


@bp.post("/cooperatives/claims/<int:account_id>/approve")
@roles(*STAFF_ROLES)
def approve_claim(account_id: int):
    return _decide(account_id, services.approve_claim, _("Approved; the board member has been told by email."))


@bp.post("/cooperatives/claims/<int:account_id>/reject")
@roles(*STAFF_ROLES)
def reject_claim(account_id: int):
    return _decide(account_id, services.reject_claim, _("Rejected; the applicant has been told by email."))


@bp.post("/cooperatives/claims/<int:account_id>/revoke")
@roles(*STAFF_ROLES)
def revoke_account(account_id: int):
    return _decide(account_id, services.revoke_board_account, _("Access revoked; the board member has been told."))
