"""How accounts plugs into the mail worker (each pass ends the logins past their lifetime) and
into the templates (``|phone`` shows a phone number in the portal's one form)."""

from portal.accounts.lifetimes import end_expired_sessions
from portal.accounts.services import display_phone
from portal.seams import PERIODIC_JOBS, register


def register_subscriptions(app) -> None:
    register(app, PERIODIC_JOBS, ("accounts.end_expired_sessions", end_expired_sessions))
    app.jinja_env.filters["phone"] = display_phone
