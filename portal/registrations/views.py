from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, owner, public, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.accounts.policies import is_staff
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import approved_cooperative_id, may_act_for
from portal.cooperatives.services import district_ids_for, listed_districts
from portal.database import streamed
from portal.documents import spreadsheets
from portal.events.models import Event
from portal.extensions import db
from portal.forms import parse_ids
from portal.offices.context import office_in_use
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.privacy.access import count_rows, log_access
from portal.privacy.models import AccessKind
from portal.registrations import eligibility, exports, participants, queries, seats, services, tickets, waitlist
from portal.registrations.forms import GuestForm, RegistrationFilterForm, SignUpForm
from portal.registrations.models import Registration, RegistrationStatus
from portal.registrations.office_views import bp as office_bp
from portal.transactions import Confirmation, act

bp = Blueprint("registrations", __name__)
bp.register_blueprint(office_bp)


def _ids(name: str) -> list[int]:
    return parse_ids(request.form.getlist(name))


def _my_cooperative() -> Cooperative | None:
    cooperative_id = approved_cooperative_id(current_user)
    return db.session.get(Cooperative, cooperative_id) if cooperative_id is not None else None


@bp.get("/tickets/<token>")
@public
def ticket(token: str):
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    if registration is None:
        abort(404)
    with office_in_use(registration.event.office):
        return render_template("registrations/ticket.html", registration=registration, event=registration.event,
                               position=seats.waitlist_position(registration),
                               ticket_parts=tickets.ticket_parts(registration))


@bp.get("/my-cooperative/events")
@roles(Role.BOARD)
def board_index():
    cooperative = _my_cooperative()
    if cooperative is None:
        return redirect(url_for("cooperatives.mine"))
    registrations = queries.cooperative_registrations(cooperative.id)
    positions = queries.waitlist_positions({r.event_id for r in registrations})
    return render_template("registrations/board_index.html", cooperative=cooperative,
                           events=queries.open_events_for(cooperative), registrations=registrations,
                           positions=positions, can_cancel=eligibility.is_cancellable_by_board)


@bp.route("/my-cooperative/events/<int:event_id>/sign-up", methods=["GET", "POST"])
@roles(Role.BOARD)
def sign_up(event_id: int):
    cooperative = _my_cooperative()
    if cooperative is None:
        return redirect(url_for("cooperatives.mine"))
    event = load_or_404(Event, event_id, current_actor())
    form = SignUpForm()
    response = act(lambda: services.sign_up_people(current_user, event.id, _ids("participant_id"),
                                                   _ids("board_member_id"), form.new_person()),
                   form=form, then=url_for("registrations.board_index"),
                   done=lambda done: _("%(count)d people signed up; see their state below.", count=len(done)))
    if response:
        return response
    known = participants.others_than_board(cooperative)
    return render_template("registrations/sign_up.html", event=event, cooperative=cooperative, form=form,
                           known=known), 400 if form.errors or request.method == "POST" else 200


@bp.post("/registrations/<int:registration_id>/cancel")
@owner(*STAFF_ROLES, Role.BOARD)
def cancel(registration_id: int):
    registration = load_or_404(Registration, registration_id, current_actor())
    if not may_act_for(current_user, registration.cooperative_id):
        abort(404)
    back = (url_for("registrations.manage", event_id=registration.event_id) if is_staff(current_user)
            else url_for("registrations.board_index"))
    return act(lambda: services.cancel_registration(current_user, registration),
               confirm=lambda: _cancel_confirmation(registration, back),
               done=lambda promoted: _cancelled(registration, promoted), then=back)


def _cancel_confirmation(registration: Registration, back: str) -> Confirmation:
    name, title = registration.participant.full_name, registration.event.title
    consequences = [_("The registration of %(name)s for %(title)s is cancelled; they are told by email.",
                      name=name, title=title)]
    waiting = waitlist.next_in_line(registration)
    if waiting is not None:
        consequences.append(_("The seat goes to %(name)s, first on the waiting list, who is told by email.",
                              name=waiting.participant.full_name))
    return Confirmation(_("Cancel the registration of %(name)s?", name=name), consequences,
                        _("Yes, cancel the registration"), back)


def _cancelled(registration: Registration, promoted: list[Registration]) -> str:
    cancelled = _("The registration of %(name)s is cancelled.", name=registration.participant.full_name)
    if not promoted:
        return " ".join((cancelled, _("Nobody was promoted from the waiting list.")))
    names = ", ".join(r.participant.full_name for r in promoted)
    return " ".join((cancelled, _("Promoted from the waiting list and told by email: %(names)s.", names=names)))


def _filters():
    """The state, the districts (an id chosen, or a name typed where there are many) and the search."""
    status = request.args.get("status") or None
    district_ids = district_ids_for(request.args.get("district_id", "")[:80])
    name = " ".join(request.args.get("q", "").split())[:120]
    return (status if status in {s.value for s in RegistrationStatus} else None), district_ids, name


@bp.get("/organiser/events/<int:event_id>/registrations")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    return _render_manage(load_or_404(Event, event_id, current_actor()), GuestForm(formdata=None))


def _render_manage(event: Event, guest_form: GuestForm, status_code: int = 200):
    status, district_ids, name = _filters()
    page = paginate(queries.registrations_query(event.id, status, district_ids, name))
    return render_template("registrations/manage.html", event=event, registrations=page.items, page=page,
                           counts=queries.summary(event.id), positions=queries.waitlist_positions([event.id]),
                           status=status, district_id=request.args.get("district_id") or None, name=name,
                           filter_form=RegistrationFilterForm(request.args, meta={"csrf": False}),
                           districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"]),
                           guest_form=guest_form, statuses=list(RegistrationStatus)), status_code


@bp.post("/organiser/events/<int:event_id>/registrations/guests")
@roles(*STAFF_ROLES)
def add_guest(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    form = GuestForm()
    return act(lambda: services.add_guest(current_user, event.id, form.full_name.data, form.organisation_name.data,
                                          form.email.data, form.phone.data),
               form=form, done=_("The guest is registered."), then=url_for("registrations.manage", event_id=event.id)
               ) or _render_manage(event, form, 400)


@bp.post("/organiser/events/<int:event_id>/registrations/decide")
@roles(*STAFF_ROLES)
def decide(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    ids = _ids("registration_id")

    def decide_all() -> int:
        if request.form.get("action") == "reject":
            return services.reject_registrations(current_user, event.id, ids, request.form.get("reason", ""))
        return services.approve_registrations(current_user, event.id, ids)

    return act(decide_all, done=lambda count: _("%(count)d registrations updated.", count=count),
               then=url_for("registrations.manage", event_id=event.id))


@bp.post("/organiser/registrations/<int:registration_id>/promote")
@roles(*STAFF_ROLES)
def promote(registration_id: int):
    registration = load_or_404(Registration, registration_id, current_actor())
    return _waitlist_changed(registration, lambda: waitlist.promote_registration(current_user, registration))


@bp.post("/organiser/registrations/<int:registration_id>/move")
@roles(*STAFF_ROLES)
def move(registration_id: int):
    registration = load_or_404(Registration, registration_id, current_actor())
    position = request.form.get("position", 1, type=int)
    return _waitlist_changed(registration, lambda: waitlist.move_on_waitlist(current_user, registration, position))


def _waitlist_changed(registration: Registration, change):
    return act(change, done=_("The waiting list is updated."),
               then=url_for("registrations.manage", event_id=registration.event_id))


@bp.get("/organiser/events/<int:event_id>/registrations.<kind>")
@roles(*STAFF_ROLES)
def export(event_id: int, kind: str):
    event = load_or_404(Event, event_id, current_actor())
    if kind not in ("csv", "xlsx"):
        abort(404)
    status, district_ids, name = _filters()
    query = queries.export_query(event.id, status, district_ids, name)
    log_access(current_user, AccessKind.EXPORT, "registrations", event=event, row_count=count_rows(query))
    records = streamed(db.engine, query)
    data = exports.rows(records, queries.waitlist_positions([event.id]))
    return spreadsheets.download(kind, exports.header(), data, title=_("Registrations"),
                                 filename=f"registrations-{event.id}", separator_name=request.args.get("separator"))


