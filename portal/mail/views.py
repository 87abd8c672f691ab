from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.mail import services
from portal.mail.forms import OutboxFilterForm
from portal.mail.models import MessageStatus, OutboxMessage
from portal.mail.queries import badge_counts
from portal.offices.scope import load_or_404
from portal.pagination import paginate
from portal.security import content_security_policy
from portal.transactions import act

bp = Blueprint("mail", __name__, url_prefix="/email")
# The navigation bar's badge for staff: ``mail_trouble()`` in templates.
bp.add_app_template_global(badge_counts, "mail_trouble")
bp.add_app_template_global(services.plain_reason, "plain_reason")


@bp.get("/")
@roles(*STAFF_ROLES)
def index():
    form = OutboxFilterForm(request.args)
    filters = ({"status": form.status.data or None, "recipient": form.recipient.data or None,
                "trouble": bool(form.trouble.data)} if form.validate() else {})
    counts = services.status_counts(current_actor())
    only_status = not filters.get("recipient") and not filters.get("trouble")
    page = paginate(services.outbox_query(current_actor(), **filters),
                    total=counts[filters["status"]] if only_status and filters.get("status") else None)
    return render_template("mail/index.html", form=form, page=page, counts=counts, statuses=list(MessageStatus))


@bp.get("/<int:message_id>")
@roles(*STAFF_ROLES)
def show(message_id: int):
    message = load_or_404(OutboxMessage, message_id, current_actor())
    return render_template("mail/show.html", message=message, attachment_name=services.attachment_name)


@bp.get("/<int:message_id>/preview")
@roles(*STAFF_ROLES)
@content_security_policy(default_src="'none'", script_src=None, style_src="'unsafe-inline'", img_src="data:",
                         frame_ancestors="'self'", sandbox="")
def preview(message_id: int):
    """The HTML body alone, framed by the message's page: a sandboxed document whose policy allows
    the inline styles emails are written with, and no script and no request at all."""
    message = load_or_404(OutboxMessage, message_id, current_actor())
    return Response(message.body_html or "", mimetype="text/html")


def _act(message_id: int, action, done: str):
    message = load_or_404(OutboxMessage, message_id, current_actor())
    return act(lambda: action(current_user, message), done=done, then=url_for("mail.show", message_id=message_id))


@bp.post("/<int:message_id>/retry")
@roles(*STAFF_ROLES)
def retry(message_id: int):
    return _act(message_id, services.retry_message, _("The message is queued again."))


@bp.post("/<int:message_id>/cancel")
@roles(*STAFF_ROLES)
def cancel(message_id: int):
    return _act(message_id, services.cancel_message, _("The message has been cancelled."))
