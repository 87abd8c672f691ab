"""Staff see when mail is failing: a badge in the navigation bar linking to the Email page
filtered to the failing messages, plain reasons there, and a daily summary to administrators."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.accounts.emails import send_mail_trouble_summary
from portal.accounts.models import Role
from portal.database import utcnow
from portal.extensions import db
from portal.mail.delivery import DeliveryPolicy, send_pending
from portal.mail.models import MessageStatus, OutboxMessage
from portal.mail.services import queue_email

TEMPLATE = "mail/email/test_message_to_user"


def _queue(address: str) -> OutboxMessage:
    message = queue_email(address, TEMPLATE, _l("Test message"), body="isi")
    db.session.commit()
    return message


def _failing_mail(smtp):
    """One refused for good, one retrying for two hours, one sent."""
    smtp.answers.extend(["550 5.1.1 No such user", "451 4.3.0 Try later"])
    refused, retrying, fine = _queue("salah@example.org"), _queue("lambat@example.org"), _queue("baik@example.org")
    send_pending("test", policy=DeliveryPolicy(max_attempts=8))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == retrying.id)
                       .values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    return refused, retrying, fine


def test_staff_see_a_badge_that_links_to_the_failing_messages_with_plain_reasons(smtp, client, logged_in):
    logged_in(Role.ORGANISER)
    assert "data-mail-trouble" not in client.get("/email/").text, "no badge while all is well"
    refused, retrying, fine = _failing_mail(smtp)
    page = client.get("/events/")
    assert "data-mail-trouble" in page.text and 'href="/email/?trouble=y"' in page.text
    failing = client.get("/email/?trouble=y").text
    assert "salah@example.org" in failing and "lambat@example.org" in failing and "baik@example.org" not in failing
    assert "server surat menolak alamat ini" in failing.lower()
    detail = client.get(f"/email/{refused.id}").text
    assert "<details>" in detail and "550" in detail.split("<details>")[1], "the server's answer, folded away"
    assert "No such user" not in detail.split("<details>")[0]


def test_board_members_and_visitors_see_no_badge(smtp, client, logged_in, make_cooperative, make_board_user, login):
    _failing_mail(smtp)
    assert "data-mail-trouble" not in client.get("/events/").text
    login(client, make_board_user(make_cooperative()))
    assert "data-mail-trouble" not in client.get("/events/").text


def test_administrators_get_one_summary_a_day_while_mail_fails(app, smtp, make_user):
    admin = make_user(Role.ADMIN)
    make_user(Role.ORGANISER)
    now = utcnow()
    assert send_mail_trouble_summary(now) == 0, "nothing while all is well"
    _failing_mail(smtp)
    assert send_mail_trouble_summary(now) == 1
    send_mail_trouble_summary(now + timedelta(minutes=5))
    db.session.commit()
    summaries = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "accounts/email/mail_trouble_to_admin")))
    assert [m.recipient_email for m in summaries] == [admin.email], "once a day, to administrators"
    assert "1" in summaries[0].body_text and "/email/?trouble=y" in summaries[0].body_text


def test_the_flash_after_issuing_certificates_says_they_are_queued(client, logged_in, finished_training):
    t = finished_training([["present", "present"]], min_sessions=2)
    logged_in(Role.ORGANISER)
    page = client.post(f"/organiser/events/{t.event.id}/certificates", follow_redirects=True)
    assert "diantrekan" in page.text.lower() or "antrean" in page.text.lower()
    assert "dikirim lewat email" not in page.text
    assert db.session.scalar(select(OutboxMessage.status).where(
        OutboxMessage.template == "certificates/email/issued_to_participant")) == MessageStatus.QUEUED
