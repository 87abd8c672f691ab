import functools
import hashlib
import secrets
from datetime import datetime, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from portal.accounts import lifetimes
from portal.accounts.emails import send_email_verification, send_password_reset
from portal.accounts.models import OFFICE_ROLES, AccountToken, LoginSession, Role, TokenPurpose, User
from portal.audit.services import record_change, snapshot
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.offices.context import default_office

AUDITED_FIELDS = ["email", "full_name", "phone", "role", "is_active_account"]
# Compared against when the email is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; never says which part was wrong."""
    user = find_user_by_email(email)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(user: User, ip_address: str | None = None, user_agent: str | None = None,
                        remembered: bool = False, now: datetime | None = None) -> str:
    """A fresh session id at every login; the caller hands it to Flask-Login via the user."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        token_hash=_hash_token(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        is_remembered=remembered,
        ip_address=(ip_address or "")[:45] or None,
        user_agent=(user_agent or "")[:255] or None,
    )
    db.session.add(login)
    user.last_login_at = now
    user.current_session_token = token
    user.current_login = login
    db.session.flush()
    return token


def load_session_user(token: str) -> User | None:
    """The user of a login session that has neither ended nor outlived its idle or absolute
    lifetime, or None (the cookie is then anonymous)."""
    row = db.session.execute(
        select(User, LoginSession)
        .join(LoginSession)
        .where(LoginSession.token_hash == _hash_token(token), LoginSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user, login = row
    if not user.is_active or lifetimes.has_expired(login, user.role, lifetimes.clock()):
        return None
    user.current_session_token = token
    user.current_login = login
    return user


def end_login_session(token: str | None, now: datetime | None = None) -> None:
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _hash_token(token), LoginSession.ended_at.is_(None))
            .values(ended_at=now or utcnow())
        )


def end_all_sessions(user: User) -> None:
    """Ends every login of ``user``, remember-me cookies included: they carry the same tokens."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    user.current_session_token = None


def _check_password_strength(password: str, field: str = "new_password") -> None:
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        raise RuleViolation(field, _("The password must have at least %(n)d characters.",
                                     n=current_app.config["PASSWORD_MIN_LENGTH"]))


def set_password(user: User, new_password: str) -> None:
    """Sets the password and ends every session of the user."""
    _check_password_strength(new_password)
    user.set_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise RuleViolation("current_password", _("The current password is not correct."))
    set_password(user, new_password)
    record_change(user, "user.change_password", user)


def _valid_email(email: str) -> str:
    try:
        return normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        raise RuleViolation("email", _("This is not a valid email address.")) from None


_ACTORS_OFFICE = object()


def create_user(actor: User | None, email: str, full_name: str, role: Role, password: str,
                phone: str | None = None, preferred_language: str = "id", office=_ACTORS_OFFICE,
                audit_office_id: int | None = None) -> User:
    """A new account. Staff join ``office``: by default the actor's, or the first office when the
    actor has none (the command line); ``office=None`` makes an administrator of every office."""
    email = _valid_email(email)
    if find_user_by_email(email) is not None:
        raise RuleViolation("email", _("This email address already has an account."))
    _check_password_strength(password, "password")
    user = User(email=email, full_name=full_name.strip(), role=Role(role), phone=phone or None,
                preferred_language=preferred_language)
    if user.role in OFFICE_ROLES:
        if office is _ACTORS_OFFICE:
            office = actor.office if actor is not None and actor.office_id else default_office()
        user.office = office
    user.set_password(password)
    db.session.add(user)
    record_change(actor, "user.create", user, None, snapshot(user, AUDITED_FIELDS), office_id=audit_office_id)
    return user


def _refuse_self(actor: User, user: User, field: str) -> None:
    if actor is not None and actor.id == user.id:
        raise RuleViolation(field, _("You cannot change this on your own account."))


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Deactivating ends every session of the user at once."""
    _refuse_self(actor, user, "is_active_account")
    before = snapshot(user, AUDITED_FIELDS)
    user.is_active_account = active
    if not active:
        end_all_sessions(user)
    record_change(actor, "user.activate" if active else "user.deactivate", user, before, snapshot(user, AUDITED_FIELDS))


def set_user_role(actor: User, user: User, role: Role) -> None:
    """Administrators move staff between admin and organiser; board accounts are managed elsewhere."""
    _refuse_self(actor, user, "role")
    if role not in OFFICE_ROLES or user.role not in OFFICE_ROLES:
        raise RuleViolation("role", _("Only staff accounts can be given a staff role."))
    before = snapshot(user, AUDITED_FIELDS)
    user.role = role
    record_change(actor, "user.set_role", user, before, snapshot(user, AUDITED_FIELDS))


def set_preferred_language(user: User, language: str) -> None:
    if language in current_app.config["PORTAL_LOCALES"]:
        user.preferred_language = language


def staff_query(search: str | None = None, actor=None):
    """Staff accounts of the offices ``actor`` reads."""
    from portal.offices.scope import scoped

    query = scoped(select(User), User, actor).where(User.role.in_(OFFICE_ROLES)).order_by(User.full_name, User.id)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(User.full_name.ilike(pattern) | User.email.ilike(pattern))
    return query


def issue_token(user: User, purpose: TokenPurpose, now: datetime | None = None) -> str:
    """A fresh 256-bit link token; older unused tokens of the same purpose die with it."""
    now = now or utcnow()
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    ttl = current_app.config[
        "PASSWORD_RESET_TTL_SECONDS" if purpose == TokenPurpose.PASSWORD_RESET else "EMAIL_VERIFICATION_TTL_SECONDS"]
    db.session.add(AccountToken(user=user, purpose=purpose, token_hash=_hash_token(token), created_at=now,
                                expires_at=now + timedelta(seconds=ttl)))
    db.session.flush()
    return token


def find_valid_token(token: str, purpose: TokenPurpose, now: datetime | None = None) -> AccountToken | None:
    """The token's row if it is unused, unexpired, of this purpose and its user is active.
    A reset token also dies when the password changes after it was issued."""
    now = now or utcnow()
    row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash_token(token or "")))
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        return None
    if not row.user.is_active:
        return None
    if purpose == TokenPurpose.PASSWORD_RESET and row.created_at < row.user.password_changed_at:
        return None
    return row


def request_password_reset(email: str, now: datetime | None = None) -> None:
    """Queue a reset link if the address has an active account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    send_password_reset(user, issue_token(user, TokenPurpose.PASSWORD_RESET, now))


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User:
    row = find_valid_token(token, TokenPurpose.PASSWORD_RESET, now)
    if row is None:
        raise RuleViolation("new_password", _("This link is no longer valid. Please ask for a new one."))
    set_password(row.user, new_password)
    row.used_at = now or utcnow()
    record_change(row.user, "user.reset_password", row.user)
    return row.user


def request_email_verification(user: User, now: datetime | None = None) -> None:
    send_email_verification(user, issue_token(user, TokenPurpose.EMAIL_VERIFICATION, now))


def verify_email(token: str, now: datetime | None = None) -> User:
    row = find_valid_token(token, TokenPurpose.EMAIL_VERIFICATION, now)
    if row is None:
        raise RuleViolation(None, _("This link is no longer valid. Please ask for a new one."))
    row.used_at = now or utcnow()
    row.user.email_verified_at = row.used_at
    return row.user


def display_phone(raw: str | None) -> str | None:
    """A phone number in the one form the portal shows and exports: an Indonesian number as it
    is dialled at home, "0812-3456-7890" (text a spreadsheet will not turn into a number), any
    other number in its international form; a value that is no number, as it was written."""
    if raw is None or not str(raw).strip():
        return None
    return _display_phone(str(raw).strip())


@functools.lru_cache(maxsize=4096)
def _display_phone(text: str) -> str:
    """``display_phone`` of a stripped value, parsed once per distinct number: an export shows
    one per row, and phonenumbers' parsing was a third of a large export's time."""
    try:
        number = _valid_number(text)
    except ValueError:
        return text
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 62
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def normalise_phone(raw: str | None) -> str | None:
    """An Indonesian phone number in +62 form: "0812-3456-789", "62812...", "+62 812 ..." and
    "812..." all give "+62812..."; None when empty. Raises ValueError when it is not a valid
    number (phonenumbers' numbering plan for Indonesia)."""
    if raw is None or not str(raw).strip():
        return None
    number = _valid_number(str(raw).strip())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _valid_number(text: str) -> phonenumbers.PhoneNumber:
    """``text`` parsed as ``normalise_phone`` reads it; ValueError when it is no valid number."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+") or digits.startswith("62"):
        digits = "+" + digits
    elif not digits.startswith("0"):
        digits = "+62" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        raise ValueError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    return number
