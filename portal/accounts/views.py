from datetime import timedelta
from math import ceil

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts import guard, lifetimes, services
from portal.accounts.access import authenticated, current_actor, public, roles, safe_next_url
from portal.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    RoleForm,
    StaffUserForm,
)
from portal.accounts.models import Role, TokenPurpose, User
from portal.extensions import db, limiter
from portal.offices.scope import load_or_404, readable_offices
from portal.offices.services import may_manage_offices
from portal.transactions import Confirmation, act, attempt

bp = Blueprint("accounts", __name__)


def _sign_in(user: User, remember: bool) -> None:
    """A new login session for ``user`` in the request's transaction, and the browser's cookie for it."""
    services.start_login_session(user, request.remote_addr, request.user_agent.string, remembered=remember,
                                 now=lifetimes.clock())
    _idle, absolute = lifetimes.lifetimes(user.role, remember)
    login_user(user, remember=remember, duration=absolute)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"],
               scope="login-address")
def login():
    """Wrong passwords slow down the address they come from, never the account everywhere
    (portal/accounts/guard.py); a device that logged in before keeps a cookie that lets it through."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    device = request.cookies.get(guard.DEVICE_COOKIE)
    result = attempt(lambda: guard.try_login(form.email.data, form.password.data, request.remote_addr, device,
                                             lifetimes.clock())).result
    if result.refusal is not None:
        form.password.errors.append(_("Too many failed attempts from here. Please try again in %(minutes)d minutes.",
                                      minutes=max(1, ceil(result.refusal.wait.total_seconds() / 60))))
        return render_template("accounts/login.html", form=form), 429
    if result.user is None:
        form.password.errors.append(_("The email or password is not correct."))
        return render_template("accounts/login.html", form=form)
    user = result.user
    response = act(lambda: _sign_in(user, form.remember.data), done=_("Welcome, %(name)s.", name=user.full_name),
                   then=safe_next_url(request.args.get("next")) or url_for("main.index"))
    response.set_cookie(guard.DEVICE_COOKIE, guard.device_cookie(device, user),
                        max_age=current_app.config["LOGIN_DEVICE_COOKIE_SECONDS"], httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/admin/failed-logins")
@roles(Role.ADMIN)
def failed_logins():
    since = lifetimes.clock() - timedelta(days=1)
    return render_template("accounts/failed_logins.html",
                           rows=guard.failed_logins_by_account(since, actor=current_actor()))


@bp.post("/logout")
@authenticated
def logout():
    def sign_out() -> None:
        services.end_login_session(current_user.current_session_token, lifetimes.clock())
        logout_user()  # flask-login's user_logged_out: attendance revokes the sheets' tokens

    return act(sign_out, done=(_("You have logged out."), "info"), then=url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()

    def change() -> None:
        services.change_password(user, form.current_password.data, form.new_password.data)
        _sign_in(user, remember=False)

    return act(change, form=form, done=_("Your password has been changed. Other devices have been logged out."),
               then=url_for("main.index")) or render_template("accounts/change_password.html", form=form)


@bp.get("/admin/users")
@roles(Role.ADMIN)
def users():
    search = request.args.get("q", "").strip()
    page = db.paginate(services.staff_query(search, current_actor()), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("accounts/users.html", page=page, search=search)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_user():
    form = StaffUserForm()
    offices = readable_offices(current_actor()) if may_manage_offices(current_actor()) else []
    form.office_id.choices = [(office.id, office.office_name) for office in offices]
    chosen = {office.id: office for office in offices}.get(form.office_id.data)
    extra = {"office": chosen} if chosen is not None else {}
    return act(lambda: services.create_user(current_user, form.email.data, form.full_name.data, Role(form.role.data),
                                            form.password.data, phone=form.phone.data, **extra),
               form=form, done=lambda user: _("Account for %(name)s created.", name=user.full_name),
               then=url_for("accounts.users")) or render_template("accounts/new_user.html", form=form)


def _staff_or_404(user_id: int) -> User:
    user = load_or_404(User, user_id, current_actor())
    if not user.reads_office:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id: int):
    user = _staff_or_404(user_id)
    form = RoleForm(obj=user)
    return act(lambda: services.set_user_role(current_user, user, Role(form.role.data)), form=form,
               done=_("Role saved."), then=url_for("accounts.edit_user", user_id=user.id)
               ) or render_template("accounts/edit_user.html", user=user, form=form)


@bp.post("/admin/users/<int:user_id>/active")
@roles(Role.ADMIN)
def set_active(user_id: int):
    user = _staff_or_404(user_id)
    active = request.form.get("active") == "1"
    back = url_for("accounts.edit_user", user_id=user.id)
    asked = Confirmation(_("Deactivate the account of %(name)s?", name=user.full_name),
                         [_("%(name)s (%(email)s) can no longer log in.", name=user.full_name, email=user.email),
                          _("Every session they have open ends now; you can activate the account again later.")],
                         _("Yes, deactivate"), back)
    return act(lambda: services.set_user_active(current_user, user, active),
               confirm=lambda: None if active else asked,
               done=_("The account of %(name)s is activated.", name=user.full_name) if active else
               _("The account of %(name)s is deactivated; its sessions have ended.", name=user.full_name), then=back)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"], scope="password-reset")
def forgot_password():
    form = ForgotPasswordForm()
    return act(lambda: services.request_password_reset(form.email.data), form=form, then=url_for("accounts.login"),
               done=(_("If this address has an account, we have sent it a link to choose a new password. "
                       "Please check your inbox (and the spam folder)."), "info")
               ) or render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    if services.find_valid_token(token, TokenPurpose.PASSWORD_RESET) is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    return act(lambda: services.reset_password(token, form.new_password.data), form=form,
               done=_("Your password has been changed. You can log in now."), then=url_for("accounts.login")
               ) or render_template("accounts/reset_password.html", form=form)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str):
    if services.find_valid_token(token, TokenPurpose.EMAIL_VERIFICATION) is None:
        return render_template("accounts/link_invalid.html"), 400
    if request.method == "POST":
        return act(lambda: services.verify_email(token), done=_("Thank you: your email address is confirmed."),
                   then=url_for("main.index"))
    return render_template("accounts/verify_email.html")
