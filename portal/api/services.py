"""Personal API tokens: created by staff for themselves, shown once, stored hashed, revoked at
will; and the lookup that turns an ``Authorization: Bearer`` header into a token.

A token reads ``pko_<prefix>_<secret>``. The prefix finds the row (a unique index); the SHA-256
of the whole token, compared in constant time, proves it. ``mint_token`` takes an optional event
and lifetime so that a later capability (a door device) can mint a short-lived token for one
event's check-ins.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.accounts.policies import require_staff
from portal.api.models import ApiScope, ApiToken
from portal.audit.services import record_change
from portal.errors import RuleViolation
from portal.extensions import db

TOKEN_PREFIX = "pko_"  # noqa: S105 (the tokens' public marker, not a secret)
# last_used_at is written when older than this, not on every call.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKENS_PER_USER = 20


@dataclass
class MintedToken:
    """A new token and its secret: the only time the secret exists outside the caller's hands."""

    token: ApiToken
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _valid_scopes(scopes) -> list[str]:
    chosen = sorted({str(scope) for scope in scopes})
    known = {scope.value for scope in ApiScope}
    if not chosen or any(scope not in known for scope in chosen):
        raise RuleViolation("scopes", _("Choose at least one of the listed permissions."))
    return chosen


def mint_token(actor, name: str, scopes, now: datetime, *, event_id: int | None = None,
               lifetime: timedelta | None = None) -> MintedToken:
    """A new token for ``actor`` (staff only), acting as them, narrowed to ``scopes``."""
    require_staff(actor, _("Only organisers and administrators can create API tokens."))
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise RuleViolation("name", _("Give the token a name of at most 80 characters."))
    # An event's short-lived tokens (the offline sheet's, minted at each opening) do not count.
    active = db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == actor.id, ApiToken.event_id.is_(None),
                                                          ApiToken.revoked_at.is_(None))).all()
    if len(active) >= MAX_TOKENS_PER_USER:
        raise RuleViolation(None, _("You have too many tokens; revoke one you no longer use."))
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user_id=actor.id, name=name, prefix=prefix, token_hash=_hash(secret),
                     scopes=_valid_scopes(scopes), event_id=event_id, created_at=now,
                     expires_at=now + lifetime if lifetime else None)
    db.session.add(token)
    record_change(actor, "api_token.created", token, after={"name": name, "scopes": token.scopes})
    return MintedToken(token, secret)


def revoke_token(actor, token: ApiToken, now: datetime) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; someone else's is not found."""
    if actor is None or token.user_id != actor.id:
        raise RuleViolation(None, _("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = now
        record_change(actor, "api_token.revoked", token, after={"name": token.name})
    return token


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))


def parse_bearer(header: str | None) -> tuple[str, str] | None:
    """(prefix, whole token) from an ``Authorization`` header, or None when it holds no token of ours."""
    scheme, _sep, value = (header or "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(TOKEN_PREFIX) or len(value) > 200:
        return None
    prefix, sep, rest = value[len(TOKEN_PREFIX):].partition("_")
    if not sep or not prefix or not rest:
        return None
    return prefix, value


def authenticate(header: str | None, now: datetime) -> ApiToken | None:
    """The usable token the header carries, its owner active; None for anything else."""
    parsed = parse_bearer(header)
    if parsed is None:
        return None
    prefix, value = parsed
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None or not hmac.compare_digest(token.token_hash, _hash(value)):
        return None
    if not token.is_usable(now) or not token.user.is_active:
        return None
    return token


def touch(token: ApiToken, now: datetime) -> bool:
    """Whether ``last_used_at`` is old enough to write (the caller writes it in its own transaction)."""
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL


def record_use(token_id: int, now: datetime) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
