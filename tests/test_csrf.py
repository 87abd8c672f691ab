"""This module runs with CSRF protection on, as production does."""

import re

import pytest

from portal.accounts.models import Role

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)

CSRF_MESSAGE = "Formulir sudah kedaluwarsa atau tidak sah"
# Browsers post policy-violation reports with no token; the endpoint only logs them and changes
# nothing (tests/test_security_headers.py).
EXEMPT = {"security.csp_report"}


def test_login_without_token_is_refused_and_logs_nobody_in(client, make_user):
    user = make_user(Role.ORGANISER)
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-42"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.text
    assert client.get("/account/password").status_code == 302


def test_every_post_endpoint_refuses_a_missing_token(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    assert login(client, admin).status_code == 302
    # The JSON API's writes take a token, never a cookie (tests/test_api.py), so they need no CSRF token.
    post_rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint not in EXEMPT
                  and not hasattr(app.view_functions[rule.endpoint], "token_scope")]
    assert post_rules
    for rule in post_rules:
        url = re.sub(r"<(?:int:)?\w+>", str(admin.id), rule.rule)
        response = client.post(url, data={"active": "0", "language": "en"})
        assert response.status_code == 400, rule.endpoint
        assert CSRF_MESSAGE in response.text
    assert client.get("/account/password").status_code == 200, "still logged in: logout was refused too"


def test_expired_or_foreign_token_is_refused(client, make_user, login):
    user = make_user(Role.ORGANISER)
    login(client, user)
    response = client.post("/logout", data={"csrf_token": "IjEyMzQ1Ig.forged.token"})
    assert response.status_code == 400
    assert client.get("/account/password").status_code == 200
