"""How long a login lasts: an idle and an absolute lifetime per role, longer for a board member
who ticked remember-me, all configurable; and the mail worker's job that ends what has expired.

| who                      | idle    | absolute | settings, in seconds                       |
|--------------------------|---------|----------|--------------------------------------------|
| staff (admin, organiser) | 8 hours | 7 days   | LOGIN_STAFF_IDLE_SECONDS, ..._MAX_SECONDS   |
| board member             | 1 day   | 7 days   | LOGIN_BOARD_IDLE_SECONDS, ..._MAX_SECONDS   |
| board member, remembered | 30 days | 30 days  | LOGIN_BOARD_REMEMBERED_IDLE_SECONDS, ..._MAX_SECONDS |

Remember-me only keeps a login across a closed browser; it never outlives these limits (the
remember-me cookie carries the same session token and expires with the absolute lifetime).
"""

from datetime import datetime, timedelta

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import delete, select, update

from portal.accounts.models import OFFICE_ROLES, LoginAttempt, LoginSession, Role, User
from portal.database import begin_write, utcnow
from portal.extensions import db
from portal.static_files import STATIC_ENDPOINTS

# last_seen_at is written when it is older than this, not on every request.
TOUCH_INTERVAL = timedelta(minutes=5)
UNTRACKED_ENDPOINTS = {None, *STATIC_ENDPOINTS, "security.csp_report"}


def clock() -> datetime:
    """Now, for logins: ``PORTAL_LOGIN_CLOCK`` when set (tests), apart from ``PORTAL_CLOCK``, so a
    test that moves the views to the day of an event does not age the organiser's login."""
    return current_app.config.get("PORTAL_LOGIN_CLOCK", utcnow)()


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


def lifetimes(role: Role, remembered: bool) -> tuple[timedelta, timedelta]:
    """(idle, absolute) for a login of ``role``, with or without remember-me."""
    prefixes = {False: "LOGIN_BOARD", True: "LOGIN_BOARD_REMEMBERED"}
    prefix = "LOGIN_STAFF" if role in OFFICE_ROLES else prefixes[remembered]
    return _seconds(f"{prefix}_IDLE_SECONDS"), _seconds(f"{prefix}_MAX_SECONDS")


def has_expired(login: LoginSession, role: Role, now: datetime) -> bool:
    idle, absolute = lifetimes(role, login.is_remembered)
    return now - login.last_seen_at > idle or now - login.created_at > absolute


def keep_login_alive() -> None:
    """Before each request: load the login (its lifetimes checked by the user loader) and, when it
    was last seen more than a few minutes ago, record that it is in use. That write is the login's
    bookkeeping, not the request's work, so it takes its own write transaction and commits."""
    if request.endpoint in UNTRACKED_ENDPOINTS or not current_user.is_authenticated:
        return
    login = current_user.current_login
    now = clock()
    if login is None or now - login.last_seen_at < TOUCH_INTERVAL:
        return
    begin_write(db.session)
    db.session.execute(update(LoginSession).where(LoginSession.id == login.id).values(last_seen_at=now))
    db.session.commit()


def _expired(roles, remembered: bool, now: datetime):
    idle, absolute = lifetimes(roles[0], remembered)
    return (LoginSession.ended_at.is_(None) & (LoginSession.is_remembered == remembered)
            & LoginSession.user_id.in_(select(User.id).where(User.role.in_(roles)))
            & ((LoginSession.last_seen_at < now - idle) | (LoginSession.created_at < now - absolute)))


def end_expired_sessions(now: datetime) -> None:
    """The worker's periodic job: end the sessions past their lifetime, and delete the ended ones
    and the login attempts after ``LOGIN_SESSION_RETENTION_SECONDS`` (kept that long for the
    record: when, from where).
    Idempotent, so several workers may run it at once."""
    begin_write(db.session)
    for roles in (OFFICE_ROLES, (Role.BOARD,)):
        for remembered in (False, True):
            db.session.execute(update(LoginSession).where(_expired(roles, remembered, now)).values(ended_at=now)
                               .execution_options(synchronize_session=False))
    retention = _seconds("LOGIN_SESSION_RETENTION_SECONDS")
    db.session.execute(delete(LoginSession).where(LoginSession.ended_at < now - retention)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - retention)
                       .execution_options(synchronize_session=False))
