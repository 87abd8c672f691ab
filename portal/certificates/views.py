"""Certificates: the organisers' preview and one-step issue on a training, revocation, downloads
for the cooperative's board and from the ticket page, and the public check of a code (rate
limited, like the login)."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, owner, public, roles
from portal.accounts.models import STAFF_ROLES, Role
from portal.certificates import documents, services
from portal.certificates.forms import CodeForm, RevokeForm
from portal.certificates.models import Certificate
from portal.cooperatives.policies import may_act_for
from portal.database import clock_now
from portal.documents.pdf import PDF_MIMETYPE
from portal.errors import RuleViolation
from portal.events.models import Event, EventKind
from portal.extensions import db, limiter
from portal.offices.context import office_in_use
from portal.offices.scope import load_or_404
from portal.registrations.models import Registration
from portal.transactions import Confirmation, act

bp = Blueprint("certificates", __name__)


def _pdf(certificate: Certificate) -> Response:
    return Response(documents.certificate_pdf(certificate), mimetype=PDF_MIMETYPE,
                    headers={"Content-Disposition": f'inline; filename="{documents.filename(certificate)}"'})


@bp.get("/organiser/events/<int:event_id>/certificates")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    rows = services.eligibility(event) if event.kind == EventKind.TRAINING else []
    return render_template("certificates/manage.html", event=event, rows=rows,
                           required=services.required_sessions(event), revoke_form=RevokeForm(formdata=None),
                           to_issue=sum(row.will_be_issued for row in rows))


@bp.post("/organiser/events/<int:event_id>/certificates")
@roles(*STAFF_ROLES)
def issue(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    return act(lambda: services.issue_certificates(current_user, event.id, clock_now()), done=_issued,
               then=url_for("certificates.manage", event_id=event.id))


def _issued(issued: list[Certificate]):
    emailed = sum(1 for certificate in issued if certificate.registration.participant.email)
    return (_("%(count)d certificates issued; %(emailed)d emails are queued and go out in the background.",
              count=len(issued), emailed=emailed),
            "success" if issued else "info")


@bp.post("/organiser/certificates/<int:certificate_id>/revoke")
@roles(*STAFF_ROLES)
def revoke(certificate_id: int):
    certificate = load_or_404(Certificate, certificate_id, current_actor())
    form = RevokeForm()

    def revoke_validated() -> None:
        if not form.validate_on_submit():
            raise RuleViolation("reason", _("Give the reason for revoking the certificate."))
        services.revoke_certificate(current_user, certificate, form.reason.data, clock_now())

    back = url_for("certificates.manage", event_id=certificate.event_id)
    asked = Confirmation(
        _("Revoke the certificate of %(name)s?", name=certificate.full_name),
        [_("Certificate %(code)s of %(name)s is revoked, with the reason: “%(reason)s”.", code=certificate.code,
           name=certificate.full_name, reason=(form.reason.data or "").strip()),
         _("Checking its code then shows it as revoked, and it can no longer be downloaded.")],
        _("Yes, revoke the certificate"), back)
    return act(revoke_validated, confirm=lambda: asked if (form.reason.data or "").strip() else None,
               done=_("The certificate %(code)s of %(name)s is revoked; checking its code now shows it as revoked.",
                      code=certificate.code, name=certificate.full_name), then=back)


@bp.get("/certificates/<int:certificate_id>/pdf")
@owner(*STAFF_ROLES, Role.BOARD)
def download(certificate_id: int):
    """For organisers, and for the board of the participant's cooperative ("My cooperative")."""
    certificate = load_or_404(Certificate, certificate_id, current_actor())
    if not certificate.is_valid or not may_act_for(current_user, certificate.registration.cooperative_id):
        abort(404)
    return _pdf(certificate)


@bp.get("/tickets/<token>/certificate.pdf")
@public
def ticket_download(token: str):
    """From the participant's ticket page: the ticket's random token is the key."""
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    certificate = services.valid_certificate_of(registration) if registration is not None else None
    if certificate is None:
        abort(404)
    return _pdf(certificate)


@bp.get("/certificates")
@public
def check():
    form = CodeForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip()))
    return render_template("certificates/check.html", form=form)


@bp.get("/certificates/<code>")
@public
@limiter.limit(lambda: current_app.config["CERTIFICATE_CHECK_RATE_LIMIT"], scope="certificate-check")
def verify(code: str):
    certificate = services.find_by_code(code)
    with office_in_use(certificate.event.office if certificate else None):
        return render_template("certificates/verify.html", certificate=certificate, code=code,
                               form=CodeForm(formdata=None)), 200 if certificate else 404
