"""Staff's own API tokens, on their account: create (the secret shown once, on the page the form
redirects to, never stored in the database or flashed) and revoke."""

from types import SimpleNamespace

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles
from portal.accounts.models import STAFF_ROLES
from portal.api import services
from portal.api.forms import ApiTokenForm
from portal.api.models import ApiToken
from portal.database import clock_now
from portal.errors import show_violation
from portal.extensions import db
from portal.transactions import act, attempt

bp = Blueprint("api_tokens", __name__)


def _page(form: ApiTokenForm, minted=None, status: int = 200):
    return render_template("api/tokens.html", form=form, minted=minted,
                           tokens=services.tokens_of(current_user), now=clock_now()), status


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def tokens():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        new = session.pop("new_api_token", None) if request.method == "GET" else None
        minted = SimpleNamespace(token=SimpleNamespace(name=new["name"]), secret=new["secret"]) if new else None
        return _page(form, minted=minted, status=400 if form.is_submitted() else 200)
    outcome = attempt(lambda: services.mint_token(current_user, form.name.data, form.scopes.data, clock_now()))
    if not outcome.ok:
        show_violation(form, outcome.violation)
        return _page(form, status=400)
    # POST-redirect-GET: the secret waits in the (signed, HttpOnly) session cookie for the next
    # GET, which shows it once and drops it; reloading that page makes no second token.
    session["new_api_token"] = {"name": outcome.result.token.name, "secret": outcome.result.secret}
    return redirect(url_for("api_tokens.tokens"), 303)


def _own_token_or_404(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    return token


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@roles(*STAFF_ROLES)
def revoke(token_id: int):
    token = _own_token_or_404(token_id)
    return act(lambda: services.revoke_token(current_user, token, clock_now()),
               done=_("The token has been revoked; it no longer works."), then=url_for("api_tokens.tokens"))
