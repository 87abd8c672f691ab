"""Password reset and email verification: single-use, expiring, 256-bit link tokens."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.models import AccountToken, Role, TokenPurpose
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.mail.models import OutboxMessage

FORGOT_ANSWER = "Jika alamat ini memiliki akun, kami telah mengirim tautan"


def _link_from_last_email(smtp) -> str:
    send_pending("test")
    text = smtp.received[-1].body("plain")
    return re.search(r"http://\S+/password/reset/(\S+)", text).group(1)


def test_reset_link_arrives_by_email_and_sets_a_new_password(app, client, make_user, login, smtp):
    user = make_user(Role.ORGANISER, email="siti@example.org")
    response = client.post("/password/forgot", data={"email": "SITI@example.org"})
    assert response.status_code == 302
    token = _link_from_last_email(smtp)
    received = smtp.received[-1]
    assert received.message["Subject"] == "Atur ulang kata sandi Anda"
    assert received.rcpt_tos == ["siti@example.org"]
    assert len(token) >= 43, "at least 256 bits, URL-safe"
    assert "Buat kata sandi baru" in client.get(f"/password/reset/{token}").text
    response = client.post(f"/password/reset/{token}", data={"new_password": "brand-new-pass-1",
                                                             "confirm": "brand-new-pass-1"})
    assert response.status_code == 302
    assert login(app.test_client(), user, password="brand-new-pass-1").status_code == 302


def test_known_and_unknown_addresses_get_the_same_answer(client, make_user):
    make_user(Role.ORGANISER, email="siti@example.org")
    known = client.post("/password/forgot", data={"email": "siti@example.org"}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert FORGOT_ANSWER in known.text and FORGOT_ANSWER in unknown.text
    assert known.status_code == unknown.status_code == 200
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 1


def test_expired_token_is_refused(app, make_user):
    user = make_user(Role.ORGANISER)
    issued = utcnow() - timedelta(hours=1, seconds=1)
    user.password_changed_at = issued - timedelta(days=1)
    token = services.issue_token(user, TokenPurpose.PASSWORD_RESET, now=issued)
    assert services.find_valid_token(token, TokenPurpose.PASSWORD_RESET) is None
    assert services.find_valid_token(token, TokenPurpose.PASSWORD_RESET, now=issued + timedelta(minutes=59))


def test_token_works_once(app, make_user):
    user = make_user(Role.ORGANISER)
    token = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
    services.reset_password(token, "first-new-pass-1")
    with pytest.raises(RuleViolation):
        services.reset_password(token, "second-new-pass-1")


def test_tampered_or_wrong_purpose_token_is_refused(client, make_user):
    user = make_user(Role.ORGANISER)
    token = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
    db.session.commit()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/password/reset/{tampered}").status_code == 400
    assert "Tautan tidak berlaku lagi" in client.get("/password/reset/x").text
    assert client.get(f"/verify-email/{token}").status_code == 400, "a reset token does not verify email"


def test_a_newer_reset_or_a_password_change_kills_older_tokens(app, make_user):
    user = make_user(Role.ORGANISER)
    older = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
    newer = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
    assert services.find_valid_token(older, TokenPurpose.PASSWORD_RESET) is None
    assert services.find_valid_token(newer, TokenPurpose.PASSWORD_RESET) is not None
    later = utcnow() + timedelta(seconds=1)
    user.password_changed_at = later
    assert services.find_valid_token(newer, TokenPurpose.PASSWORD_RESET, now=later) is None


def test_token_is_stored_only_as_a_hash(app, make_user):
    user = make_user(Role.ORGANISER)
    token = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
    stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64


def test_reset_ends_every_session(app, make_user, login):
    user = make_user(Role.ORGANISER)
    browser = app.test_client()
    login(browser, user)
    token = services.issue_token(user, TokenPurpose.PASSWORD_RESET)
    services.reset_password(token, "brand-new-pass-1")
    db.session.commit()
    assert browser.get("/account/password").status_code == 302


def test_email_verification_needs_a_button_press(app, client, make_user, smtp):
    user = make_user(Role.BOARD, email="ketua@example.org")
    services.request_email_verification(user)
    db.session.commit()
    send_pending("test")
    token = re.search(r"/verify-email/(\S+)", smtp.received[-1].body("plain")).group(1)
    assert client.get(f"/verify-email/{token}").status_code == 200
    db.session.refresh(user)
    assert user.email_verified_at is None, "a mail scanner following the link confirms nothing"
    assert client.post(f"/verify-email/{token}").status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at is not None
    assert client.post(f"/verify-email/{token}").status_code == 400
