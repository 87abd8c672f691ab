"""Cookies in production: every cookie the portal sets is Secure, HttpOnly and SameSite=Lax,
the remember-me cookie included, read from the raw Set-Cookie headers."""

import pytest

from portal.accounts.models import Role
from tests.conftest import DEFAULT_PASSWORD

HTTPS = "https://portal.example.go.id"


def set_cookies(response) -> dict[str, list[str]]:
    """Each cookie set (not deleted) by ``response``: its name and its attributes, lower-cased."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name_value, *attributes = [part.strip() for part in header.split(";")]
        name, value = name_value.split("=", 1)
        if value and not any(a.lower() == "max-age=0" for a in attributes):
            cookies[name] = [a.lower() for a in attributes]
    return cookies


def assert_locked_down(attributes: list[str], name: str) -> None:
    assert "secure" in attributes, name
    assert "httponly" in attributes, name
    assert "samesite=lax" in attributes, name


@pytest.fixture
def production(make_app):
    return make_app(PORTAL_ENV="production", SERVER_NAME=None)


def test_login_with_remember_me_sets_only_locked_down_cookies(production, make_user):
    user = make_user(Role.BOARD)
    client = production.test_client()
    seen = {}
    for response in (
        client.get("/login", base_url=HTTPS),
        client.post("/login", base_url=HTTPS,
                    data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"}),
        client.post("/language", base_url=HTTPS, data={"language": "en"}),
    ):
        seen.update(set_cookies(response))
    assert {"session", "remember_token"} <= set(seen), seen
    for name, attributes in seen.items():
        assert_locked_down(attributes, name)


def test_development_cookies_work_over_plain_http(make_app, make_user):
    """On http://127.0.0.1 a Secure cookie would never come back: development leaves the flag off."""
    app = make_app(PORTAL_ENV="development")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
