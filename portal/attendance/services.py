"""The rules of attendance: one mark per registration and session, check-in at the door (a signed
link in the ticket's QR code, or the ticket's short code), and walk-ins.

Marks are written with ``INSERT ... ON CONFLICT`` on the (registration, session) pair, so two
devices marking the same person at once leave one record, and the one that came second is told
it was already done. Every function takes the time as ``now``: the caller's clock, injectable.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, literal, select, update

from portal.accounts.policies import require_staff
from portal.attendance.models import ATTENDED_MARKS, AttendanceMark, AttendanceRecord, MarkSource
from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative
from portal.database import UTCDateTime, conflict_insert
from portal.errors import RuleViolation
from portal.events.models import Event, EventSession, EventStatus
from portal.extensions import db
from portal.i18n import format_local_date, to_local
from portal.mail.services import external_url
from portal.registrations import participants, substitutes, tickets
from portal.registrations.models import ATTENDING_STATUSES, Participant, Registration, RegistrationStatus
from portal.registrations.seats import lock_event

CHECK_IN_SALT = "attendance.check-in"


@dataclass
class CheckIn:
    """The outcome of a check-in. ``is_new`` is False when the person had already been checked in
    for the session (``record.arrived_at`` says when)."""

    registration: Registration
    session: EventSession
    record: AttendanceRecord
    is_new: bool


def _require_open(event: Event) -> None:
    if event.status not in (EventStatus.PUBLISHED, EventStatus.COMPLETED):
        raise RuleViolation(None, _("Attendance is taken only for published or completed events."))


def _require_expected(registration: Registration) -> None:
    if registration.status not in ATTENDING_STATUSES:
        raise RuleViolation(None, _("%(name)s has no seat at this event; record them as a walk-in instead.",
                                    name=registration.participant.full_name))


def _session_of(event_id: int, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event_id:
        raise RuleViolation(None, _("This session does not belong to the event."))
    return session


# -- the check-in link and the typed code -------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CHECK_IN_SALT)


def check_in_token(registration: Registration) -> str:
    """Signed registration and event ids: a changed character, or ids swapped in, fail the signature."""
    return _serializer().dumps([registration.id, registration.event_id])


def check_in_url(registration: Registration) -> str:
    return external_url("attendance.check_in", token=check_in_token(registration))


def registration_for_token(token: str) -> Registration:
    try:
        registration_id, event_id = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise RuleViolation(None, _("This check-in link is not valid.")) from None
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if registration is None or registration.event_id != event_id:
        raise RuleViolation(None, _("This check-in link is not valid."))
    return registration


def registration_for_code(event_id: int, code: str) -> Registration:
    code = tickets.normalise_code(code)
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.check_in_code == code)) if code else None
    if registration is None:
        raise RuleViolation("code", _("No ticket of this event has the code %(code)s.", code=code or "—"))
    return registration


def current_session(event: Event, now: datetime) -> EventSession | None:
    """The session running now, or else the next one on the office's today (people who arrive
    before the start are checked in for it). None before the event's day, between its days, and
    after the day's last session has ended: then the organiser chooses."""
    today = to_local(now).date()
    for session in sorted(event.sessions, key=lambda s: s.starts_at):
        if session.ends_at > now and (session.starts_at <= now or to_local(session.starts_at).date() == today):
            return session
    return None


def sessions_today(event: Event, now: datetime) -> list[EventSession]:
    """The event's sessions on the office's today: the only ones the check-in link offers."""
    today = to_local(now).date()
    return [session for session in event.sessions if to_local(session.starts_at).date() == today]


def check_in_at_door(actor, registration: Registration, session: EventSession, now: datetime) -> CheckIn:
    """The check-in link's button: like ``check_in``, for a session held today only, so a ticket
    scanned on day 2 cannot be marked present for day 3 by a slip of the thumb."""
    if session.event_id == registration.event_id and session not in sessions_today(registration.event, now):
        raise RuleViolation(None, _("That session is on %(day)s, not today: at the door, check people in for "
                                    "today's sessions only.", day=format_local_date(session.starts_at)))
    return check_in(actor, registration, session, now, MarkSource.QR)


# -- marks --------------------------------------------------------------------------------------


def _insert():
    return conflict_insert(db.session, AttendanceRecord)


def _record(registration_id: int, session_id: int) -> AttendanceRecord | None:
    return db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.registration_id == registration_id, AttendanceRecord.session_id == session_id)
        .execution_options(populate_existing=True))


def mark_attendance(actor, registration_id: int, session_id: int, mark: AttendanceMark | str,
                    now: datetime) -> AttendanceRecord:
    """Set one person's mark for one session from the sheet; the last tap wins. An arrival time
    is kept when a person who came is changed between present and late."""
    require_staff(actor, _("Only organisers can take attendance."))
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise RuleViolation(None, _("This registration does not exist."))
    session = _session_of(registration.event_id, session_id)
    _require_open(registration.event)
    _require_expected(registration)
    try:
        mark = AttendanceMark(mark)
    except ValueError:
        raise RuleViolation("mark", _("Choose present, late, excused or absent.")) from None
    before = _record(registration.id, session.id)
    before_mark = before.mark.value if before else None
    came = mark in ATTENDED_MARKS
    values = {"mark": mark, "source": MarkSource.SHEET, "marked_at": now, "marked_by_id": actor.id}
    statement = _insert().values(registration_id=registration.id, session_id=session.id,
                                 arrived_at=now if came else None, **values)
    arrived = func.coalesce(AttendanceRecord.arrived_at, literal(now, UTCDateTime)) if came else None
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[AttendanceRecord.registration_id, AttendanceRecord.session_id],
        set_={**values, "arrived_at": arrived}))
    record = _record(registration.id, session.id)
    if before_mark != mark.value:
        record_change(actor, "attendance.marked", record, before={"mark": before_mark}, after={"mark": mark.value})
    return record


def check_in(actor, registration: Registration, session: EventSession, now: datetime,
             source: MarkSource = MarkSource.QR) -> CheckIn:
    """Mark the person present for ``session``, once. A person already present or late stays as
    they are (``is_new`` False); one marked absent or excused who turns up after all is present."""
    require_staff(actor, _("Only organisers can take attendance."))
    return record_check_in(actor, registration, session, now, source)


def record_check_in(actor, registration: Registration, session: EventSession, now: datetime, source: MarkSource,
                    audit: dict | None = None) -> CheckIn:
    """``check_in`` once the caller's right is settled: an organiser, or a door pass (``actor``
    None, the pass named in ``audit``)."""
    if session.event_id != registration.event_id:
        raise RuleViolation(None, _("This ticket is for another event: %(title)s.", title=registration.event.title))
    _require_open(registration.event)
    _require_expected(registration)
    values = {"mark": AttendanceMark.PRESENT, "source": source, "arrived_at": now, "marked_at": now,
              "marked_by_id": actor.id if actor is not None else None}
    inserted = db.session.execute(
        _insert().values(registration_id=registration.id, session_id=session.id, **values)
        .on_conflict_do_nothing(index_elements=[AttendanceRecord.registration_id, AttendanceRecord.session_id])
        .returning(AttendanceRecord.id)).scalar_one_or_none()
    changed = inserted
    if inserted is None:
        changed = db.session.execute(
            update(AttendanceRecord).where(
                AttendanceRecord.registration_id == registration.id, AttendanceRecord.session_id == session.id,
                AttendanceRecord.mark.not_in(ATTENDED_MARKS))
            .values(**values).returning(AttendanceRecord.id)
            .execution_options(synchronize_session=False)).scalar_one_or_none()
    record = _record(registration.id, session.id)
    if changed is not None:
        record_change(actor, "attendance.checked_in", record,
                      after={"mark": "present", "source": source.value, **(audit or {})})
    return CheckIn(registration, session, record, is_new=changed is not None)


def check_in_by_code(actor, session: EventSession, code: str, now: datetime) -> CheckIn:
    """The typed short code does what the QR code does, for the session the organiser is on."""
    require_staff(actor, _("Only organisers can take attendance."))
    return check_in(actor, registration_for_code(session.event_id, code), session, now, MarkSource.CODE)


def mark_remaining_absent(actor, event_id: int, session_id: int, now: datetime) -> int:
    """Everyone on the sheet without a mark for the session is marked absent, in one statement;
    returns how many."""
    require_staff(actor, _("Only organisers can take attendance."))
    session = _session_of(event_id, session_id)
    _require_open(session.event)
    unmarked = select(
        Registration.id, literal(session.id), literal(AttendanceMark.ABSENT.value),
        literal(MarkSource.REMAINING_ABSENT.value), literal(now, UTCDateTime), literal(actor.id),
    ).where(Registration.event_id == event_id, Registration.status.in_(ATTENDING_STATUSES),
            ~select(AttendanceRecord.id).where(and_(AttendanceRecord.registration_id == Registration.id,
                                                    AttendanceRecord.session_id == session.id)).exists())
    statement = _insert().from_select(
        ["registration_id", "session_id", "mark", "source", "marked_at", "marked_by_id"], unmarked,
    ).on_conflict_do_nothing(index_elements=[AttendanceRecord.registration_id, AttendanceRecord.session_id])
    count = len(db.session.execute(statement.returning(AttendanceRecord.id)).all())
    if count:
        record_change(actor, "attendance.remaining_absent", session, after={"absent": count})
    return count


# -- walk-ins -----------------------------------------------------------------------------------


def _substitute_at_the_door(actor, session: EventSession, event: Event, cooperative: Cooperative | None,
                            registration_id: int, full_name: str, position: str, phone: str | None,
                            now: datetime) -> CheckIn:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise RuleViolation("substitute_for", _("Choose a registration of this event."))
    if cooperative is None or registration.cooperative_id != cooperative.id:
        raise RuleViolation("substitute_for", _("A substitute must be a person of the same cooperative."))
    person = participants.find_or_create_participant(actor, cooperative, full_name, position, None, phone,
                                                     same_name=True)
    substitutes.substitute_participant(actor, registration, participant_id=person.id, vouched=True)
    return check_in(actor, registration, session, now, MarkSource.WALK_IN)


def _cooperative_named(name: str) -> Cooperative | None:
    """The cooperative with exactly this name (any case), when only one has it."""
    found = list(db.session.scalars(select(Cooperative).where(
        func.lower(Cooperative.name) == name.lower()).limit(2)))
    return found[0] if len(found) == 1 else None


def _registration_of_namesake(event_id: int, cooperative: Cooperative | None, organisation: str,
                              full_name: str) -> Registration | None:
    """Someone of the same name and cooperative (or organisation) already on the event: typed in
    twice, or registered and without their ticket."""
    owner = (Participant.cooperative_id == cooperative.id if cooperative is not None
             else func.lower(Participant.organisation_name) == organisation.lower())
    return db.session.scalar(select(Registration).join(Participant).where(
        Registration.event_id == event_id, owner, func.lower(Participant.full_name) == full_name.lower())
        .order_by(Registration.id))


def record_walk_in(actor, session: EventSession, full_name: str, affiliation: str | None, position: str,
                   phone: str | None, now: datetime, cooperative_id: int | None = None,
                   substitute_for_id: int | None = None) -> CheckIn:
    """Someone who came without a seat: registered as a walk-in (no seat taken, outside the
    cooperative's limit) and checked in for ``session``. The person's cooperative is chosen from
    the registry (``cooperative_id``); otherwise ``affiliation`` is the organisation they come
    from (or a cooperative's exact name). A person already on the event is checked in as they
    are; one who had cancelled or was waiting becomes a walk-in. With ``substitute_for_id`` the
    person comes instead of a registration of their cooperative: they take its place (and seat)."""
    require_staff(actor, _("Only organisers can take attendance."))
    event = lock_event(session.event_id)
    _require_open(event)
    full_name, affiliation = " ".join((full_name or "").split()), " ".join((affiliation or "").split())
    cooperative = db.session.get(Cooperative, cooperative_id) if cooperative_id else None
    if cooperative_id and cooperative is None:
        raise RuleViolation("cooperative_id", _("Choose a cooperative from the registry."))
    if cooperative is None and not affiliation:
        raise RuleViolation("affiliation", _("Enter the cooperative or organisation."))
    cooperative = cooperative or _cooperative_named(affiliation)
    if substitute_for_id:
        return _substitute_at_the_door(actor, session, event, cooperative, substitute_for_id, full_name, position,
                                       phone, now)
    registration = _registration_of_namesake(event.id, cooperative, affiliation, full_name) if full_name else None
    if registration is None:
        person = participants.find_or_create_participant(
            actor, cooperative, full_name, position, None, phone,
            organisation_name=None if cooperative else affiliation, same_name=True)
        registration = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.participant_id == person.id))
    if registration is None:
        registration = Registration(event_id=event.id, participant=person, cooperative_id=person.cooperative_id,
                                    status=RegistrationStatus.WALK_IN, signed_up_by_id=actor.id)
        tickets.assign_check_in_code(registration)
        db.session.add(registration)
        db.session.flush()
        record_change(actor, "registration.walk_in", registration,
                      after={"participant": person.full_name, "status": "walk_in"})
    elif registration.status not in ATTENDING_STATUSES:
        before = registration.status.value
        registration.status, registration.reason = RegistrationStatus.WALK_IN, None
        db.session.flush()
        record_change(actor, "registration.walk_in", registration, before={"status": before},
                      after={"status": "walk_in"})
    return check_in(actor, registration, session, now, MarkSource.WALK_IN)
