"""How accounts plugs into the mail worker: each pass ends the logins past their lifetime."""

from portal.accounts.lifetimes import end_expired_sessions
from portal.mail.delivery import register_periodic_job


def register_subscriptions(app) -> None:
    register_periodic_job(app, "accounts.end_expired_sessions", end_expired_sessions)
