from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.i18n import to_local
from portal.mail.queries import trouble_counts
from portal.mail.services import external_url, queue_email


def send_password_reset(user, token: str) -> None:
    queue_email(
        user.email, "accounts/email/password_reset_to_user", _l("Reset your password"),
        to_name=user.full_name, language=user.preferred_language, concerns=("user", user.id), user=user,
        link=external_url("accounts.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 60,
    )


def send_email_verification(user, token: str) -> None:
    queue_email(
        user.email, "accounts/email/verify_email_to_user", _l("Confirm your email address"),
        to_name=user.full_name, language=user.preferred_language, concerns=("user", user.id), user=user,
        link=external_url("accounts.verify_email", token=token),
        hours=current_app.config["EMAIL_VERIFICATION_TTL_SECONDS"] // 3600,
    )


def send_mail_trouble_summary(now) -> int:
    """Once a day while mail is failing, tell each active administrator how much and where to look
    (the navigation bar's badge is the main signal: this email may itself fail). Returns how many
    were queued; the key makes it once per administrator and office day."""
    trouble = trouble_counts(now)
    if not trouble["total"]:
        return 0
    day = to_local(now).date().isoformat()
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active_account.is_(True)))
    count = 0
    for admin in admins:
        queue_email(admin.email, "accounts/email/mail_trouble_to_admin", _l("Email is failing"),
                    to_name=admin.full_name, language=admin.preferred_language, concerns=("user", admin.id),
                    key=f"mail-trouble:{day}:{admin.id}", user=admin, trouble=trouble,
                    link=external_url("mail.index", trouble="y"))
        count += 1
    return count


def send_guessing_warning(user, failures: int) -> None:
    queue_email(
        user.email, "accounts/email/guessing_warning_to_user", _l("Someone is trying to log in to your account"),
        to_name=user.full_name, language=user.preferred_language, concerns=("user", user.id), user=user,
        failures=failures,
        link=external_url("accounts.forgot_password"),
    )
