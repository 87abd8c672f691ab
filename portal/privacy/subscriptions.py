"""How privacy plugs in: its retention job in the mail worker, and its own rule (ended logins).
Other capabilities register their rules at ``RETENTION_RULES`` from their own subscriptions
(registrations: contacts and walk-ins)."""

from portal.mail.services import external_url
from portal.offices.context import current_office
from portal.privacy.rules import forget_ended_sessions
from portal.privacy.services import RetentionRule, retention_job
from portal.seams import PERIODIC_JOBS, RETENTION_RULES, register


def privacy_notice_url(external: bool = False) -> str:
    """The privacy notice of the office in use: linked from the footer, every form that collects
    personal data and every email (``external``: an absolute link, on the configured base URL)."""
    from flask import url_for
    from sqlalchemy.exc import SQLAlchemyError

    try:
        office_id = current_office().id
    except SQLAlchemyError:  # the 503 page of a database outage: the notice of the office in use
        return url_for("privacy.notice")
    return external_url("privacy.office_notice", office_id=office_id) if external else url_for(
        "privacy.office_notice", office_id=office_id)


def register_subscriptions(app) -> None:
    app.jinja_env.globals["privacy_notice_url"] = privacy_notice_url
    register(app, PERIODIC_JOBS, ("privacy.retention", retention_job))
    register(app, RETENTION_RULES, RetentionRule("accounts.ended_sessions", "session_days", forget_ended_sessions))
