"""The API's events: events with their sessions, an event's registrations, attendance and
turnout figures, and the attendance writes (marks and check-ins). Thin, as the pages' views:
load within the actor's offices (``load_or_404``), call the capability's query or service."""

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from portal.accounts.access import current_actor, roles, token_scope
from portal.accounts.models import STAFF_ROLES
from portal.accounts.services import normalise_phone
from portal.api import schemas
from portal.api.cursor import keyset_page
from portal.api.idempotency import run_once
from portal.api.models import ApiScope
from portal.attendance import queries as attendance_queries
from portal.attendance import services as attendance
from portal.attendance.models import AttendanceRecord, MarkSource
from portal.database import clock_now
from portal.errors import RuleViolation
from portal.events.models import Event, EventSession
from portal.events.queries import organiser_query
from portal.extensions import db
from portal.offices.scope import load_or_404
from portal.privacy.access import log_access
from portal.privacy.models import AccessKind
from portal.registrations import queries as registration_queries
from portal.registrations.models import Registration
from portal.reports import turnout

bp = Blueprint("api_events", __name__, url_prefix="/api/v1",
               description="Events with their sessions, and each event's registrations, attendance and turnout.")


@bp.route("/events", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.EVENTS_READ)
@bp.arguments(schemas.EventQuery, location="query")
@bp.response(200, schemas.EventPage)
def events(args):
    """Events of the offices you read, by first day then id."""
    query = organiser_query(args["status"], args["q"], current_actor())
    if args["kind"]:
        query = query.where(Event.kind == args["kind"])
    if args["program_area"]:
        query = query.where(Event.program_area == args["program_area"])
    return keyset_page(query, (Event.starts_on, Event.id), args["cursor"], args["limit"])


@bp.route("/events/<int:event_id>", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.EVENTS_READ)
@bp.response(200, schemas.EventSchema)
def event(event_id: int):
    return load_or_404(Event, event_id, current_actor())


@bp.route("/events/<int:event_id>/registrations", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.REGISTRATIONS_READ)
@bp.arguments(schemas.RegistrationQuery, location="query")
@bp.response(200, schemas.RegistrationPage)
def registrations(args, event_id: int):
    """The event's registrations, by id; filtered by state, district and name as on the page."""
    event = load_or_404(Event, event_id, current_actor())
    districts = [args["district_id"]] if args["district_id"] else None
    query = registration_queries.registrations_query(event.id, args["status"], districts, args["q"])
    page = keyset_page(query, (Registration.id,), args["cursor"], args["limit"])
    log_access(current_user, AccessKind.API_READ, "api.registrations", event=event, row_count=len(page.items))
    return page


@bp.route("/events/<int:event_id>/attendance", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.ATTENDANCE_READ)
@bp.arguments(schemas.AttendanceQuery, location="query")
@bp.response(200, schemas.AttendancePage)
def attendance_records(args, event_id: int):
    """The marks of the event's sessions, by id; one session's with ``session_id``."""
    event = load_or_404(Event, event_id, current_actor())
    query = attendance_queries.records_query(event.id, args["session_id"])
    page = keyset_page(query, (AttendanceRecord.id,), args["cursor"], args["limit"])
    log_access(current_user, AccessKind.API_READ, "api.attendance", event=event, row_count=len(page.items))
    return page


@bp.route("/events/<int:event_id>/turnout", methods=["GET"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.REPORTS_READ)
@bp.response(200, schemas.TurnoutSchema)
def event_turnout(event_id: int):
    """Each session's marks and how many cooperatives reached each stage (invited … attended)."""
    event = load_or_404(Event, event_id, current_actor())
    counts = attendance_queries.session_counts(event)
    return {"event_id": event.id,
            "sessions": [{"session_id": session.id, "starts_at": session.starts_at, **counts[session.id].as_dict()}
                         for session in event.sessions],
            "cooperatives_by_stage": turnout.stage_counts(event.id, current_actor())}


def _event_and_session(event_id: int, session_id: int) -> EventSession:
    event = load_or_404(Event, event_id, current_actor())
    session = load_or_404(EventSession, session_id, current_actor())
    if session.event_id != event.id:
        abort(404)
    return session


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/marks", methods=["POST"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.ATTENDANCE_WRITE)
@bp.arguments(schemas.MarkSchema)
@bp.response(200, schemas.AttendanceSchema)
@bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"}}])
def mark(body, event_id: int, session_id: int):
    """Set one person's mark for the session (the last write wins), once per Idempotency-Key."""
    session = _event_and_session(event_id, session_id)
    return run_once(current_user, request.get_json(silent=True), lambda: schemas.AttendanceSchema().dump(
        attendance.mark_attendance(current_user, body["registration_id"], session.id, body["mark"], clock_now())))


def _check_in(session: EventSession, body: dict):
    if "code" in body:
        return attendance.check_in_by_code(current_user, session, body["code"], clock_now())
    registration = db.session.get(Registration, body["registration_id"])
    if registration is None or registration.event_id != session.event_id:
        raise RuleViolation("registration_id", _("This person is not registered for this event."))
    return attendance.check_in(current_user, registration, session, clock_now(), MarkSource.QR)


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/check-ins", methods=["POST"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.ATTENDANCE_WRITE)
@bp.arguments(schemas.CheckInSchema)
@bp.response(200, schemas.CheckInResultSchema)
@bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"}}])
def check_in(body, event_id: int, session_id: int):
    """Check a person in (present) by registration id or ticket code, once per Idempotency-Key."""
    session = _event_and_session(event_id, session_id)

    def call():
        result = _check_in(session, body)
        return {**schemas.AttendanceSchema().dump(result.record), "is_new": result.is_new}

    return run_once(current_user, request.get_json(silent=True), call)


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/walk-ins", methods=["POST"])
@roles(*STAFF_ROLES)
@token_scope(ApiScope.ATTENDANCE_WRITE)
@bp.arguments(schemas.WalkInSchema)
@bp.response(200, schemas.CheckInResultSchema)
@bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string"}}])
def walk_in(body, event_id: int, session_id: int):
    """Record someone who came without a seat and check them in, once per Idempotency-Key (the
    offline sheet's walk-ins)."""
    session = _event_and_session(event_id, session_id)

    def call():
        try:
            phone = normalise_phone(body["phone"]) if body["phone"] else None
        except ValueError:
            raise RuleViolation("phone", _("Enter a phone number such as 0812 3456 7890.")) from None
        result = attendance.record_walk_in(current_user, session, body["full_name"], body["affiliation"],
                                           body["position"].value, phone, clock_now())
        return {**schemas.AttendanceSchema().dump(result.record), "is_new": result.is_new}

    return run_once(current_user, request.get_json(silent=True), call)
