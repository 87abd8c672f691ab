from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts import lifetimes, services
from portal.accounts.access import authenticated, public, roles, safe_next_url
from portal.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    RoleForm,
    StaffUserForm,
)
from portal.accounts.models import Role, TokenPurpose, User
from portal.errors import RuleViolation, show_violation
from portal.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _account_key() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    return response.status_code != 302


def _sign_in(user: User, remember: bool) -> None:
    services.start_login_session(user, request.remote_addr, request.user_agent.string, remembered=remember,
                                 now=lifetimes.clock())
    db.session.commit()
    _idle, absolute = lifetimes.lifetimes(user.role, remember)
    login_user(user, remember=remember, duration=absolute)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"],
               scope="login-address")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key, deduct_when=_failed, scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or password is not correct."))
        else:
            _sign_in(user, form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@authenticated
def logout():
    services.end_login_session(current_user.current_session_token, lifetimes.clock())
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except RuleViolation as violation:
            db.session.rollback()
            show_violation(form, violation)
        else:
            _sign_in(user, remember=False)
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/change_password.html", form=form)


@bp.get("/admin/users")
@roles(Role.ADMIN)
def users():
    search = request.args.get("q", "").strip()
    page = db.paginate(services.staff_query(search), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("accounts/users.html", page=page, search=search)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_user():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, form.email.data, form.full_name.data, Role(form.role.data),
                                        form.password.data, phone=form.phone.data)
        except RuleViolation as violation:
            db.session.rollback()
            show_violation(form, violation)
        else:
            db.session.commit()
            flash(_("Account for %(name)s created.", name=user.full_name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/new_user.html", form=form)


def _staff_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not user.is_staff:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id: int):
    user = _staff_or_404(user_id)
    form = RoleForm(obj=user)
    if form.validate_on_submit():
        try:
            services.set_user_role(current_user, user, Role(form.role.data))
        except RuleViolation as violation:
            db.session.rollback()
            show_violation(form, violation)
        else:
            db.session.commit()
            flash(_("Role saved."), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("accounts/edit_user.html", user=user, form=form)


@bp.post("/admin/users/<int:user_id>/active")
@roles(Role.ADMIN)
def set_active(user_id: int):
    user = _staff_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_user_active(current_user, user, active)
    except RuleViolation as violation:
        db.session.rollback()
        flash(violation.message, "danger")
    else:
        db.session.commit()
        flash(_("Account activated.") if active else _("Account deactivated; its sessions have ended."), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"], scope="password-reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If this address has an account, we have sent it a link to choose a new password. "
                "Please check your inbox (and the spam folder)."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    if services.find_valid_token(token, TokenPurpose.PASSWORD_RESET) is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.new_password.data)
        except RuleViolation as violation:
            db.session.rollback()
            show_violation(form, violation)
        else:
            db.session.commit()
            flash(_("Your password has been changed. You can log in now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str):
    if services.find_valid_token(token, TokenPurpose.EMAIL_VERIFICATION) is None:
        return render_template("accounts/link_invalid.html"), 400
    if request.method == "POST":
        services.verify_email(token)
        db.session.commit()
        flash(_("Thank you: your email address is confirmed."), "success")
        return redirect(url_for("main.index"))
    return render_template("accounts/verify_email.html")
