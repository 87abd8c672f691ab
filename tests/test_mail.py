"""The outbox: queued in the caller's transaction, delivered by the worker over real SMTP."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.mail.delivery import DeliveryPolicy, run_worker, send_pending
from portal.mail.models import MessageStatus, OutboxMessage
from portal.mail.services import HeaderInjectionError, queue_email
from portal.seams import ATTACHMENT_RENDERERS, PERIODIC_JOBS, register

POLICY = DeliveryPolicy(batch_size=50, lease=timedelta(minutes=5), max_attempts=5,
                        backoff_base=timedelta(minutes=1))
TEMPLATE = "mail/email/test_message_to_user"


class Clock:
    """An injectable clock: tests move time instead of sleeping."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


def _queue(n=1, **kwargs):
    messages = [queue_email(kwargs.pop("to", f"anggota{i}@example.org"), TEMPLATE, _l("Test message"),
                            to_name=f"Anggota {i}", body=f"Pesan nomor {i}", **kwargs) for i in range(n)]
    db.session.commit()
    return messages


def _count(status=None):
    query = select(func.count(OutboxMessage.id))
    if status:
        query = query.where(OutboxMessage.status == status)
    return db.session.scalar(query)


def test_delivered_message_has_both_bodies_headers_and_fixed_message_id(app, smtp):
    [message] = _queue(to="siti@example.org")
    counts = send_pending("test", policy=POLICY)
    assert counts == {"sent": 1, "retried": 0, "failed": 0}
    [received] = smtp.received
    assert received.message_id == message.message_id
    assert received.rcpt_tos == ["siti@example.org"]
    assert received.message["To"] == "Anggota 0 <siti@example.org>"
    assert received.message["Subject"] == "Pesan uji"
    assert "Pesan nomor 0" in received.body("plain")
    assert "<strong>Pesan nomor 0</strong>" in received.body("html")
    db.session.refresh(message)
    assert message.status == MessageStatus.SENT and message.sent_at is not None


def test_e1_rolled_back_action_sends_nothing(app, smtp):
    queue_email("siti@example.org", TEMPLATE, _l("Test message"), body="x")
    db.session.rollback()
    assert _count() == 0
    assert send_pending("test", policy=POLICY)["sent"] == 0
    assert smtp.received == []


def test_e2_server_down_keeps_everything_queued_with_growing_delays_then_delivers_once(app, smtp):
    messages = _queue(500)
    clock = Clock()
    smtp.stop()
    first = send_pending("test", clock, POLICY)
    assert first["retried"] == 500 and first["sent"] == 0
    delays = {m.next_attempt_at - clock.now for m in db.session.scalars(select(OutboxMessage))}
    assert delays == {timedelta(minutes=1)}
    clock.advance(minutes=1)
    assert send_pending("test", clock, POLICY)["retried"] == 500
    db.session.expire_all()
    assert {m.next_attempt_at - clock.now for m in db.session.scalars(select(OutboxMessage))} == {timedelta(minutes=2)}
    assert _count(MessageStatus.QUEUED) == 500
    smtp.start()
    clock.advance(seconds=30)
    assert send_pending("test", clock, POLICY)["sent"] == 0, "not due yet"
    clock.advance(minutes=2)
    assert send_pending("test", clock, POLICY)["sent"] == 500
    received = smtp.message_ids()
    assert sorted(received) == sorted(m.message_id for m in messages)
    assert len(set(received)) == 500


def test_e4_the_same_key_queued_twice_is_one_message(app, smtp):
    first = queue_email("siti@example.org", TEMPLATE, _l("Test message"), key="confirm:42", body="x")
    second = queue_email("siti@example.org", TEMPLATE, _l("Test message"), key="confirm:42", body="x")
    db.session.commit()
    assert first.id == second.id and _count() == 1


def test_e6_temporary_answers_are_retried_and_permanent_ones_fail_at_once(app, smtp):
    soft, hard, busy = _queue(3)
    clock = Clock()
    smtp.answers.extend(["451 4.3.0 Try again later", "550 5.1.1 No such user", "421 4.7.0 Too busy, closing"])
    assert send_pending("test", clock, POLICY) == {"sent": 0, "retried": 2, "failed": 1}
    db.session.expire_all()
    assert (soft.status, busy.status) == (MessageStatus.QUEUED, MessageStatus.QUEUED)
    assert "451" in soft.last_error and "421" in busy.last_error
    assert hard.status == MessageStatus.FAILED and hard.attempts == 1
    assert "550 5.1.1 No such user" in hard.last_error
    clock.advance(minutes=1)
    assert send_pending("test", clock, POLICY) == {"sent": 2, "retried": 0, "failed": 0}
    db.session.expire_all()
    assert soft.status == busy.status == MessageStatus.SENT
    assert sorted(smtp.message_ids()) == sorted([soft.message_id, busy.message_id])


def test_message_fails_for_good_after_max_attempts(app, smtp):
    [message] = _queue(1)
    clock = Clock()
    policy = DeliveryPolicy(batch_size=10, max_attempts=3, backoff_base=timedelta(seconds=10))
    for _ in range(3):
        smtp.answers.append("451 4.3.0 Try again later")
        send_pending("test", clock, policy)
        clock.advance(hours=1)
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED and message.attempts == 3


def test_e8_line_breaks_in_a_name_add_no_recipient(app, smtp):
    queue_email("siti@example.org", TEMPLATE, _l("Test message"), to_name="Siti\r\nBcc: victim@example.org",
                body="x")
    db.session.commit()
    send_pending("test", policy=POLICY)
    [received] = smtp.received
    assert received.rcpt_tos == ["siti@example.org"]
    assert received.message["Bcc"] is None
    assert "victim" not in str(received.message["To"]).split("<")[-1]


def test_line_breaks_in_header_values_are_refused_before_the_row(app):
    for kwargs in ({"to": "siti@example.org\r\nBcc: victim@example.org"},
                   {"headers": {"Reply-To": "a@example.org\nBcc: victim@example.org"}}):
        with pytest.raises(HeaderInjectionError):
            queue_email(kwargs.pop("to", "siti@example.org"), TEMPLATE, _l("Test message"), body="x", **kwargs)
    with pytest.raises(HeaderInjectionError):
        queue_email("siti@example.org", TEMPLATE, "Subject\r\nBcc: victim@example.org", body="x")
    db.session.rollback()
    assert _count() == 0


def test_deferred_attachment_is_built_by_the_worker(app, smtp):
    calls = []

    def render_letter(number):
        calls.append(number)
        return f"surat-{number}.txt", "text/plain", f"Surat nomor {number}".encode()

    register(app, ATTACHMENT_RENDERERS, ("test_letter", render_letter))
    queue_email("siti@example.org", TEMPLATE, _l("Test message"), body="x",
                deferred_attachments=[("test_letter", {"number": 7})],
                attachments=[("acara.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")])
    db.session.commit()
    assert calls == [], "nothing is built in the request"
    send_pending("test", policy=POLICY)
    [received] = smtp.received
    assert received.attachments() == {"acara.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                      "surat-7.txt": b"Surat nomor 7"}


def test_message_is_rendered_in_the_recipients_language(app, smtp):
    queue_email("ann@example.org", TEMPLATE, _l("Test message"), language="en", body="x")
    db.session.commit()
    send_pending("test", policy=POLICY)
    assert smtp.received[0].message["Subject"] == "Test message"


def test_send_pending_command_prints_counts(runner, smtp):
    _queue(2)
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "sent 2, retried 0, failed 0" in result.output


@pytest.mark.app_config(MAIL_SERVER=None)
def test_without_a_mail_server_messages_stay_queued_and_readable(app, runner, client, logged_in):
    from portal.accounts.models import Role

    [message] = _queue(1)
    result = runner.invoke(args=["mail", "send-pending"])
    assert "No MAIL_SERVER configured" in result.output
    logged_in(Role.ORGANISER)
    page = client.get(f"/email/{message.id}")
    assert page.status_code == 200 and "Pesan nomor 0" in page.text


def test_organiser_sees_messages_filters_and_reads_them_safely(app, client, logged_in):
    from portal.accounts.models import Role

    logged_in(Role.ORGANISER)
    queue_email("siti@example.org", TEMPLATE, _l("Test message"), body="<script>alert(1)</script>")
    queue_email("agus@example.org", TEMPLATE, _l("Test message"), body="halo")
    db.session.commit()
    listing = client.get("/email/?recipient=siti")
    assert "siti@example.org" in listing.text and "agus@example.org" not in listing.text
    assert "agus@example.org" not in client.get("/email/?status=sent").text
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_email == "siti@example.org"))
    page = client.get(f"/email/{message.id}")
    assert 'sandbox=""' in page.text
    assert "<script>alert(1)</script>" not in page.text, "the HTML body is escaped into a sandboxed frame"


def test_organiser_retries_a_failed_message_and_cancels_a_queued_one(app, client, logged_in, smtp):
    from portal.accounts.models import Role
    from portal.audit.models import AuditEntry

    logged_in(Role.ORGANISER)
    [failed] = _queue(1)
    smtp.answers.append("550 5.1.1 No such user")
    send_pending("test", policy=POLICY)
    [queued] = _queue(1)
    db.session.refresh(failed)
    assert failed.status == MessageStatus.FAILED
    assert client.post(f"/email/{queued.id}/cancel").status_code == 302
    assert client.post(f"/email/{failed.id}/retry").status_code == 302
    assert client.post(f"/email/{failed.id}/cancel").status_code == 302, "queued again, so it can be cancelled"
    db.session.expire_all()
    assert (failed.status, queued.status) == (MessageStatus.CANCELLED, MessageStatus.CANCELLED)
    assert "Hanya pesan yang gagal" in client.post(f"/email/{queued.id}/retry", follow_redirects=True).text
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-3:] == ["mail.cancel", "mail.retry", "mail.cancel"]
    send_pending("test", policy=POLICY)
    assert smtp.received == []



def test_worker_runs_periodic_jobs_each_pass_and_a_failing_job_does_not_stop_the_others(app):
    moment = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    stop = threading.Event()
    seen = []

    def failing(now):
        raise RuntimeError("boom")

    def recording(now):
        seen.append(now)
        stop.set()

    register(app, PERIODIC_JOBS, ("failing", failing))
    register(app, PERIODIC_JOBS, ("recording", recording))
    run_worker(stop, interval=0, clock=lambda: moment, deliver=False)

    assert seen == [moment]
