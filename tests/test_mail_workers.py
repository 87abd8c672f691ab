"""Real worker processes: killed mid-batch, two at once, stopped with SIGTERM."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.mail.delivery import DeliveryPolicy, send_pending
from portal.mail.models import MessageStatus, OutboxMessage
from portal.mail.services import queue_email

ROOT = Path(__file__).resolve().parent.parent


def _env(database_url, smtp, **extra):
    return {**os.environ, "DATABASE_URL": database_url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
            "PORTAL_ENV": "testing", "SECRET_KEY": "test-secret", "FLASK_APP": "wsgi",
            **{key: str(value) for key, value in extra.items()}}


def _flask(*args, env):
    return subprocess.Popen([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _queue(n):
    messages = [queue_email(f"peserta{i}@example.org", "mail/email/test_message_to_user", _l("Test message"),
                            body=f"nomor {i}") for i in range(n)]
    message_ids = {m.message_id for m in messages}
    db.session.commit()
    return message_ids


def test_e3_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_message_in_flight(
        app, smtp, database_url):
    expected = _queue(300)
    halfway = threading.Event()
    smtp.on_receive = lambda count: count >= 120 and halfway.set()
    worker = _flask("mail", "worker", "--interval", "0.05",
                    env=_env(database_url, smtp, MAIL_BATCH_SIZE=50, MAIL_LEASE_SECONDS=0))
    try:
        assert halfway.wait(60), "the worker delivered nothing"
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    send_pending("restarted", policy=DeliveryPolicy(batch_size=50))
    received = Counter(smtp.message_ids())
    assert set(received) == expected, "every message arrived"
    duplicates = [message_id for message_id, n in received.items() if n > 1]
    assert len(duplicates) <= 1, duplicates
    assert all(n <= 2 for n in received.values())
    db.session.rollback()  # a fresh snapshot: the workers wrote after this session last read
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {MessageStatus.SENT}


def test_e5_two_workers_claim_disjoint_messages_and_send_each_once(app, smtp, database_url):
    expected = _queue(1000)
    # The sink answers like a real server, not instantly, so both workers are at work together.
    smtp.on_receive = lambda count: time.sleep(0.002)
    env = _env(database_url, smtp, MAIL_BATCH_SIZE=25)
    workers = [_flask("mail", "send-pending", env=env) for _ in range(2)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    received = smtp.message_ids()
    assert len(received) == 1000 and set(received) == expected, "zero duplicates, nothing missing"
    db.session.rollback()  # a fresh snapshot: the workers wrote after this session last read
    by_worker = Counter(m.claimed_by for m in db.session.scalars(select(OutboxMessage)))
    assert sum(by_worker.values()) == 1000
    assert len(by_worker) == 2, f"both workers took part: {by_worker}"


def test_worker_stops_cleanly_on_sigterm(app, smtp, database_url):
    worker = _flask("mail", "worker", "--interval", "0.05", env=_env(database_url, smtp))
    assert "started" in worker.stdout.readline()
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0
    assert "mail worker stopped" in output
