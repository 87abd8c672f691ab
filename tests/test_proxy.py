"""Behind nginx every request comes from the proxy's address: the client's own address and scheme
must be read from the proxy's X-Forwarded-* headers, and only when a proxy is declared."""

import pytest
from flask import request, url_for
from sqlalchemy import select

from portal.accounts.access import public
from portal.accounts.models import LoginSession, Role
from portal.extensions import db

NGINX = {"REMOTE_ADDR": "127.0.0.1"}


def _login(client, email, password, forwarded_for, proto="https"):
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": proto}
    return client.post("/login", data={"email": email, "password": password}, headers=headers,
                       environ_base=NGINX)


@pytest.mark.app_config(PROXY_COUNT=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ADDRESS="2 per minute")
def test_login_limits_count_each_client_behind_the_proxy_separately(client):
    for _ in range(2):
        assert _login(client, "guess@example.org", "x", "203.0.113.7").status_code == 200
    assert _login(client, "guess@example.org", "x", "203.0.113.7").status_code == 429
    assert _login(client, "guess@example.org", "x", "198.51.100.20").status_code == 200, \
        "another client of the same proxy is not locked out"


@pytest.mark.app_config(PROXY_COUNT=1)
def test_a_login_session_records_the_client_address_the_proxy_saw(client, make_user):
    user = make_user(Role.ORGANISER)
    assert _login(client, user.email, "correct-horse-42", "10.9.8.7, 203.0.113.7").status_code == 302
    session = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert session.ip_address == "203.0.113.7", "the address nginx appended, not one the client claimed"


def test_the_scheme_the_proxy_terminated_is_the_request_scheme(make_app):
    app = make_app(PROXY_COUNT=1)  # of its own: the test adds a route
    client = app.test_client()
    seen = {}

    @app.get("/_scheme")
    @public
    def scheme():
        seen["scheme"], seen["url"] = request.scheme, url_for("main.index", _external=True)
        return ""

    client.get("/_scheme", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
               environ_base=NGINX)
    assert seen["scheme"] == "https"
    assert seen["url"].startswith("https://")


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ADDRESS="2 per minute")
def test_without_a_declared_proxy_forwarded_headers_are_ignored(client, make_user):
    user = make_user(Role.ORGANISER)
    assert _login(client, user.email, "correct-horse-42", "203.0.113.7").status_code == 302
    session = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert session.ip_address == "127.0.0.1", "a client cannot choose its address by sending a header"
