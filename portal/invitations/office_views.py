"""The office answering for an invitee, a part of the invitations blueprint (endpoints
``invitations.office.*``): an answer received by phone, WhatsApp, letter or in person, with the
same effect as the invitee's own through its link."""

from datetime import datetime

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.database import clock_now
from portal.events.services import local_moment, local_parts
from portal.invitations import queries, services
from portal.invitations.forms import OfficeAnswerForm
from portal.invitations.models import AnswerChannel, Invitation, InvitationAnswer
from portal.offices.scope import load_or_404
from portal.transactions import act

bp = Blueprint("office", __name__)


def _answered_at(form: OfficeAnswerForm) -> datetime | None:
    """The moment the form names, in the office's zone; None (now) when neither part is given."""
    if not form.answered_on.data and not form.answered_time.data:
        return None
    today, clock = local_parts(clock_now())
    return local_moment(form.answered_on.data or today, form.answered_time.data or clock)


def _blank_form(invitation: Invitation) -> OfficeAnswerForm:
    signed_up = (queries.cooperative_registrations(invitation.event_id, invitation.cooperative_id)
                 if invitation.cooperative_id else [])
    return OfficeAnswerForm(
        formdata=None, answer=(invitation.answer or InvitationAnswer.ACCEPTED).value,
        channel=AnswerChannel.PHONE.value, attendee_count=invitation.attendee_count,
        attendee_names="\n".join(r.participant.full_name for r in signed_up if r.is_active))


@bp.route("/organiser/invitations/<int:invitation_id>/answer", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def answer(invitation_id: int):
    """Record an answer the office received for the invitee; the same rules as its own answer."""
    invitation = load_or_404(Invitation, invitation_id, current_actor())
    posted = request.method == "POST"
    form = OfficeAnswerForm() if posted else _blank_form(invitation)
    then = url_for("invitations.manage", event_id=invitation.event_id)
    response = posted and act(
        lambda: services.answer_invitation(
            current_user, invitation, InvitationAnswer(form.answer.data), reason=form.reason.data,
            attendee_names=form.attendee_names.data, attendee_count=form.attendee_count.data,
            channel=AnswerChannel(form.channel.data), answered_by_name=form.answered_by_name.data,
            answered_at=_answered_at(form), now=clock_now()),
        form=form, then=then,
        done=lambda _previous: _("The answer of %(name)s is recorded: %(answer)s.", name=invitation.guest_name,
                                 answer=invitation.answer.label))
    if response:
        return response
    signed_up = (queries.cooperative_registrations(invitation.event_id, invitation.cooperative_id)
                 if invitation.cooperative_id else [])
    return render_template("invitations/answer_for.html", invitation=invitation, event=invitation.event,
                           form=form, signed_up=signed_up, back=then), 400 if posted else 200
