"""Writes made safe to retry: the client sends an ``Idempotency-Key`` (any unique string, a UUID
say) with each write. The first request with a key runs and its answer is stored with the key
and a hash of the request, in the same transaction as the write; the same key and request again
gets that answer back (``Idempotent-Replayed: true``) and changes nothing; the same key with a
different request is refused (422). Keys belong to the token's owner."""

import hashlib
import json
from datetime import datetime, timedelta

from flask import abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.api.models import IdempotentRequest
from portal.api.problems import problem
from portal.database import begin_write
from portal.errors import RuleViolation
from portal.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A client retries within minutes or, from an offline door, within the day; a key is kept a week.
KEPT_FOR = timedelta(days=7)


def request_hash(body) -> str:
    canonical = json.dumps([request.method, request.path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key() -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        abort(428)
    if len(key) > MAX_KEY_LENGTH or any(ord(ch) < 32 for ch in key):
        abort(400)
    return key


def _stored(user_id: int, key: str) -> IdempotentRequest | None:
    return db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.user_id == user_id,
                                                             IdempotentRequest.key == key))


def _replay(stored: IdempotentRequest, digest: str):
    if stored.request_hash != digest:
        return problem(422, _("This Idempotency-Key was already used for a different request."))
    response = current_app.response_class(json.dumps(stored.response_body, ensure_ascii=False),
                                          status=stored.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def run_once(actor, body, call, status: int = 200):
    """Run ``call()`` (a service that flushes) once per key: its result (a JSON-able dict) is the
    answer, stored with the key and committed with the write. A refusal (``RuleViolation``) rolls
    back, is answered 422 and not stored, so a corrected retry may use the same key."""
    key = _key()
    digest = request_hash(body)
    stored = _stored(actor.id, key)
    if stored is not None:
        return _replay(stored, digest)
    try:
        result = call()
    except RuleViolation as violation:
        db.session.rollback()
        errors = {violation.field: [violation.message]} if violation.field else None
        return problem(422, violation.message, errors=errors)
    db.session.add(IdempotentRequest(user_id=actor.id, key=key, request_hash=digest, status_code=status,
                                     response_body=result))
    try:
        db.session.commit()
    except IntegrityError:
        # The same key arrived twice at once and the other request stored it first.
        db.session.rollback()
        stored = _stored(actor.id, key)
        if stored is None:
            raise
        return _replay(stored, digest)
    response = current_app.response_class(json.dumps(result, ensure_ascii=False), status=status,
                                          mimetype="application/json")
    return response


def forget_old_keys(now: datetime) -> None:
    """The mail worker's periodic job: drop answers kept longer than ``KEPT_FOR``. Idempotent."""
    begin_write(db.session)
    db.session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEPT_FOR))
