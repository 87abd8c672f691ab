"""How privacy plugs in: its retention job in the mail worker, and its own rule (ended logins).
Other capabilities register their rules at ``RETENTION_RULES`` from their own subscriptions
(registrations: contacts and walk-ins)."""

from portal.privacy.rules import forget_ended_sessions
from portal.privacy.services import RetentionRule, retention_job
from portal.seams import PERIODIC_JOBS, RETENTION_RULES, register


def register_subscriptions(app) -> None:
    register(app, PERIODIC_JOBS, ("privacy.retention", retention_job))
    register(app, RETENTION_RULES, RetentionRule("accounts.ended_sessions", "session_days", forget_ended_sessions))
