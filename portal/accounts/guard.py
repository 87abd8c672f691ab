"""Guessing passwords is slowed down without letting anyone lock an account out.

- Failures count per account **and address**: wrong passwords typed from one place slow down
  that place only, so nobody can lock the administrator out from elsewhere.
- After ``LOGIN_FREE_FAILURES`` failures in ``LOGIN_FAILURE_WINDOW_SECONDS``, each further try
  from that address waits ``LOGIN_DELAY_SECONDS``, doubling with every failure, up to
  ``LOGIN_MAX_DELAY_SECONDS``. A refused try is not a failure: it does not grow the delay.
- Guessing from many addresses is stopped by ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures per window
  for the account, for devices that never logged in to it.
- A device that has logged in to the account before (a signed cookie the browser keeps) passes
  both: the owner's own phone or laptop always gets to type the password.
- The owner is emailed when their account collects ``LOGIN_GUESSING_ALERT_FAILURES`` failures in
  a window, at most once per ``LOGIN_GUESSING_ALERT_INTERVAL_SECONDS``.

The per-address limit of the login form (Flask-Limiter, ``LOGIN_RATE_LIMIT_PER_ADDRESS``) stays in
front of all this. Times come from ``lifetimes.clock()``, so tests move time instead of sleeping.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.accounts import services
from portal.accounts.emails import send_guessing_warning
from portal.accounts.models import LoginAttempt, User
from portal.audit.services import record_change
from portal.extensions import db
from portal.offices.scope import scoped

log = logging.getLogger("portal.security")

DEVICE_COOKIE = "portal_device"
# The accounts one browser remembers having logged in to (a shared office computer).
MAX_DEVICE_ACCOUNTS = 10


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


@dataclass(frozen=True)
class Refusal:
    """A try that may not be made yet, and how long to wait."""

    wait: timedelta
    reason: str


def _failures(email: str, since: datetime, address: str | None = None):
    query = select(func.count(LoginAttempt.id), func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.email == email, LoginAttempt.is_success.is_(False), LoginAttempt.attempted_at >= since)
    if address is not None:
        query = query.where(LoginAttempt.ip_address == address)
    return db.session.execute(query).one()


def delay_after(failures: int) -> timedelta:
    """How long the next try waits after ``failures`` failures from one address."""
    over = failures - current_app.config["LOGIN_FREE_FAILURES"]
    if over < 0:
        return timedelta(0)
    return min(_seconds("LOGIN_DELAY_SECONDS") * 2 ** min(over, 30), _seconds("LOGIN_MAX_DELAY_SECONDS"))


def refusal(email: str, address: str | None, known_device: bool, now: datetime) -> Refusal | None:
    """Whether a try at ``email`` from ``address`` must wait; None when it may go ahead."""
    if known_device:
        return None
    since = now - _seconds("LOGIN_FAILURE_WINDOW_SECONDS")
    count, last = _failures(email, since, address or "")
    if count and now < last + delay_after(count):
        return Refusal(last + delay_after(count) - now, "address")
    count, last = _failures(email, since)
    if count >= current_app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"]:
        return Refusal(last + _seconds("LOGIN_FAILURE_WINDOW_SECONDS") - now, "account")
    return None


def record_attempt(email: str, user: User | None, address: str | None, succeeded: bool, now: datetime) -> None:
    """Keep the try; after a failure, warn the owner if their account is being guessed."""
    db.session.add(LoginAttempt(email=email, user=user, ip_address=(address or "")[:45], attempted_at=now,
                                is_success=succeeded))
    db.session.flush()
    if user is not None and not succeeded:
        _warn_owner_if_guessed(user, now)


def _warn_owner_if_guessed(user: User, now: datetime) -> None:
    interval = _seconds("LOGIN_GUESSING_ALERT_INTERVAL_SECONDS")
    if user.guessing_warned_at is not None and now - user.guessing_warned_at < interval:
        return
    count, _last = _failures(user.email, now - _seconds("LOGIN_FAILURE_WINDOW_SECONDS"))
    if count >= current_app.config["LOGIN_GUESSING_ALERT_FAILURES"]:
        user.guessing_warned_at = now
        send_guessing_warning(user, count)
        log.warning("password guessing: account %s has %d failed logins; owner emailed", user.id, count)


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    refusal: Refusal | None = None


def try_login(email: str, password: str, address: str | None, device: str | None, now: datetime) -> LoginResult:
    """One try at the login form: refused while its address (or, for unknown devices, its account)
    must wait; otherwise the password is checked and the try kept. Each outcome is one line in the
    security log (never the password, nor an address typed that names no account); a staff login
    is audited. The caller commits, and signs the user in."""
    email = services.normalise_email(email)
    user = services.find_user_by_email(email)
    known = user is not None and user.id in known_accounts(device)
    refused = refusal(email, address, known, now)
    account = user.id if user is not None else "unknown"
    if refused is not None:
        log.warning("login refused: account %s from %s must wait %d s (%s limit)", account, address,
                    refused.wait.total_seconds(), refused.reason)
        return LoginResult(refusal=refused)
    signed_in = services.authenticate(email, password)
    record_attempt(email, user, address, signed_in is not None, now)
    if signed_in is None:
        log.warning("login failed: account %s from %s", account, address)
        return LoginResult()
    log.info("login: account %s (%s) from %s", signed_in.id, signed_in.role.value, address)
    if signed_in.reads_office:
        record_change(signed_in, "user.login", signed_in, None, {"ip_address": address})
    return LoginResult(user=signed_in)


def failed_logins_by_account(since: datetime, limit: int = 100, actor=None) -> list:
    """For the administrator: each account (of the offices ``actor`` reads) with failed logins
    since ``since``, most failures first, with how many, from how many addresses, and the last
    one's time and address."""
    last_address = (select(LoginAttempt.ip_address).where(
        LoginAttempt.user_id == User.id, LoginAttempt.is_success.is_(False))
        .order_by(LoginAttempt.attempted_at.desc()).limit(1).correlate(User).scalar_subquery())
    return db.session.execute(
        scoped(select(User, func.count(LoginAttempt.id).label("failures"),
               func.count(func.distinct(LoginAttempt.ip_address)).label("addresses"),
               func.max(LoginAttempt.attempted_at).label("last_at"), last_address.label("last_address")),
               User, actor)
        .join(LoginAttempt, LoginAttempt.user_id == User.id)
        .where(LoginAttempt.is_success.is_(False), LoginAttempt.attempted_at >= since)
        .group_by(User.id).order_by(func.count(LoginAttempt.id).desc(), User.email).limit(limit)).all()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def known_accounts(cookie: str | None) -> list[int]:
    """The accounts the browser with this device cookie has logged in to."""
    if not cookie:
        return []
    try:
        ids = _serializer().loads(cookie, max_age=current_app.config["LOGIN_DEVICE_COOKIE_SECONDS"])
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def device_cookie(cookie: str | None, user: User) -> str:
    """The device cookie after ``user`` logged in from it."""
    ids = [user.id, *(i for i in known_accounts(cookie) if i != user.id)][:MAX_DEVICE_ACCOUNTS]
    return _serializer().dumps(ids)
