"""Queueing mail in the caller's transaction, and what organisers do with queued mail."""

import re
from dataclasses import dataclass, field
from email.utils import make_msgid

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record_change
from portal.database import insert_ignoring_duplicates, utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.models import MessageStatus, OutboxAttachment, OutboxMessage
from portal.mail.queries import in_trouble
from portal.offices.context import current_office
from portal.offices.scope import office_clause, office_ids, scoped
from portal.pagination import bounded_count
from portal.seams import ATTACHMENT_NAMES, ATTACHMENT_RENDERERS, MESSAGE_WATCHERS, REPLY_TO, registered

_LINE_BREAK = re.compile(r"[\r\n]")


class HeaderInjectionError(ValueError):
    """A header value carried a line break; nothing was queued."""


def _header_value(value: str | None) -> str | None:
    if value is not None and _LINE_BREAK.search(value):
        raise HeaderInjectionError(f"line break in header value {value!r}")
    return value


def _display_name(name: str | None) -> str | None:
    """A person's name is data, not a header: line breaks and runs of spaces become one space."""
    if not name:
        return None
    return " ".join(name.split())[:200] or None


def attachment_renderer(name: str):
    """The renderer registered under ``name`` at the ``ATTACHMENT_RENDERERS`` seam."""
    return dict(registered(ATTACHMENT_RENDERERS))[name]


def attachment_name(name: str) -> str:
    """What the Email page calls a deferred attachment: its ``ATTACHMENT_NAMES`` label, else the
    renderer's name."""
    return str(dict(registered(ATTACHMENT_NAMES)).get(name, name))


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, on the configured base URL whatever host the request used."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + path


def default_reply_to() -> str | None:
    for reply_to in registered(REPLY_TO):
        if address := reply_to():
            return address
    return None


def standard_headers(language: str, reply_to: str | None, extra: dict | None = None) -> dict:
    """The headers a queued message keeps: its language (Content-Language), where answers go
    (Reply-To: the given contact, else the office's address, else none), and the caller's; each
    checked for line breaks."""
    headers = {"Content-Language": language}
    if reply_to := (reply_to or "").strip() or default_reply_to():
        headers["Reply-To"] = reply_to
    headers.update(extra or {})
    for value in headers.values():
        _header_value(value)
    return headers


def _attachment(filename: str, content_type: str, data: bytes, content_id: str | None = None) -> OutboxAttachment:
    return OutboxAttachment(filename=filename, content_type=content_type, data=data,
                            content_id=_header_value(content_id))


def _message_id() -> str:
    domain = current_app.config["MAIL_MESSAGE_ID_DOMAIN"]
    return make_msgid(domain=domain)


def tell_watchers(subjects) -> None:
    """Run the ``MESSAGE_WATCHERS`` of each kind in ``subjects`` (``(kind, id)`` pairs) once, with
    the ids whose messages were queued or changed state, in the caller's transaction."""
    by_kind: dict[str, set[str]] = {}
    for kind, id_ in subjects:
        if kind is not None and id_ is not None:
            by_kind.setdefault(kind, set()).add(str(id_))
    for kind, watcher in registered(MESSAGE_WATCHERS):
        if by_kind.get(kind):
            watcher(sorted(by_kind[kind]))


def queue_email(to: str, template: str, subject, *, to_name: str | None = None, language: str = "id",
                key: str | None = None, concerns: tuple[str, object] | None = None, attachments=(),
                deferred_attachments=(), snapshot: dict | None = None, after: int | None = None,
                reply_to: str | None = None, headers: dict | None = None, subject_values: dict | None = None,
                **context) -> OutboxMessage:
    """Render ``templates/<template>.{txt,html}`` in ``language`` and write an outbox row in the
    caller's transaction. ``key`` makes the call idempotent: the same key gives the same message.
    ``subject`` is a lazy string, filled with ``subject_values`` in the recipient's language.

    ``attachments`` are ``(filename, content_type, bytes)`` built now, or ``(filename, content_type,
    bytes, content_id)`` for an image the html shows inline as ``cid:<content_id>``;
    ``deferred_attachments`` are ``(renderer_name, args)`` built by the worker, from ``snapshot``
    when there is one. ``concerns`` is the subject key ``(kind, id)``; ``after`` the id of the
    message this one must not overtake; ``reply_to`` where answers go (the office's address when
    None).
    """
    to = _header_value(to.strip())
    headers = standard_headers(language, reply_to, headers)
    if key:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
        if existing is not None:
            return existing
    with force_locale(language):
        subject_text = _header_value(str(subject) % subject_values if subject_values else str(subject))
        body_text = render_template(f"{template}.txt", **context)
        body_html = render_template(f"{template}.html", **context)
    message = OutboxMessage(
        message_id=_message_id(), idempotency_key=key, recipient_email=to, recipient_name=_display_name(to_name),
        subject=subject_text[:255], body_text=body_text, body_html=body_html, headers=headers,
        deferred_attachments=[{"renderer": name, "args": args} for name, args in deferred_attachments],
        template=template, status=MessageStatus.QUEUED, next_attempt_at=utcnow(), office_id=current_office().id,
        concerns_kind=concerns[0] if concerns else None, concerns_id=str(concerns[1]) if concerns else None,
        snapshot=snapshot, after_message_id=after,
        attachments=[_attachment(*attachment) for attachment in attachments],
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        if key is None:
            raise
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    tell_watchers([(message.concerns_kind, message.concerns_id)])
    return message


@dataclass(frozen=True)
class PreparedEmail:
    """One rendered message for ``queue_emails``: what its outbox row will hold."""

    to: str
    subject: str
    body_text: str
    body_html: str | None
    template: str
    to_name: str | None = None
    key: str | None = None
    concerns_kind: str | None = None
    concerns_id: str | None = None
    deferred_attachments: tuple = ()
    snapshot: dict | None = None
    after_message_id: int | None = None
    language: str = "id"
    reply_to: str | None = None
    headers: dict = field(default_factory=dict)


def render_email(template: str, subject, language: str = "id", subject_values: dict | None = None,
                 **context) -> tuple[str, str, str]:
    """The subject (a lazy string, filled with ``subject_values`` in ``language``), text body and
    HTML body of ``templates/<template>.{txt,html}`` in ``language``."""
    with force_locale(language):
        subject_text = str(subject) % subject_values if subject_values else str(subject)
        return (_header_value(subject_text)[:255], render_template(f"{template}.txt", **context),
                render_template(f"{template}.html", **context))


def queue_emails(emails) -> None:
    """Write many rendered messages to the outbox in the caller's transaction, in one statement
    (an executemany) however many there are. A message whose ``key`` is already in the outbox
    is skipped, so running the same batch twice queues nothing new.

    Attachments are deferred only (``(renderer_name, args)``, built by the worker): a batch may
    be thousands of messages, and bytes built here would be stored thousands of times.
    """
    now = utcnow()
    rows = []
    office_reply_to = default_reply_to()
    office_id = current_office().id
    for email in emails:
        to = _header_value(email.to.strip())
        headers = standard_headers(email.language, email.reply_to or office_reply_to, email.headers)
        rows.append({
            "message_id": _message_id(), "idempotency_key": email.key, "recipient_email": to,
            "recipient_name": _display_name(email.to_name), "subject": _header_value(email.subject)[:255],
            "body_text": email.body_text, "body_html": email.body_html, "headers": headers,
            "deferred_attachments": [{"renderer": name, "args": args} for name, args in email.deferred_attachments],
            "template": email.template, "office_id": office_id,
            "concerns_kind": email.concerns_kind, "concerns_id": email.concerns_id,
            "snapshot": email.snapshot, "after_message_id": email.after_message_id,
            "status": MessageStatus.QUEUED, "attempts": 0, "next_attempt_at": now, "created_at": now,
        })
    if rows:
        db.session.execute(insert_ignoring_duplicates(db.session, OutboxMessage.__table__, "idempotency_key"), rows)
        tell_watchers((row["concerns_kind"], row["concerns_id"]) for row in rows)


def outbox_query(actor=None, status: str | None = None, recipient: str | None = None, trouble: bool = False):
    """The messages of the offices ``actor`` reads, newest first."""
    query = scoped(select(OutboxMessage), OutboxMessage, actor).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if trouble:
        query = query.where(in_trouble(utcnow()))
    if status:
        query = query.where(OutboxMessage.status == MessageStatus(status))
    if recipient:
        query = query.where(OutboxMessage.recipient_email.ilike(f"%{recipient.strip()}%"))
    return query


def status_counts(actor=None) -> dict[str, int]:
    """Messages per status of the offices ``actor`` reads, in one query; each count stops past the
    count limit (``portal/pagination.py``), so a million sent messages cost what a thousand do."""
    statuses = list(MessageStatus)
    mine = office_clause(OutboxMessage, office_ids(actor))
    counts = db.session.execute(select(*(bounded_count(select(OutboxMessage.id).where(
        OutboxMessage.status == status, mine)) for status in statuses))).one()
    return {status.value: n for status, n in zip(statuses, counts, strict=True)}


def retry_message(actor, message: OutboxMessage) -> None:
    """A failed message goes back to the queue, due now."""
    if message.status != MessageStatus.FAILED:
        raise RuleViolation(None, _("Only a failed message can be sent again."))
    message.status = MessageStatus.QUEUED
    message.next_attempt_at = utcnow()
    message.attempts = 0
    db.session.flush()
    tell_watchers([(message.concerns_kind, message.concerns_id)])
    record_change(actor, "mail.retry", message)


def cancel_message(actor, message: OutboxMessage) -> None:
    if message.status != MessageStatus.QUEUED:
        raise RuleViolation(None, _("Only a queued message can be cancelled."))
    message.status = MessageStatus.CANCELLED
    db.session.flush()
    tell_watchers([(message.concerns_kind, message.concerns_id)])
    record_change(actor, "mail.cancel", message)


def cancel_concerning(kind: str, ids, reason: str, statuses=(MessageStatus.QUEUED, MessageStatus.FAILED)) -> int:
    """Cancel the messages about ``kind`` rows ``ids`` that have not left, with ``reason``; returns
    how many. Their idempotency keys are freed, so a message built anew may take them."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.concerns_kind == kind, OutboxMessage.concerns_id.in_([str(i) for i in ids]),
               OutboxMessage.status.in_(statuses))
        .values(status=MessageStatus.CANCELLED, idempotency_key=None, last_error=reason[:2000])
        .execution_options(synchronize_session=False))
    if result.rowcount:
        tell_watchers((kind, i) for i in ids)
    return result.rowcount


@dataclass(frozen=True)
class Superseded:
    concerns_id: str
    recipient_email: str
    template: str


SUPERSEDED = "replaced: what it is about changed before it left"
ORPHANED = "not sent: the message it must follow was not delivered"


def supersede_pending(kind: str, ids, templates, reason: str = SUPERSEDED) -> list[Superseded]:
    """Cancel the still queued messages about ``kind`` rows ``ids`` built from ``templates``, and
    say which they were: the caller queues their replacements, built from the new state, so a
    recipient gets one correct message rather than an outdated one and a correction. A message
    being sent (claimed) is left to go; its recipient gets the change notice."""
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.concerns_kind == kind, OutboxMessage.concerns_id.in_([str(i) for i in ids]),
               OutboxMessage.template.in_(list(templates)), OutboxMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED, idempotency_key=None, last_error=reason[:2000])
        .returning(OutboxMessage.concerns_id, OutboxMessage.recipient_email, OutboxMessage.template)
        .execution_options(synchronize_session=False))
    superseded = [Superseded(*row) for row in rows]
    tell_watchers((kind, s.concerns_id) for s in superseded)
    return superseded


def plain_reason(message: OutboxMessage) -> str | None:
    """Why a message did not go, in words an organiser reads (the technical answer is kept
    beside it, folded away)."""
    error = message.last_error or ""
    if not error:
        return None
    code = error[:3]
    if message.status == MessageStatus.CANCELLED:
        if error == ORPHANED:
            return _("Not sent: the message it follows was not delivered.")
        if error == SUPERSEDED:
            return _("Replaced by a message written from the new state.")
        return _("Cancelled before it was sent.")
    if code.isdigit() and code.startswith("5"):
        return _("The mail server refused this address.")
    if code.isdigit() and code.startswith("4"):
        return _("The mail server is busy or refused for now; it is tried again.")
    if any(word in error for word in ("Connection", "connect", "OSError", "timed out", "Disconnected", "gaierror")):
        return _("The mail server could not be reached.")
    return _("The message could not be built or sent.")


def queue_test_message(to: str, language: str = "id") -> OutboxMessage:
    """A message that checks the mail set-up end to end (``flask mail test ADDRESS``)."""
    return queue_email(to, "mail/email/test_message_to_user", _l("Test message"), language=language,
                       body=_("If you can read this, the portal can send email."))
