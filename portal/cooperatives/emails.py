from flask_babel import lazy_gettext as _l

from portal.mail.services import external_url, queue_email
from portal.offices.context import in_office_of

DECISION_SUBJECTS = {
    "approved": _l("Your board account has been approved"),
    "rejected": _l("Your board account request was not approved"),
    "revoked": _l("Your board account has been revoked"),
}


def send_account_exists(user) -> None:
    """Someone signed up with an address that has an account: tell its owner, not the form."""
    queue_email(user.email, "cooperatives/email/account_exists_to_user", _l("You already have an account"),
                to_name=user.full_name, language=user.preferred_language, concerns=("user", user.id), user=user,
                login_link=external_url("accounts.login"), reset_link=external_url("accounts.forgot_password"))


@in_office_of(lambda account: account.cooperative.office)
def send_claim_decision(account) -> None:
    user = account.user
    queue_email(user.email, f"cooperatives/email/claim_{account.status.value}_to_board",
                DECISION_SUBJECTS[account.status.value], to_name=user.full_name, language=user.preferred_language,
                concerns=("board_account", account.id), account=account, user=user, cooperative=account.cooperative,
                link=external_url("cooperatives.mine"))
