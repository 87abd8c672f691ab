"""How accounts plugs into the mail worker: each pass ends the logins past their lifetime."""

from portal.accounts.lifetimes import end_expired_sessions
from portal.seams import PERIODIC_JOBS, register


def register_subscriptions(app) -> None:
    register(app, PERIODIC_JOBS, ("accounts.end_expired_sessions", end_expired_sessions))
