"""Self check-in for meetings: where a session allows it, the door shows a rotating QR code (an
HMAC of the session and the current minute, valid for that minute and the next) that a
participant scans with their own phone; they then give their ticket code and are marked present
once, only during the session's window. Such a mark records its source as ``self`` and waits for
an organiser, who confirms it or undoes it.

A forged or stale code, a session without self check-in, a time outside the window, a code of
another event or a second check-in are refused, and nothing changes."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.policies import require_staff
from portal.attendance.models import AttendanceMark, AttendanceRecord, MarkSource
from portal.attendance.services import _record, _require_expected, _require_open, registration_for_code
from portal.audit.services import record_change
from portal.database import conflict_insert
from portal.errors import RuleViolation
from portal.events.models import EventSession
from portal.extensions import db
from portal.registrations.models import Registration

WINDOW_SECONDS = 60  # the code on the door changes every minute
VALID_WINDOWS = 2  # and one scanned a moment before it changed still works
OPENS_BEFORE = timedelta(minutes=30)  # people arrive before the start


@dataclass(frozen=True)
class DoorCode:
    window: int
    signature: str


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _sign(session_id: int, window: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"self-check-in:{session_id}:{window}".encode(), hashlib.sha256).hexdigest()[:20]


def door_code(session: EventSession, now: datetime) -> DoorCode:
    window = _window(now)
    return DoorCode(window, _sign(session.id, window))


def in_window(session: EventSession, now: datetime) -> bool:
    return session.starts_at - OPENS_BEFORE <= now <= session.ends_at


def verify(session: EventSession, window, signature, now: datetime) -> None:
    """Refuse a code not made by the portal for this session, or made more than a minute ago."""
    try:
        window = int(window)
    except (TypeError, ValueError):
        window = -1
    current = _window(now)
    fresh = current - VALID_WINDOWS < window <= current
    if not fresh or not hmac.compare_digest(_sign(session.id, window), str(signature or "")):
        raise RuleViolation(None, _("This check-in code has expired: scan the code at the door again."))


def _require_enabled(session: EventSession) -> None:
    if not session.self_check_in:
        raise RuleViolation(None, _("Self check-in is not open for this session."))


def _require_window(session: EventSession, now: datetime) -> None:
    if not in_window(session, now):
        raise RuleViolation(None, _("Self check-in is open only from 30 minutes before the session until its end."))


def check_in_self(session: EventSession, window, signature, code: str, now: datetime) -> AttendanceRecord:
    """The participant's own check-in from the door's code and their ticket code."""
    _require_enabled(session)
    verify(session, window, signature, now)
    _require_window(session, now)
    return _mark_self(session, registration_for_code(session.event_id, code), now)


def check_in_from_ticket(session: EventSession, registration: Registration, now: datetime) -> AttendanceRecord:
    """The participant's own check-in from their ticket page (its random token is the key, so no
    door code is asked): the same session switch, window and once-only rule as at the door."""
    _require_enabled(session)
    if session.event_id != registration.event_id:
        raise RuleViolation(None, _("This session does not belong to the event."))
    _require_window(session, now)
    return _mark_self(session, registration, now)


def _mark_self(session: EventSession, registration: Registration, now: datetime) -> AttendanceRecord:
    """Present, source ``self``, unconfirmed, once per person and session."""
    _require_open(registration.event)
    _require_expected(registration)
    inserted = db.session.execute(
        conflict_insert(db.session, AttendanceRecord).values(
            registration_id=registration.id, session_id=session.id, mark=AttendanceMark.PRESENT,
            source=MarkSource.SELF, arrived_at=now, marked_at=now, marked_by_id=None)
        .on_conflict_do_nothing(index_elements=[AttendanceRecord.registration_id, AttendanceRecord.session_id])
        .returning(AttendanceRecord.id)).scalar_one_or_none()
    if inserted is None:
        raise RuleViolation(None, _("%(name)s is already on this session's attendance.",
                                    name=registration.participant.full_name))
    record = _record(registration.id, session.id)
    record_change(None, "attendance.self_checked_in", record, after={"mark": "present", "source": "self"})
    return record


def open_for_ticket(registration: Registration, now: datetime) -> list[tuple[EventSession, bool]]:
    """The registration's sessions whose self check-in is open now, each with whether the person
    is on its attendance already (the ticket page's "Saya hadir" button): one statement."""
    sessions = [session for session in registration.event.sessions
                if session.self_check_in and in_window(session, now)]
    if not sessions:
        return []
    marked = set(db.session.scalars(select(AttendanceRecord.session_id).where(
        AttendanceRecord.registration_id == registration.id,
        AttendanceRecord.session_id.in_([session.id for session in sessions]))))
    return [(session, session.id in marked) for session in sessions]


def awaiting_confirmation(session: EventSession) -> list[AttendanceRecord]:
    return list(db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.session_id == session.id, AttendanceRecord.source == MarkSource.SELF,
        AttendanceRecord.confirmed_at.is_(None)).order_by(AttendanceRecord.marked_at, AttendanceRecord.id)))


def _self_record(session: EventSession, record_id: int) -> AttendanceRecord:
    record = db.session.get(AttendanceRecord, record_id)
    if record is None or record.session_id != session.id or record.source != MarkSource.SELF:
        raise RuleViolation(None, _("This self check-in does not exist."))
    return record


def confirm(actor, session: EventSession, record_id: int, now: datetime) -> AttendanceRecord:
    require_staff(actor, _("Only organisers can take attendance."))
    record = _self_record(session, record_id)
    if record.confirmed_at is None:
        record.confirmed_at, record.confirmed_by_id = now, actor.id
        record_change(actor, "attendance.self_confirmed", record, after={"confirmed": True})
    return record


def undo(actor, session: EventSession, record_id: int) -> None:
    """The person was not there after all: their self check-in is removed (they are unmarked)."""
    require_staff(actor, _("Only organisers can take attendance."))
    record = _self_record(session, record_id)
    record_change(actor, "attendance.self_undone", record, before={"mark": record.mark.value, "source": "self"},
                  after={"mark": None})
    db.session.delete(record)
    db.session.flush()


def set_enabled(actor, session: EventSession, enabled: bool) -> EventSession:
    require_staff(actor, _("Only organisers can take attendance."))
    if session.self_check_in != enabled:
        session.self_check_in = enabled
        record_change(actor, "session.self_check_in", session.event, after={"session": session.id,
                                                                           "self_check_in": enabled})
    return session
