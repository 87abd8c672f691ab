"""Board sign-up: confirm the email, wait for an organiser, learn the decision by email."""

import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.cooperatives import services
from portal.cooperatives.models import BoardAccount, BoardAccountStatus
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.delivery import send_pending

SIGNUP = {"full_name": "Yuliana Amalo", "email": "yuliana@example.org", "phone": "0812-3456-7890",
          "position": "secretary", "password": "rahasia-kuat-1", "confirm": "rahasia-kuat-1"}


def _deliver(smtp):
    send_pending("test")
    return smtp.received


def test_signup_sends_verification_and_waits_for_the_office(client, make_cooperative, smtp):
    cooperative = make_cooperative(legal_number="375/BH/XXIV/1989")
    response = client.post("/register", data={**SIGNUP, "legal_number": " 375/bh/xxiv/1989 "})
    assert response.status_code == 200 and "Periksa email Anda" in response.text
    account = db.session.scalar(select(BoardAccount))
    assert account.cooperative_id == cooperative.id and account.status == BoardAccountStatus.PENDING
    assert account.user.role == Role.BOARD and account.user.phone == "+6281234567890"
    [mail] = _deliver(smtp)
    assert mail.rcpt_tos == ["yuliana@example.org"] and "/verify-email/" in mail.body("plain")


def test_signup_with_a_taken_address_answers_the_same_and_tells_the_owner(client, make_cooperative, make_user, smtp):
    make_cooperative(legal_number="375/BH/XXIV/1989")
    make_user(Role.ORGANISER, email="yuliana@example.org")
    response = client.post("/register", data={**SIGNUP, "legal_number": "375/BH/XXIV/1989"})
    assert response.status_code == 200 and "Periksa email Anda" in response.text
    assert db.session.scalar(select(func.count(BoardAccount.id))) == 0
    [mail] = _deliver(smtp)
    assert mail.message["Subject"] == "Anda sudah memiliki akun"
    assert "/password/forgot" in mail.body("plain")


def test_unknown_legal_number_gets_a_message_on_the_field(client):
    response = client.post("/register", data={**SIGNUP, "legal_number": "000/XX"})
    assert "Tidak ada koperasi dengan nomor badan hukum ini" in response.text
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_approval_needs_a_confirmed_email_and_emails_the_decision(app, make_user, make_cooperative, smtp):
    organiser = make_user(Role.ORGANISER)
    make_cooperative(legal_number="375/BH/XXIV/1989", name="KSP Cendana")
    account = services.register_board_member("Yuliana", "yuliana@example.org", "+6281234567890", "chair",
                                             "375/BH/XXIV/1989", "rahasia-kuat-1")
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.approve_claim(organiser, account)
    verification = _deliver(smtp)[-1].body("plain")
    token = re.search(r"/verify-email/(\S+)", verification).group(1)
    from portal.accounts.services import verify_email

    verify_email(token)
    services.approve_claim(organiser, account)
    db.session.commit()
    assert account.status == BoardAccountStatus.APPROVED
    decision = _deliver(smtp)[-1]
    assert decision.message["Subject"] == "Akun pengurus Anda telah disetujui"
    assert "KSP Cendana" in decision.body("plain")
    with pytest.raises(RuleViolation):
        services.approve_claim(organiser, account)


def test_rejection_needs_a_reason_and_the_applicant_is_told(client, logged_in, make_cooperative, make_board_user, smtp):
    logged_in(Role.ORGANISER)
    applicant = make_board_user(make_cooperative(), status=BoardAccountStatus.PENDING, email="calon@example.org")
    account = db.session.scalar(select(BoardAccount).where(BoardAccount.user_id == applicant.id))
    assert client.post(f"/cooperatives/claims/{account.id}/reject", data={"reason": ""}).status_code == 302
    db.session.refresh(account)
    assert account.status == BoardAccountStatus.PENDING
    client.post(f"/cooperatives/claims/{account.id}/reject", data={"reason": "Bukan pengurus terdaftar"})
    db.session.refresh(account)
    assert account.status == BoardAccountStatus.REJECTED
    mail = _deliver(smtp)[-1]
    assert mail.rcpt_tos == ["calon@example.org"] and "Bukan pengurus terdaftar" in mail.body("plain")


def test_organiser_revokes_an_account_which_then_sees_nothing(app, client, logged_in, login, make_cooperative,
                                                             make_board_user, smtp):
    cooperative = make_cooperative()
    board = make_board_user(cooperative)
    board_client = app.test_client()
    login(board_client, board)
    assert board_client.get(f"/cooperatives/{cooperative.id}").status_code == 200
    logged_in(Role.ORGANISER)
    account = db.session.scalar(select(BoardAccount))
    client.post(f"/cooperatives/claims/{account.id}/revoke", data={"reason": "Sudah tidak menjabat"})
    assert board_client.get(f"/cooperatives/{cooperative.id}").status_code == 404
    assert "Sudah tidak menjabat" in _deliver(smtp)[-1].body("plain")


def test_claims_queue_shows_the_registry_beside_the_claim(client, logged_in, make_cooperative, make_board_user,
                                                          count_queries):
    logged_in(Role.ORGANISER)
    make_board_user(make_cooperative(name="KSP Satu", board=("Petrus Kolo",)), status=BoardAccountStatus.PENDING)
    with count_queries() as few:
        page = client.get("/cooperatives/claims")
    assert "KSP Satu" in page.text and "Petrus Kolo" in page.text
    for n in range(10):
        make_board_user(make_cooperative(name=f"KSP {n}"), status=BoardAccountStatus.PENDING)
    with count_queries() as many:
        client.get("/cooperatives/claims")
    assert len(many) == len(few)
