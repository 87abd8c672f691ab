"""The worker's side of the outbox: claim what is due, deliver over one SMTP connection per
batch, record the outcome of each message as soon as it is known.

A message is marked sent right after the server accepted it, in its own commit, so a worker
killed mid-batch re-sends at most the message in flight (with the same Message-ID).
"""

import json
import logging
import os
import smtplib
import socket
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app
from sqlalchemy import and_, event, exists, or_, select, update
from sqlalchemy.orm import aliased

from portal.database import begin_write, utcnow
from portal.documents.pdf import keeping_blanks
from portal.extensions import db, mail
from portal.mail.models import MessageStatus, OutboxAttachment, OutboxMessage
from portal.mail.services import ORPHANED, attachment_renderer, tell_watchers
from portal.seams import PERIODIC_JOBS, registered

log = logging.getLogger("portal.mail")


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(minutes=1)
    backoff_cap: timedelta = timedelta(hours=6)

    def backoff(self, attempts: int) -> timedelta:
        """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most the cap."""
        return min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempts - 1)))

    @classmethod
    def from_config(cls, config) -> "DeliveryPolicy":
        return cls(
            batch_size=config["MAIL_BATCH_SIZE"],
            lease=timedelta(seconds=config["MAIL_LEASE_SECONDS"]),
            max_attempts=config["MAIL_MAX_ATTEMPTS"],
            backoff_base=timedelta(seconds=config["MAIL_BACKOFF_SECONDS"]),
        )


class TemporaryFailure(Exception):
    """Worth trying again later: the server was down, busy or answered 4xx."""


class PermanentFailure(Exception):
    """The server refused for good (5xx); the answer is kept on the message."""


class ConnectionLost(TemporaryFailure):
    """The connection is gone; the rest of the batch waits for the next one."""


@dataclass
class ClaimedMessage:
    """What the worker needs of a claimed row, as plain values: the per-message commits neither
    expire nor reload it."""

    id: int
    message_id: str
    recipient_email: str
    recipient_name: str | None
    subject: str
    body_text: str
    body_html: str | None
    headers: dict
    deferred_attachments: list
    snapshot: dict | None
    attempts: int
    concerns_kind: str | None = None
    concerns_id: str | None = None
    attachments: list = field(default_factory=list)


def prepare_worker_connections() -> None:
    """A worker process commits once per message. On PostgreSQL its connections commit without
    waiting for the WAL flush: a database crash may then forget the last few 'sent' marks, and
    those messages go again with the same Message-ID; a worker crash forgets nothing."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    engine.dispose()

    @event.listens_for(engine, "connect")
    def no_flush_wait(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        dbapi_connection.commit()


def claim_batch(worker_id: str, now: datetime, policy: DeliveryPolicy) -> list[ClaimedMessage]:
    """Take up to a batch of due messages for this worker, and commit the claim.

    PostgreSQL: the due rows are locked with SKIP LOCKED, so concurrent workers take disjoint
    rows. SQLite: the single UPDATE is atomic because SQLite serialises writers. Messages whose
    worker died are due again once their lease has run out.
    """
    begin_write(db.session)
    _cancel_orphans()
    prior = aliased(OutboxMessage)
    due = (
        select(OutboxMessage.id)
        .where(or_(
            and_(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.lease_expires_at < now),
        ))
        # A message that must not overtake another waits until that one is sent.
        .where(or_(OutboxMessage.after_message_id.is_(None),
                   exists().where(prior.id == OutboxMessage.after_message_id, prior.status == MessageStatus.SENT)))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(policy.batch_size)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=MessageStatus.SENDING, claimed_by=worker_id, lease_expires_at=now + policy.lease,
                attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return load_claimed(claimed)


def _cancel_orphans() -> None:
    """Queued messages whose predecessor failed for good (or was cancelled) are cancelled with the
    reason: a reminder never arrives without the invitation it reminds of. Rows another worker
    holds are skipped; the next claim takes them."""
    prior = aliased(OutboxMessage)
    orphans = db.session.scalars(
        select(OutboxMessage.id).join(prior, prior.id == OutboxMessage.after_message_id)
        .where(OutboxMessage.status == MessageStatus.QUEUED,
               prior.status.in_((MessageStatus.FAILED, MessageStatus.CANCELLED)))
        .with_for_update(skip_locked=True, of=OutboxMessage)).all()
    if orphans:
        subjects = db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(orphans))
                                      .values(status=MessageStatus.CANCELLED, idempotency_key=None,
                                              last_error=ORPHANED)
                                      .returning(OutboxMessage.concerns_kind, OutboxMessage.concerns_id)
                                      .execution_options(synchronize_session=False)).all()
        tell_watchers(subjects)


def load_claimed(ids) -> list[ClaimedMessage]:
    if not ids:
        return []
    columns = [getattr(OutboxMessage, f.name) for f in fields(ClaimedMessage) if f.name != "attachments"]
    rows = db.session.execute(select(*columns).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id))
    messages = {row.id: ClaimedMessage(**row._asdict()) for row in rows}
    attachments = db.session.execute(
        select(OutboxAttachment.message_id, OutboxAttachment.filename, OutboxAttachment.content_type,
               OutboxAttachment.data, OutboxAttachment.content_id)
        .where(OutboxAttachment.message_id.in_(ids)).order_by(OutboxAttachment.id))
    for message_id, filename, content_type, data, content_id in attachments:
        messages[message_id].attachments.append((filename, content_type, data, content_id))
    db.session.rollback()
    return list(messages.values())


def _sender(configured) -> str:
    name, address = configured if isinstance(configured, tuple | list) else parseaddr(configured)
    return formataddr((name, address))


class RecentAttachments:
    """The last few deferred attachments one pass has built, by what determines them (renderer,
    arguments and snapshot): a cooperative's address and its board members' messages carry the
    same letter, queued one after the other, and it is built once for them. Only attachments
    built from a snapshot are kept (the others read live rows), and only a few, for one pass.
    Renderers may also keep, for the pass, a document laid out once whose copies differ in one
    place (``pdf.kept_blank``: a round's letter, each cooperative's addressee drawn in)."""

    def __init__(self, size: int = 8):
        self.size, self.kept = size, OrderedDict()
        self.blanks = OrderedDict()  # documents laid out once for the pass (``pdf.kept_blank``)

    def render(self, deferred: dict, snapshot: dict | None):
        if snapshot is None:
            return render_deferred(deferred, snapshot)
        key = json.dumps([deferred, snapshot], sort_keys=True, default=str)
        if key in self.kept:
            self.kept.move_to_end(key)
            return self.kept[key]
        with keeping_blanks(self.blanks):
            rendered = self.kept[key] = render_deferred(deferred, snapshot)
        if len(self.kept) > self.size:
            self.kept.popitem(last=False)
        return rendered


def build_message(message: ClaimedMessage, recent: RecentAttachments | None = None) -> EmailMessage:
    """The message as the recipient gets it, built with the standard library's ``email`` package
    (RFC 5322 headers: a display name with commas or quotes is quoted, a long subject folds only
    where it has spaces). The text and HTML bodies are alternatives; an image the HTML shows
    (``cid:``) sits beside it in ``multipart/related``; files are attached after them."""
    built = EmailMessage(policy=SMTP)
    built["Subject"] = message.subject
    built["From"] = _sender(current_app.config["MAIL_DEFAULT_SENDER"])
    built["To"] = formataddr((message.recipient_name or "", message.recipient_email))
    built["Date"] = formatdate(usegmt=True)
    built["Message-ID"] = message.message_id
    built["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders do not answer it
    built.set_content(message.body_text)
    if message.body_html:
        built.add_alternative(message.body_html, subtype="html")
        html = built.get_body(("html",))
        for filename, content_type, data, content_id in message.attachments:
            if content_id:
                maintype, subtype = content_type.split("/", 1)
                html.add_related(data, maintype, subtype, cid=f"<{content_id}>", filename=filename,
                                 disposition="inline")
    files = [(f, t, d) for f, t, d, content_id in message.attachments if not content_id or not message.body_html]
    for deferred in message.deferred_attachments or []:
        rendered = (recent.render(deferred, message.snapshot) if recent is not None
                    else render_deferred(deferred, message.snapshot))
        if rendered is not None:  # the renderer found nothing to attach any more
            files.append(rendered)
    for filename, content_type, data in files:
        maintype, subtype = content_type.split("/", 1)
        built.add_attachment(data, maintype, subtype, filename=filename)
    # Last: building the body moves Content-* headers into the parts it makes.
    for name, value in (message.headers or {}).items():
        built[name] = value
    return built


def _send(connection, message: EmailMessage) -> None:
    """Hand one built message to the server over the batch's connection."""
    if connection.host is None:  # MAIL_SUPPRESS_SEND
        return
    envelope_from = parseaddr(message["From"])[1]
    connection.host.sendmail(envelope_from, [parseaddr(message["To"])[1]], message.as_bytes())


def render_deferred(deferred: dict, snapshot: dict | None = None):
    """Build one deferred attachment in an app context of its own: whatever the renderer loads or
    caches (rows, ``g``, the request context a PDF is drawn in) ends with it. A message queued
    with a snapshot has its attachments built from it, so they say what its body says."""
    args = dict(deferred["args"])
    if snapshot is not None:
        args["snapshot"] = snapshot
    with current_app.app_context():
        return attachment_renderer(deferred["renderer"])(**args)


def _classify(error: Exception) -> Exception:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(error.recipients.values()))
        return _by_code(code, answer)
    if isinstance(error, smtplib.SMTPResponseException):
        if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError) and error.smtp_code == 421:
            return ConnectionLost(f"{error.smtp_code} {error.smtp_error!r}")
        return _by_code(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return ConnectionLost(repr(error))
    return TemporaryFailure(repr(error))


def _by_code(code: int, answer) -> Exception:
    text_answer = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {text_answer}")
    return TemporaryFailure(f"{code} {text_answer}")


def _finish(message: ClaimedMessage, worker_id: str, **values) -> None:
    """Record one message's outcome in its own short transaction."""
    begin_write(db.session)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == worker_id)
        .values(lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    tell_watchers([(message.concerns_kind, message.concerns_id)])
    db.session.commit()


def _record_failure(message: ClaimedMessage, worker_id: str, error: Exception, now: datetime,
                    policy: DeliveryPolicy, counts: Counter) -> None:
    if isinstance(error, PermanentFailure) or message.attempts >= policy.max_attempts:
        counts["failed"] += 1
        _finish(message, worker_id, status=MessageStatus.FAILED, last_error=str(error)[:2000])
    else:
        counts["retried"] += 1
        _finish(message, worker_id, status=MessageStatus.QUEUED, last_error=str(error)[:2000],
                next_attempt_at=now + policy.backoff(message.attempts))


def _release(messages: list[ClaimedMessage], worker_id: str) -> None:
    """Give back claimed messages that were not attempted (the worker is stopping)."""
    for message in messages:
        _finish(message, worker_id, status=MessageStatus.QUEUED, attempts=message.attempts - 1, claimed_by=None)


def _deliver(batch: list[ClaimedMessage], worker_id: str, clock, policy: DeliveryPolicy, counts: Counter,
             stop: threading.Event | None, recent: RecentAttachments) -> None:
    pending = list(batch)
    try:
        with mail.connect() as connection:
            while pending:
                if stop is not None and stop.is_set():
                    _release(pending, worker_id)
                    return
                message = pending[0]
                try:
                    _send(connection, build_message(message, recent))
                except Exception as error:  # noqa: BLE001 - every failure is recorded on the message
                    failure = _classify(error)
                    _record_failure(message, worker_id, failure, clock(), policy, counts)
                    pending.pop(0)
                    if isinstance(failure, ConnectionLost):
                        raise failure from error
                else:
                    counts["sent"] += 1
                    _finish(message, worker_id, status=MessageStatus.SENT, sent_at=clock(), last_error=None)
                    pending.pop(0)
    except (OSError, smtplib.SMTPException, ConnectionLost) as error:
        log.warning("mail server unavailable: %r", error)
        for message in pending:
            _record_failure(message, worker_id, TemporaryFailure(repr(error)), clock(), policy, counts)


def send_pending(worker_id: str, clock=utcnow, policy: DeliveryPolicy | None = None,
                 stop: threading.Event | None = None) -> Counter:
    """One pass over what is due now; returns how many were sent, retried and failed."""
    policy = policy or DeliveryPolicy.from_config(current_app.config)
    counts = Counter(sent=0, retried=0, failed=0)
    recent = RecentAttachments()
    while not (stop is not None and stop.is_set()):
        batch = claim_batch(worker_id, clock(), policy)
        if not batch:
            break
        _deliver(batch, worker_id, clock, policy, counts, stop, recent)
    return counts


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_periodic_jobs(now: datetime) -> None:
    """The jobs at the ``PERIODIC_JOBS`` seam, each in its own transaction: how capabilities queue
    mail that is due by the clock (reminders). Jobs must be idempotent, since several workers (and
    cron) may run them at once. Each runs in an app context of its own, so nothing it loads
    outlives it."""
    for name, job in registered(PERIODIC_JOBS):
        with current_app.app_context():
            try:
                job(now)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("periodic job %s failed; it runs again on the next pass", name)


def run_worker(stop: threading.Event, interval: float, clock=utcnow, policy: DeliveryPolicy | None = None,
               on_pass=None, deliver: bool = True) -> None:
    """Deliver, run the periodic jobs and deliver what they queued, until ``stop`` is set, waiting
    ``interval`` seconds between passes. Mail already due goes first: a country's reminders take a
    while to build and must not hold it back. Without a mail server (``deliver=False``) the jobs
    still queue their mail.

    Each pass runs in an app context of its own, as a request does: its database session, ``g``
    and anything cached on them end with the pass, so no row loaded in one pass is used, detached,
    in the next."""
    app = current_app._get_current_object()
    me = worker_id()
    while not stop.is_set():
        with app.app_context():
            counts = send_pending(me, clock, policy, stop) if deliver else None
            run_periodic_jobs(clock())
            if deliver:
                counts.update(send_pending(me, clock, policy, stop))
                if on_pass is not None:
                    on_pass(counts)
        stop.wait(interval)
