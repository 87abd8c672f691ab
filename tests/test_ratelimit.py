import pytest

from portal.accounts.models import Role


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=3, LOGIN_RATE_LIMIT_PER_ADDRESS="100 per minute")
def test_failed_logins_for_one_account_from_one_address_are_limited_with_an_indonesian_page(client, make_user, login):
    user, other = make_user(Role.ORGANISER), make_user(Role.ORGANISER)
    for _ in range(3):
        assert login(client, user, password="wrong-password").status_code == 200
    blocked = login(client, user, password="correct-horse-42")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.text
    assert "<html" in blocked.text, "the layout, not a bare 429"
    assert login(client, other).status_code == 302, "another account from the same address still gets in"


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ADDRESS="4 per minute")
def test_logins_from_one_address_are_limited_whatever_the_account(client, make_user, login):
    for n in range(4):
        assert login(client, f"guess{n}@example.org", password="x").status_code == 200
    assert login(client, "guess9@example.org", password="x").status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ADDRESS="100 per minute")
def test_successful_logins_do_not_count_against_the_account(app, make_user, login):
    user = make_user(Role.ORGANISER)
    for _ in range(4):
        client = app.test_client()
        assert login(client, user).status_code == 302
