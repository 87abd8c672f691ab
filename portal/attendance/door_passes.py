"""The door role: an organiser gives a person check-in rights for one event, as a link. The link
carries a signed pass id (itsdangerous, the app's secret); the pass is a stored row, so it can be
revoked, and it stops working after the event's last session. A pass opens that event's sheets
and checks people in; it is not a login and opens nothing else."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from portal.accounts.policies import require_staff
from portal.attendance import services
from portal.attendance.models import DoorPass, MarkSource
from portal.audit.services import record_change
from portal.errors import RuleViolation
from portal.events.models import Event, EventSession
from portal.extensions import db
from portal.mail.services import external_url

SALT = "door-pass"
AFTER_LAST_SESSION = timedelta(hours=2)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def pass_token(door_pass: DoorPass) -> str:
    return _serializer().dumps([door_pass.id, door_pass.event_id])


def pass_url(door_pass: DoorPass) -> str:
    return external_url("attendance.door_pass_home", token=pass_token(door_pass))


def create_pass(actor, event: Event, name: str, now: datetime) -> DoorPass:
    require_staff(actor, _("Only organisers can take attendance."))
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise RuleViolation("name", _("Give the person's name, at most 80 characters."))
    if not event.sessions:
        raise RuleViolation(None, _("The event has no sessions yet."))
    expires_at = max(session.ends_at for session in event.sessions) + AFTER_LAST_SESSION
    if expires_at <= now:
        raise RuleViolation(None, _("The event's sessions are over."))
    door_pass = DoorPass(event_id=event.id, name=name, created_by_id=actor.id, created_at=now, expires_at=expires_at)
    db.session.add(door_pass)
    db.session.flush()
    record_change(actor, "door_pass.created", door_pass, after={"name": name})
    return door_pass


def revoke_pass(actor, door_pass: DoorPass, now: datetime) -> DoorPass:
    require_staff(actor, _("Only organisers can take attendance."))
    if door_pass.revoked_at is None:
        door_pass.revoked_at = now
        record_change(actor, "door_pass.revoked", door_pass, after={"name": door_pass.name})
    return door_pass


def passes_of(event: Event) -> list[DoorPass]:
    return list(db.session.scalars(select(DoorPass).where(DoorPass.event_id == event.id)
                                   .order_by(DoorPass.created_at.desc(), DoorPass.id.desc())))


def pass_for_token(token: str, now: datetime) -> DoorPass | None:
    """The usable pass a link carries; None for a forged, revoked or expired one."""
    try:
        pass_id, event_id = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    door_pass = db.session.get(DoorPass, pass_id) if isinstance(pass_id, int) else None
    if door_pass is None or door_pass.event_id != event_id or not door_pass.is_usable(now):
        return None
    return door_pass


def session_of(door_pass: DoorPass, session_id: int) -> EventSession | None:
    session = db.session.get(EventSession, session_id)
    return session if session is not None and session.event_id == door_pass.event_id else None


def check_in(door_pass: DoorPass, session: EventSession, now: datetime, *, registration_id: int | None = None,
             code: str | None = None) -> services.CheckIn:
    """Present, once, for a person of the pass's event (by the row's button or the ticket's code)."""
    if session.event_id != door_pass.event_id:
        raise RuleViolation(None, _("This session does not belong to the event."))
    if code is not None:
        registration = services.registration_for_code(session.event_id, code)
    else:
        registration = db.session.get(services.Registration, registration_id or 0)
        if registration is None or registration.event_id != door_pass.event_id:
            raise RuleViolation(None, _("This person is not registered for this event."))
    return services.record_check_in(None, registration, session, now, MarkSource.DOOR,
                                    audit={"door_pass": door_pass.name})
