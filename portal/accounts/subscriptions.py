"""How accounts plugs into the mail worker (each pass ends the logins past their lifetime and,
while mail is failing, tells the administrators once a day) and into the templates (``|phone``
shows a phone number in the portal's one form)."""

from portal.accounts.emails import send_mail_trouble_summary
from portal.accounts.lifetimes import end_expired_sessions
from portal.accounts.services import display_phone
from portal.database import begin_write
from portal.extensions import db
from portal.seams import PERIODIC_JOBS, register


def mail_trouble_summary(now) -> None:
    """The worker's job: its own write transaction, committed by the worker."""
    begin_write(db.session)
    send_mail_trouble_summary(now)


def register_subscriptions(app) -> None:
    register(app, PERIODIC_JOBS, ("accounts.end_expired_sessions", end_expired_sessions))
    register(app, PERIODIC_JOBS, ("accounts.mail_trouble_summary", mail_trouble_summary))
    app.jinja_env.filters["phone"] = display_phone
