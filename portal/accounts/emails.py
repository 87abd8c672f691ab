from flask import current_app
from flask_babel import lazy_gettext as _l

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
