"""Guessing passwords is slowed down without locking anyone out: failures count per account and
address with a growing delay, a device that logged in before gets through, the owner is emailed
(at most once an hour). Time moves through the login clock, never by sleeping."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.mail.models import OutboxMessage
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=3, LOGIN_DELAY_SECONDS=30,
                                    LOGIN_MAX_DELAY_SECONDS=900, LOGIN_ACCOUNT_FAILURE_LIMIT=50,
                                    LOGIN_GUESSING_ALERT_FAILURES=5, LOGIN_RATE_LIMIT_PER_ADDRESS="1000 per minute")

ATTACKER, OFFICE = "203.0.113.66", "198.51.100.10"


class Clock:
    def __init__(self):
        self.now = datetime(2030, 3, 1, 1, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(app):
    clock = Clock()
    app.config["PORTAL_LOGIN_CLOCK"] = clock
    return clock


def _try(client, email, password, address):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_from_one_address_do_not_lock_the_account_elsewhere(app, clock, make_user):
    admin = make_user(Role.ADMIN)
    attacker = app.test_client()
    for _ in range(10):
        _try(attacker, admin.email, "guess", ATTACKER)
    refused = _try(attacker, admin.email, DEFAULT_PASSWORD, ATTACKER)
    assert refused.status_code == 429 and "Terlalu banyak percobaan" in refused.text
    assert _try(app.test_client(), admin.email, DEFAULT_PASSWORD, OFFICE).status_code == 302


def test_the_delay_grows_with_each_failure_and_passes_with_time(app, clock, make_user):
    user = make_user(Role.ORGANISER)
    client = app.test_client()
    for _ in range(3):
        assert _try(client, user.email, "guess", ATTACKER).status_code == 200
    assert _try(client, user.email, "guess", ATTACKER).status_code == 429, "after 3 failures, wait 30 s"
    clock.advance(31)
    assert _try(client, user.email, "guess", ATTACKER).status_code == 200, "the 4th failure: now wait 60 s"
    clock.advance(59)
    assert _try(client, user.email, DEFAULT_PASSWORD, ATTACKER).status_code == 429
    clock.advance(2)
    assert _try(client, user.email, DEFAULT_PASSWORD, ATTACKER).status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=3, LOGIN_ACCOUNT_FAILURE_LIMIT=8,
                        LOGIN_RATE_LIMIT_PER_ADDRESS="1000 per minute")
def test_a_device_that_logged_in_before_gets_through_a_guessed_account(app, clock, make_user):
    admin = make_user(Role.ADMIN)
    laptop = app.test_client()
    assert _try(laptop, admin.email, DEFAULT_PASSWORD, OFFICE).status_code == 302
    laptop.post("/logout")
    for n in range(12):  # from the office's own address too, and from many others
        _try(app.test_client(), admin.email, "guess", OFFICE if n < 4 else f"203.0.113.{n}")
    assert _try(app.test_client(), admin.email, DEFAULT_PASSWORD, OFFICE).status_code == 429
    assert _try(app.test_client(), admin.email, DEFAULT_PASSWORD, "192.0.2.1").status_code == 429, \
        "guessed from many addresses: unknown devices wait"
    assert _try(laptop, admin.email, DEFAULT_PASSWORD, OFFICE).status_code == 302, "the admin's laptop gets in"


def _warnings(user):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient_email == user.email,
        OutboxMessage.template == "accounts/email/guessing_warning_to_user")).all()


def test_the_owner_is_emailed_when_their_account_is_guessed_at_most_once_an_hour(app, clock, make_user):
    user = make_user(Role.BOARD)
    for n in range(4):
        _try(app.test_client(), user.email, "guess", f"203.0.113.{n}")
    assert _warnings(user) == []
    for n in range(4, 12):
        _try(app.test_client(), user.email, "guess", f"203.0.113.{n}")
    warnings = _warnings(user)
    assert len(warnings) == 1 and "5" in warnings[0].body_text
    assert "Seseorang mencoba masuk" in warnings[0].subject
    clock.advance(3601)
    for n in range(5):
        _try(app.test_client(), user.email, "guess", f"192.0.2.{n}")
    assert len(_warnings(user)) == 2


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def security_log():
    handler = Lines()
    logger = logging.getLogger("portal.security")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=2, CERTIFICATE_CHECK_RATE_LIMIT="1 per minute",
                        LOGIN_RATE_LIMIT_PER_ADDRESS="1000 per minute")
def test_security_events_are_one_log_line_each_without_secrets(app, clock, make_user, security_log):
    organiser, board = make_user(Role.ORGANISER), make_user(Role.BOARD)
    client = app.test_client()
    _try(client, organiser.email, "secret-guess-1", ATTACKER)
    _try(client, "typed-a-password-here", "secret-guess-2", ATTACKER)
    _try(client, organiser.email, "secret-guess-3", ATTACKER)
    _try(client, organiser.email, DEFAULT_PASSWORD, ATTACKER)
    assert _try(client, organiser.email, DEFAULT_PASSWORD, OFFICE).status_code == 302
    assert client.get("/admin/users").status_code == 403
    client.get("/certificates/AAAA-BBBB")
    assert client.get("/certificates/AAAA-BBBB").status_code == 429
    kinds = [line.split(":")[0] for line in security_log]
    assert kinds == ["login failed", "login failed", "login failed", "login refused", "login", "access denied",
                     "rate limit hit"], security_log
    assert f"account {organiser.id} from {ATTACKER}" in security_log[0]
    assert "account unknown" in security_log[1]
    text = "\n".join(security_log)
    for secret in ("secret-guess", DEFAULT_PASSWORD, "typed-a-password-here"):
        assert secret not in text
    assert _try(app.test_client(), board.email, DEFAULT_PASSWORD, OFFICE).status_code == 302
    logins = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).all()
    assert [entry.actor_id for entry in logins] == [organiser.id], "staff logins are audited, board logins not"


def test_an_administrator_sees_recent_failed_logins_per_account(app, clock, client, make_user, login):
    target, quiet = make_user(Role.ORGANISER), make_user(Role.ORGANISER)
    for n in range(3):
        _try(app.test_client(), target.email, "guess", f"203.0.113.{n}")
    admin = make_user(Role.ADMIN)
    assert login(client, admin).status_code == 302
    page = client.get("/admin/failed-logins")
    assert page.status_code == 200
    assert target.email in page.text and quiet.email not in page.text
    row = page.text[page.text.index(target.email):]
    assert '<td data-label="Gagal masuk">3</td>' in row
    organiser = app.test_client()
    assert login(organiser, quiet).status_code == 302
    assert organiser.get("/admin/failed-logins").status_code == 403
