import io

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, public, roles, safe_next_url
from portal.accounts.models import STAFF_ROLES
from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import district_ids_for, districts, listed_districts, search_cooperatives
from portal.events.models import Event
from portal.extensions import db, limiter
from portal.forms import parse_ids
from portal.invitations import queries, reminders, services
from portal.invitations.board_views import bp as board_bp
from portal.invitations.forms import (
    AcceptForm,
    ChooseForm,
    DeclineForm,
    ParticipantsForm,
    SendForm,
    TrackingFilterForm,
)
from portal.invitations.letters import invitation_letter
from portal.invitations.models import NAMES_OWED_LABEL, NO_ANSWER_LABEL, Delivery, Invitation, InvitationAnswer
from portal.invitations.office_views import bp as office_bp
from portal.invitations.selection import preview
from portal.invitations.whatsapp import group_text, whatsapp_texts
from portal.offices.context import office_in_use
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.transactions import act

bp = Blueprint("invitations", __name__)
bp.register_blueprint(office_bp)
bp.register_blueprint(board_bp)


@bp.context_processor
def template_helpers():
    return {"deliveries": Delivery, "answers": InvitationAnswer, "no_answer_label": NO_ANSWER_LABEL,
            "names_owed_label": NAMES_OWED_LABEL,
            "valid_until": services.valid_until}


def _ids(name: str) -> list[int]:
    return parse_ids(request.form.getlist(name))


# -- organisers ---------------------------------------------------------------------------------


@bp.get("/organiser/events/<int:event_id>/invitations")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    form = TrackingFilterForm(request.args, meta={"csrf": False})
    filters = {}
    if form.validate():
        filters = {"delivery": form.delivery.data or None, "answer": form.answer.data or None,
                   "district_ids": district_ids_for(form.district_id.data), "search": form.q.data}
    page = paginate(queries.invitations_query(event.id, **filters))
    counts, progress = queries.counts(event.id)
    return render_template(
        "invitations/manage.html", event=event, form=form, page=page, counts=counts,
        whatsapp=whatsapp_texts(event, page.items), group_text=group_text(event),
        delivery=queries.delivery_of(event.id, [i.id for i in page.items]), rounds=queries.rounds(event.id),
        coming=queries.people_coming(event.id, [i.cooperative_id for i in page.items if i.cooperative_id]),
        progress=progress,
        districts=listed_districts(current_app.config["DISTRICT_SELECT_LIMIT"]))


def _render_new(event: Event, choice: ChooseForm, send_form: SendForm, show: bool, status: int = 200):
    picked = list(db.session.scalars(select(Cooperative).where(Cooperative.id.in_(choice.cooperative_id.data))
                                     .order_by(Cooperative.name))) if choice.cooperative_id.data else []
    return render_template("invitations/new.html", event=event, choice=choice, send_form=send_form, picked=picked,
                           round_limit=services.MAX_COOPERATIVES_PER_ROUND,
                           found=[c for c in search_cooperatives(choice.q.data, actor=current_actor())
                                  if c not in picked],
                           preview=preview(event.id, choice.selection()) if show and choice.is_chosen() else None
                           ), status


@bp.get("/organiser/events/<int:event_id>/invitations/new")
@roles(*STAFF_ROLES)
def new(event_id: int):
    """Choose by filter or by hand, and see how many and who before sending."""
    event = load_or_404(Event, event_id, current_actor())
    choice = ChooseForm(request.args or None, meta={"csrf": False})
    choice.set_districts(districts())
    show = bool(request.args) and choice.validate()
    last = queries.rounds(event.id)
    send_form = SendForm(formdata=None, what_to_bring=last[0].what_to_bring if last else None)
    return _render_new(event, choice, send_form, show)


@bp.post("/organiser/events/<int:event_id>/invitations")
@roles(*STAFF_ROLES)
def send(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    form = SendForm()
    form.set_districts(districts())
    return act(lambda: services.send_invitations(current_user, event, form.selection(), form.organisation_list(),
                                                 form.what_to_bring.data),
               form=form, then=url_for("invitations.manage", event_id=event.id),
               done=lambda sent: _("%(invited)d invitations made; %(messages)d emails are queued and go out in the "
                                   "background.", invited=sent.cooperative_count + sent.organisation_count,
                                   messages=sent.message_count)
               ) or _render_new(event, form, form, show=True, status=400)


@bp.post("/organiser/invitations/<int:invitation_id>/resend")
@roles(*STAFF_ROLES)
def resend(invitation_id: int):
    invitation = load_or_404(Invitation, invitation_id, current_actor())
    return act(lambda: services.resend_invitation(current_user, invitation),
               done=lambda count: _("%(count)d emails are queued again.", count=count),
               then=safe_next_url(request.form.get("next"))
               or url_for("invitations.manage", event_id=invitation.event_id))


@bp.get("/organiser/invitations/<int:invitation_id>/letter.pdf")
@roles(*STAFF_ROLES)
def letter(invitation_id: int):
    return _letter(load_or_404(Invitation, invitation_id, current_actor()))


def _letter(invitation: Invitation):
    """The invitee's copy of the round's letter, shown in the browser (it can be saved or printed)."""
    letter = invitation_letter(invitation)
    if letter is None:
        abort(404)
    filename, content_type, data = letter
    return send_file(io.BytesIO(data), mimetype=content_type, download_name=filename)


REMIND_PER_PAGE = 100


@bp.get("/organiser/events/<int:event_id>/invitations/remind")
@roles(*STAFF_ROLES)
def remind(event_id: int):
    """The unanswered invitations, all ticked (``?select=none``: none), to remind now."""
    event = load_or_404(Event, event_id, current_actor())
    page = db.paginate(reminders.non_responders_query(event.id), per_page=REMIND_PER_PAGE, error_out=False)
    return render_template("invitations/remind.html", event=event, page=page,
                           checked=request.args.get("select") != "none")


@bp.post("/organiser/events/<int:event_id>/invitations/remind")
@roles(*STAFF_ROLES)
def send_reminders(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    chosen = None if request.form.get("everyone") else _ids("invitation_id")
    return act(lambda: reminders.remind_non_responders(current_user, event, chosen), done=_reminded,
               then=url_for("invitations.manage", event_id=event.id),
               back=url_for("invitations.remind", event_id=event.id))


def _reminded(count: int):
    if count:
        return ngettext("%(num)d reminder email is queued.", "%(num)d reminder emails are queued.", count)
    return _("Everyone chosen has been reminded today already; nothing more was sent."), "info"


# -- the invitee, through the link ----------------------------------------------------------------


def _refused(refused: services.LinkRefused):
    status = 410 if refused.problem == services.LinkProblem.EXPIRED else 404
    return render_template("invitations/link_refused.html", problem=refused.problem.value,
                           invitation=refused.invitation), status


def _render_rsvp(invitation: Invitation, accept_form: AcceptForm, decline_form: DeclineForm, status: int = 200):
    event = invitation.event
    signed_up = (queries.cooperative_registrations(event.id, invitation.cooperative_id)
                 if invitation.cooperative_id else [])
    if accept_form.attendee_names.data is None and event.kind.is_meeting:
        named = [r.participant.full_name for r in signed_up if r.is_active]
        accept_form.attendee_names.data = "\n".join(named)
        if services.names_owed(invitation, len(named)):  # the count stays until every name is given
            accept_form.attendee_count.data = invitation.attendee_count
    with office_in_use(event.office):
        return render_template("invitations/rsvp.html", invitation=invitation, event=event, accept_form=accept_form,
                               decline_form=decline_form, signed_up=signed_up,
                               chosen=request.args.get("answer")), status


@bp.get("/events/<int:event_id>/invitation/<token>")
@public
def rsvp(event_id: int, token: str):
    """What a link in the email opens: the invitation and the answer buttons. Nothing changes
    until a button is pressed, so a mail scanner that follows links answers nothing."""
    try:
        invitation = services.open_invitation(event_id, token)
    except services.LinkRefused as refused:
        return _refused(refused)
    return _render_rsvp(invitation, AcceptForm(formdata=None), DeclineForm(formdata=None))


@bp.get("/events/<int:event_id>/invitation/<token>/letter.pdf")
@public
@limiter.limit(lambda: current_app.config["LETTER_RATE_LIMIT"], scope="invitation-letter")
def letter_by_link(event_id: int, token: str):
    try:
        invitation = services.open_invitation(event_id, token)
    except services.LinkRefused as refused:
        return _refused(refused)
    return _letter(invitation)


@bp.post("/events/<int:event_id>/invitation/<token>")
@public
def answer(event_id: int, token: str):
    try:
        invitation = services.open_invitation(event_id, token)
    except services.LinkRefused as refused:
        return _refused(refused)
    if request.form.get("answer") not in (InvitationAnswer.ACCEPTED.value, InvitationAnswer.DECLINED.value):
        abort(400)
    accepting = request.form.get("answer") == InvitationAnswer.ACCEPTED.value
    form = AcceptForm() if accepting else DeclineForm()
    then = ("invitations.participants" if accepting and services.names_participants(invitation)
            else "invitations.rsvp")
    response = act(lambda: services.answer_invitation(
        current_actor(), invitation, InvitationAnswer.ACCEPTED if accepting else InvitationAnswer.DECLINED,
        reason=getattr(form, "reason", None) and form.reason.data,
        attendee_names=getattr(form, "attendee_names", None) and form.attendee_names.data,
        attendee_count=getattr(form, "attendee_count", None) and form.attendee_count.data),
        form=form, done=lambda previous: _answered(invitation, previous),
        then=url_for(then, event_id=event_id, token=token))
    forms = (form, DeclineForm(formdata=None)) if accepting else (AcceptForm(formdata=None), form)
    return response or _render_rsvp(invitation, *forms, status=400)


def _answered(invitation: Invitation, previous) -> str:
    now = invitation.answer.label
    if previous is None:
        return _("Thank you. Your answer is recorded: %(answer)s.", answer=now)
    if previous == invitation.answer:
        return _("Your answer is updated: %(answer)s.", answer=now)
    return _("Your earlier answer (%(before)s) is replaced by your new answer: %(answer)s.",
             before=previous.label, answer=now)


@bp.route("/events/<int:event_id>/invitation/<token>/participants", methods=["GET", "POST"])
@public
def participants(event_id: int, token: str):
    """For an accepted training: the board names its participants, with or without an account."""
    try:
        invitation = services.open_invitation(event_id, token)
    except services.LinkRefused as refused:
        return _refused(refused)
    if not services.names_participants(invitation) or invitation.answer != InvitationAnswer.ACCEPTED:
        return redirect(url_for("invitations.rsvp", event_id=event_id, token=token))
    form = ParticipantsForm()
    response = act(lambda: services.name_participants(current_actor(), invitation, _ids("participant_id"),
                                                      _ids("board_member_id"), form.new_person()),
                   form=form, then=url_for("invitations.participants", event_id=event_id, token=token),
                   done=lambda done: _("%(count)d people signed up; see their state below.", count=len(done)))
    if response:
        return response
    signed_up = queries.cooperative_registrations(event_id, invitation.cooperative_id)
    members, known = queries.not_signed_up(invitation.cooperative, signed_up)
    return render_template("invitations/participants.html", invitation=invitation, event=invitation.event, form=form,
                           cooperative=invitation.cooperative, signed_up=signed_up, members=members, known=known
                           ), 400 if request.method == "POST" else 200
