"""The worker over many passes: nothing from one pass (an ORM row, a ``g`` cache) reaches the next.

A worker that runs for weeks must deliver the tenth letter as it delivered the first. Both tests
drive several passes: ``run_worker`` with an injected clock and stop flag, and a real
``flask mail worker`` process that receives three invitation rounds some passes apart.
"""

import io
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pypdf
from PIL import Image
from sqlalchemy import func, select, update

from portal.certificates import services as certificates
from portal.database import utcnow
from portal.extensions import db
from portal.mail.delivery import run_worker
from portal.mail.models import MessageStatus, OutboxMessage
from portal.settings.services import get_office_settings
from tests.test_mail_workers import ROOT, _env

PASSES = 3
HOUR = timedelta(hours=1)


class Passes:
    """A stop flag for ``run_worker`` that lets it make ``count`` passes, advancing the clock by an
    hour between them."""

    def __init__(self, count: int, start):
        self.count, self.now, self.done = count, start, 0

    def clock(self):
        return self.now

    def is_set(self) -> bool:
        return self.done >= self.count

    def wait(self, _interval) -> bool:
        self.done += 1
        self.now += HOUR
        return self.is_set()


def _last_message_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))


def _due_at(after_id: int, when) -> None:
    """Messages queued since ``after_id`` become due at ``when`` on the injected clock."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id > after_id).values(next_attempt_at=when))
    db.session.commit()


def test_run_worker_delivers_letters_and_certificates_on_every_pass(
        app, smtp, invitable_event, make_invitee, invite, finished_training, organiser):
    start = utcnow() + timedelta(minutes=1)
    training = finished_training([["present", "present"]] * PASSES, min_sessions=2)
    before = _last_message_id()
    issued = certificates.issue_certificates(organiser, training.event.id, utcnow())
    db.session.commit()
    assert len(issued) == PASSES
    certificate_mail = list(db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.id > before).order_by(OutboxMessage.id)))
    for n, message_id in enumerate(certificate_mail):
        before = _last_message_id()
        event = invitable_event(title=f"Rapat Koordinasi {n + 1}")
        invite(event, [make_invitee(name=f"KSP Putaran {n + 1}", board=())])
        _due_at(before, start + n * HOUR)  # pass n delivers round n ...
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(next_attempt_at=start + n * HOUR))  # ... and certificate n
        db.session.commit()
    passes, received = Passes(PASSES, start), []

    def record(counts):
        seen = sum(len(files) for _counts, files in received)
        received.append((dict(counts), [r.attachments() for r in smtp.received[seen:]]))

    run_worker(passes, 0, clock=passes.clock, on_pass=record)

    assert len(received) == PASSES
    for n, (counts, attachments) in enumerate(received, start=1):
        assert counts["sent"] >= 2 and counts["retried"] == counts["failed"] == 0, f"pass {n}: {counts}"
        names = sorted(name for files in attachments for name in files)
        assert any(name.startswith("surat-undangan-") for name in names), f"pass {n}: {names}"
        assert any(name.startswith("sertifikat-") for name in names), f"pass {n}: {names}"
        assert all(data.startswith(b"%PDF") for files in attachments for name, data in files.items()
                   if name.endswith(".pdf"))
    db.session.rollback()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {MessageStatus.SENT}


class Reports:
    """The worker's report lines ("sent 2, retried 0, failed 0"), one per pass that did something,
    read as they come: each marks the end of a pass."""

    def __init__(self, worker):
        self.worker, self.lines, self.changed = worker, [], threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.worker.stdout:
            with self.changed:
                self.lines.append(line.strip())
                self.changed.notify_all()

    def totals(self) -> dict[str, int]:
        totals = {"sent": 0, "retried": 0, "failed": 0}
        for line in self.lines:
            if line.startswith("sent "):
                for part in line.split(", "):
                    what, n = part.split(" ")
                    totals[what] += int(n)
        return totals

    def wait_for_sent(self, count: int, seconds: float = 120) -> dict[str, int]:
        """Wait until the worker reports ``count`` messages sent in all, or reports a failure."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while True:
                totals = self.totals()
                if totals["sent"] >= count or totals["retried"] or totals["failed"]:
                    return totals
                remaining = deadline - time.monotonic()
                assert remaining > 0 and self.worker.poll() is None, self.lines
                self.changed.wait(remaining)


def test_a_running_worker_delivers_every_round_with_its_letter(
        app, smtp, database_url, invitable_event, make_invitee, invite):
    worker = subprocess.Popen([sys.executable, "-m", "flask", "mail", "worker", "--interval", "0.2"], cwd=ROOT,
                              env=_env(database_url, smtp, MAIL_BACKOFF_SECONDS=3600),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    reports = Reports(worker)
    try:
        expected = 0
        for n in range(PASSES):  # a round is queued only after the pass that sent the last one ended
            invite(invitable_event(title=f"Rapat Koordinasi {n + 1}"), [make_invitee(name=f"KSP Putaran {n + 1}")])
            expected += 2  # the cooperative's address and its chair's
            assert reports.wait_for_sent(expected) == {"sent": expected, "retried": 0, "failed": 0}, reports.lines
    finally:
        worker.terminate()
        worker.wait(30)
    letters = [name for r in smtp.received for name in r.attachments() if name.startswith("surat-undangan-")]
    assert len(letters) == 2 * PASSES, "every invitation carries its letter"
    db.session.rollback()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {MessageStatus.SENT}


def test_office_settings_are_never_handed_out_from_a_session_that_let_them_go(app):
    first = get_office_settings()
    name = first.office_name
    assert get_office_settings() is first, "held for the session's lifetime"
    db.session.commit()
    db.session.remove()
    again = get_office_settings()
    assert again is not first and again.office_name == name


def test_a_pass_delivers_what_is_due_before_the_periodic_jobs_run(app, smtp):
    """A country's reminders take a while to build: mail already due must not wait for them."""
    from portal.mail.services import queue_test_message
    from portal.seams import PERIODIC_JOBS, register

    start = utcnow() + timedelta(minutes=1)
    due = queue_test_message("siti@example.org")
    db.session.commit()
    seen = []

    def slow_job(now):
        seen.append(db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == due.id)))
        queue_test_message("yohanes@example.org")  # what a job queues goes in the same pass

    register(app, PERIODIC_JOBS, ("test.slow", slow_job))
    passes, counts = Passes(1, start), []
    run_worker(passes, 0, clock=passes.clock, on_pass=lambda c: counts.append(dict(c)))
    assert seen == [MessageStatus.SENT], "the due message went before the job ran"
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["siti@example.org", "yohanes@example.org"]
    assert counts == [{"sent": 2, "retried": 0, "failed": 0}], "one report a pass"


def test_the_worker_lowers_its_cpu_priority_as_configured(app, monkeypatch):
    """Web requests keep the CPU while workers build letters: ``MAIL_WORKER_NICE`` (19 by default)."""
    from portal.mail import cli

    niced = []
    monkeypatch.setattr(cli.os, "nice", niced.append)
    monkeypatch.setattr(cli, "run_worker", lambda *args, **kwargs: None)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["mail", "worker", "--interval", "0"]).exit_code == 0
    app.config["MAIL_WORKER_NICE"] = 0
    assert runner.invoke(args=["mail", "worker", "--interval", "0"]).exit_code == 0
    assert niced == [19]


def test_a_logo_uploaded_between_passes_is_on_the_round_s_letters_the_next_pass_sends(
        app, smtp, invitable_event, make_invitee, invite):
    """A round's letter is laid out once per pass (its addressees drawn in), never kept for the
    worker's life: the office's new logo is on what the next pass sends."""
    start = utcnow() + timedelta(minutes=1)
    before = _last_message_id()
    invite(invitable_event(), [make_invitee(name="KSP Pertama", email="pertama@example.org", board=()),
                               make_invitee(name="KSP Kedua", email="kedua@example.org", board=())])
    first, second = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.id > before)
                                       .order_by(OutboxMessage.id))
    for message_id, due in ((first, start), (second, start + HOUR)):
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(next_attempt_at=due))
    db.session.commit()
    logo = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 30, 40)).save(logo, "PNG")

    def upload_logo_after_the_first_pass(_counts):
        settings = get_office_settings()
        if settings.logo is None:
            settings.logo, settings.logo_mimetype = logo.getvalue(), "image/png"
            db.session.commit()

    passes = Passes(2, start)
    run_worker(passes, 0, clock=passes.clock, on_pass=upload_logo_after_the_first_pass)

    images = {}
    for received in smtp.received:
        [letter] = [data for name, data in received.attachments().items() if name.startswith("surat-undangan-")]
        images[received.rcpt_tos[0]] = len(pypdf.PdfReader(io.BytesIO(letter)).pages[0].images)
    assert images == {"pertama@example.org": 0, "kedua@example.org": 1}
