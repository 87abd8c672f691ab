"""Login sessions really end: on logout, on password change, on deactivation."""

import re
from http.cookies import SimpleCookie

from portal.accounts import services
from portal.accounts.models import LoginSession, Role
from portal.extensions import db


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _replay(app, **cookies):
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh


def test_login_then_protected_page_is_served(client, make_user, login):
    user = make_user(Role.ORGANISER)
    assert login(client, user).status_code == 302
    assert client.get("/account/password").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user, login):
    user = make_user(Role.ORGANISER)
    wrong = login(client, user, password="not-the-password")
    unknown = login(client, "nobody@example.org", password="not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "Email atau kata sandi tidak benar." in wrong.text
    def normalised(response, email):
        return re.sub(r'name="csrf_token" value="[^"]*"', "", response.text).replace(email, "X")

    assert normalised(wrong, user.email) == normalised(unknown, "nobody@example.org")


def test_email_is_case_insensitive(client, make_user, login):
    make_user(Role.ORGANISER, email="Siti@Example.org")
    assert login(client, "  SITI@example.ORG ").status_code == 302


def test_every_login_gets_a_fresh_session_id(app, make_user):
    user = make_user(Role.ORGANISER)
    first = services.start_login_session(user)
    second = services.start_login_session(user)
    assert first != second
    assert db.session.query(LoginSession).filter_by(user_id=user.id).count() == 2


def test_session_cookie_replayed_after_logout_is_anonymous(app, client, make_user, login):
    user = make_user(Role.ORGANISER)
    login(client, user)
    stolen = _cookie(client, "session")
    assert client.post("/logout").status_code == 302
    thief = _replay(app, session=stolen)
    response = thief.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_cookie_replayed_after_logout_is_anonymous(app, client, make_user, login):
    user = make_user(Role.ORGANISER)
    login(client, user, remember=True)
    remembered = _cookie(client, "remember_token")
    assert remembered
    # Before logout the remember cookie alone logs a browser in...
    assert _replay(app, remember_token=remembered).get("/account/password").status_code == 200
    client.post("/logout")
    # ...afterwards it is worth nothing.
    assert _replay(app, remember_token=remembered).get("/account/password").status_code == 302


def test_password_change_ends_every_other_session_and_remember_cookie(app, make_user, login):
    user = make_user(Role.ORGANISER)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user, remember=True)
    phone_remember = _cookie(phone, "remember_token")
    response = laptop.post("/account/password", data={
        "current_password": "correct-horse-42", "new_password": "a-new-secret-7", "confirm": "a-new-secret-7"})
    assert response.status_code == 302
    assert laptop.get("/account/password").status_code == 200, "the changing browser stays in"
    assert phone.get("/account/password").status_code == 302
    assert _replay(app, remember_token=phone_remember).get("/account/password").status_code == 302
    assert login(app.test_client(), user, password="a-new-secret-7").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client, make_user, login):
    user = make_user(Role.ORGANISER)
    login(client, user)
    response = client.post("/account/password", data={
        "current_password": "wrong-one", "new_password": "a-new-secret-7", "confirm": "a-new-secret-7"})
    assert response.status_code == 200
    assert "Kata sandi saat ini tidak benar." in response.text
    db.session.refresh(user)
    assert user.check_password("correct-horse-42")


def test_password_change_confirmation_must_match(client, make_user, login):
    login(client, make_user(Role.ORGANISER))
    response = client.post("/account/password", data={
        "current_password": "correct-horse-42", "new_password": "a-new-secret-7", "confirm": "other-secret-7"})
    assert "Kedua kata sandi tidak sama." in response.text


def test_deactivation_ends_sessions_and_blocks_login(app, make_user, login):
    admin, organiser = make_user(Role.ADMIN), make_user(Role.ORGANISER)
    admin_client, organiser_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(organiser_client, organiser, remember=True)
    remembered = _cookie(organiser_client, "remember_token")
    deactivate = {"active": "0", "confirmed": "1"}
    assert admin_client.post(f"/admin/users/{organiser.id}/active", data=deactivate).status_code == 302
    assert organiser_client.get("/account/password").status_code == 302
    assert _replay(app, remember_token=remembered).get("/account/password").status_code == 302
    assert login(app.test_client(), organiser).status_code == 200
    admin_client.post(f"/admin/users/{organiser.id}/active", data={"active": "1"})
    assert login(app.test_client(), organiser).status_code == 302


def test_next_redirect_stays_on_this_site(client, make_user, login):
    user = make_user(Role.ADMIN)
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        response = login(client, user, next_url=target)
        assert response.headers["Location"] == "/", target
        client.post("/logout")
    response = login(client, user, next_url="/admin/users")
    assert response.headers["Location"] == "/admin/users"


def test_login_form_without_fields_shows_messages(client):
    response = client.post("/login", data={})
    assert response.status_code == 200
    assert "wajib diisi" in response.text


def test_cookie_with_forged_token_is_anonymous(app, client, make_user, login):
    user = make_user(Role.ORGANISER)
    login(client, user, remember=True)
    forged = SimpleCookie()
    forged["remember_token"] = "1|deadbeef"
    assert _replay(app, remember_token="1|deadbeef").get("/account/password").status_code == 302
