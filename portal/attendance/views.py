"""Taking attendance: the event's attendance tab, a session's sheet, check-in by the ticket's
link or code, walk-ins at the door, the daftar hadir and the exports.

The time comes from ``PORTAL_CLOCK`` when it is set (a callable returning an aware datetime), so
a test or a rehearsal can stand at the door at 08.45 WITA on the event's day."""

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import current_actor, public, roles
from portal.accounts.models import STAFF_ROLES
from portal.accounts.policies import is_staff
from portal.attendance import door_passes, exports, offline, queries, self_check_in, services
from portal.attendance.forms import CheckInCodeForm, DoorPassForm, WalkInForm
from portal.attendance.models import AttendanceMark, DoorPass
from portal.attendance.sheet_rows import sheet_rows
from portal.attendance.subscriptions import shows_check_in
from portal.cooperatives.models import Cooperative
from portal.cooperatives.services import search_cooperatives
from portal.database import begin_write, clock_now
from portal.documents import spreadsheets
from portal.documents.pdf import PDF_MIMETYPE
from portal.documents.qr import qr_png
from portal.errors import RuleViolation, render_error
from portal.events.models import Event, EventSession
from portal.extensions import db, limiter
from portal.forms import parse_id
from portal.i18n import format_local_time
from portal.mail.services import external_url
from portal.offices.context import office_in_use
from portal.offices.scope import load_or_404
from portal.privacy.access import count_rows, log_access
from portal.privacy.models import AccessKind
from portal.registrations import queries as registration_queries
from portal.registrations.models import ATTENDING_STATUSES, Registration
from portal.transactions import act, attempt

bp = Blueprint("attendance", __name__)


@bp.context_processor
def marks():
    return {"marks": list(AttendanceMark)}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _event_and_session(event_id: int, session_id: int) -> tuple[Event, EventSession]:
    event = load_or_404(Event, event_id, current_actor())
    session = load_or_404(EventSession, session_id, current_actor())
    if session.event_id != event.id:
        abort(404)
    return event, session


def _sheet_url(event: Event, session: EventSession, **values) -> str:
    return url_for("attendance.sheet", event_id=event.id, session_id=session.id, **values)


def _confirmation(result: services.CheckIn | None, error: str | None = None, registration=None):
    """The large page an organiser sees at the door after a scan, a code or a walk-in."""
    registration = result.registration if result else registration
    return render_template("attendance/checked_in.html", result=result, error=error, registration=registration,
                           event=registration.event if registration else None), 409 if error else 200


@bp.get("/organiser/events/<int:event_id>/attendance")
@roles(*STAFF_ROLES)
def overview(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    return render_template("attendance/overview.html", event=event,
                           session_counts=queries.session_counts(event))


@bp.get("/organiser/events/<int:event_id>/attendance/<int:session_id>")
@roles(*STAFF_ROLES)
def sheet(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    return _render_sheet(event, session, CheckInCodeForm(formdata=None))


def _offline_token(event: Event) -> str | None:
    """A fresh token for the offline sheet (only the GET of the sheet mints one; a page
    re-rendered after a refused form keeps working online)."""
    if request.method != "GET":
        return None
    begin_write(db.session)
    outcome = attempt(lambda: offline.mint_sheet_token(current_user, event, clock_now()))
    return outcome.result.secret if outcome.ok else None


def _render_sheet(event: Event, session: EventSession, code_form: CheckInCodeForm, status: int = 200):
    rows, counts = queries.sheet(event.id, session.id)
    search = request.args.get("q", "").strip()
    shown = [row for row in rows if queries.matches(row, search)]
    token = _offline_token(event)
    return render_template("attendance/sheet.html", event=event, session=session, counts=counts, search=search,
                           rows=shown, rows_html=sheet_rows(shown), code_form=code_form, api_token=token,
                           walk_in_form=WalkInForm(formdata=None)), status


@bp.post("/organiser/events/<int:event_id>/attendance/<int:session_id>/mark")
@roles(*STAFF_ROLES)
def mark(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    registration_id, _sep, chosen = request.form.get("set", "").partition(":")
    outcome = attempt(lambda: services.mark_attendance(current_user, parse_id(registration_id) or 0,
                                                       session.id, chosen, clock_now()))
    if not outcome.ok:
        if _wants_json():
            return jsonify(error=outcome.violation.message), 409
        flash(outcome.violation.message, "danger")
        return redirect(_sheet_url(event, session))
    record = outcome.result
    if _wants_json():
        return jsonify(registration_id=record.registration_id, mark=record.mark.value,
                       arrived=format_local_time(record.arrived_at),
                       counts=queries.session_counts(event)[session.id].as_dict())
    return redirect(_sheet_url(event, session, q=request.form.get("q") or None, _anchor=f"r{record.registration_id}"))


@bp.post("/organiser/events/<int:event_id>/attendance/<int:session_id>/remaining-absent")
@roles(*STAFF_ROLES)
def remaining_absent(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    return act(lambda: services.mark_remaining_absent(current_user, event.id, session.id, clock_now()),
               done=lambda count: _("%(count)d people marked absent.", count=count), then=_sheet_url(event, session))


@bp.post("/organiser/events/<int:event_id>/attendance/<int:session_id>/code")
@roles(*STAFF_ROLES)
def check_in_code(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    form = CheckInCodeForm()
    return act(lambda: services.check_in_by_code(current_user, session, form.code.data, clock_now()), form=form,
               answer=_confirmation) or _render_sheet(event, session, form, 400)


@bp.route("/organiser/events/<int:event_id>/attendance/<int:session_id>/walk-in", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def walk_in(event_id: int, session_id: int):
    """The person's cooperative is found in the registry (a search field and its results,
    refreshed as one types where scripts run); then they may come instead of one of its people."""
    event, session = _event_and_session(event_id, session_id)
    form = WalkInForm()
    cooperative_id = parse_id(request.values.get("cooperative_id"))
    cooperative = load_or_404(Cooperative, cooperative_id, current_actor(), write=False) if cooperative_id else None
    expected = registration_queries.event_registrations_of(event.id, cooperative.id) if cooperative else []
    form.substitute_for.choices = [("", _("Nobody: a walk-in"))] + [
        (str(r.id), r.participant.full_name) for r in expected if r.is_active]
    response = act(lambda: services.record_walk_in(
        current_user, session, form.full_name.data, form.affiliation.data, form.position.data, form.phone.data,
        clock_now(), cooperative_id=cooperative.id if cooperative else None,
        substitute_for_id=parse_id(form.substitute_for.data)), form=form, answer=_confirmation)
    if response:
        return response
    search = " ".join(request.args.get("q", "").split())[:100]
    return render_template("attendance/walk_in.html", event=event, session=session, form=form,
                           cooperative=cooperative, search=search,
                           found=search_cooperatives(search, actor=current_actor()) if cooperative is None else [],
                           suggestions=queries.affiliation_suggestions(event.id)), 400 if form.errors else 200


@bp.get("/organiser/events/<int:event_id>/attendance/<int:session_id>/daftar-hadir.pdf")
@roles(*STAFF_ROLES)
def attendance_sheet_pdf(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    return Response(exports.attendance_sheet_pdf(event, session), mimetype=PDF_MIMETYPE, headers={
        "Content-Disposition": f'inline; filename="daftar-hadir-{event.id}-{session.id}.pdf"'})


@bp.get("/organiser/events/<int:event_id>/attendance.<kind>")
@roles(*STAFF_ROLES)
def export(event_id: int, kind: str):
    event = load_or_404(Event, event_id, current_actor())
    if kind not in ("csv", "xlsx"):
        abort(404)
    log_access(current_user, AccessKind.EXPORT, "attendance", event=event,
               row_count=count_rows(queries.export_query(event.id, [s.id for s in event.sessions])))
    header, rows = exports.table(event)
    return spreadsheets.download(kind, header, rows, title=_("Attendance"), filename=f"attendance-{event.id}",
                                 separator_name=request.args.get("separator"))


def _ticket_with_check_in_or_404(token: str):
    """The registration whose ticket page has ``token``, if that page shows a check-in QR code."""
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    if registration is None or not shows_check_in(registration):
        abort(404)
    return registration


@bp.get("/tickets/<token>/check-in.<kind>")
@public
def ticket_qr(token: str, kind: str):
    """The ticket's check-in QR code to save on the phone, as an image or a PDF: the door may have
    no signal. The ticket's random token is the key, as for the ticket page."""
    if kind not in ("png", "pdf"):
        abort(404)
    registration = _ticket_with_check_in_or_404(token)
    body, mimetype = ((qr_png(services.check_in_url(registration), scale=10), "image/png") if kind == "png"
                      else (exports.ticket_qr_pdf(registration), PDF_MIMETYPE))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="tiket-{registration.check_in_code}.{kind}"'})


@bp.get("/check-in/<token>")
@public
def check_in(token: str):
    """What a phone's camera opens from the ticket's QR code. An organiser sees who it is and
    today's session with one large button that posts the check-in (opening a link marks nobody:
    a forwarded link or a link preview changes nothing); anyone else is shown the ticket."""
    try:
        registration = services.registration_for_token(token)
    except RuleViolation as violation:
        if not is_staff(current_actor()):
            abort(404)
        return render_error(404, violation.message)
    if not is_staff(current_actor()):
        return redirect(url_for("registrations.ticket", token=registration.token))
    now = clock_now()
    current = services.current_session(registration.event, now)
    return render_template("attendance/check_in_confirm.html", registration=registration, token=token,
                           event=registration.event, today=now, running=current is not None,
                           has_seat=registration.status in ATTENDING_STATUSES,
                           sessions=[current] if current else services.sessions_today(registration.event, now))


@bp.post("/check-in/<token>")
@roles(*STAFF_ROLES)
def check_in_session(token: str):
    try:
        registration = services.registration_for_token(token)
    except RuleViolation as violation:
        return render_error(404, violation.message)
    session = db.session.get(EventSession, parse_id(request.form.get("session_id")) or 0)
    if session is None or session.event_id != registration.event_id:
        abort(404)
    outcome = attempt(lambda: services.check_in_at_door(current_user, registration, session, clock_now()))
    if not outcome.ok:
        return _confirmation(None, outcome.violation.message, registration)
    return _confirmation(outcome.result)


# -- the offline sheet: its service worker and manifest -------------------------------------------

SCOPE = "/organiser/"
SERVICE_WORKER = Path(__file__).resolve().parent.parent.parent / "static" / "js" / "attendance-sw.js"


@bp.get("/attendance-sw.js")
@public
def service_worker():
    """The sheet's service worker at one stable URL outside /static/ (whose URLs carry a
    fingerprint and are kept a year): a browser checks it for updates on every visit, so it is
    never cached. The sheet registers it for the organiser's pages (``SCOPE``); it answers only
    for the sheets and the static files, the rest goes to the network as without it."""
    response = Response(SERVICE_WORKER.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/attendance.webmanifest")
@public
def manifest():
    """The installable sheet: added to the home screen, it opens the organiser's events."""
    body = {"name": _("Portal Koperasi: attendance"), "short_name": _("Attendance"),
            "start_url": url_for("events.manage_index"), "scope": SCOPE, "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#0d6efd",
            "icons": [{"src": url_for("static", filename="img/favicon.svg"), "sizes": "any",
                       "type": "image/svg+xml"}]}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


# -- self check-in: the door's rotating code and the participant's page --------------------------


def _door_url(event: Event, session: EventSession) -> str:
    return url_for("attendance.door", event_id=event.id, session_id=session.id)


@bp.get("/organiser/events/<int:event_id>/attendance/<int:session_id>/door")
@roles(*STAFF_ROLES)
def door(event_id: int, session_id: int):
    """The organiser's laptop at the door: the rotating code (static/js/door.js fetches the page
    again every 30 seconds), the switch, and the self check-ins waiting for confirmation."""
    event, session = _event_and_session(event_id, session_id)
    now = clock_now()
    code = self_check_in.door_code(session, now)
    link = external_url("attendance.self_check_in_page", session_id=session.id, w=code.window, s=code.signature)
    return render_template("attendance/door.html", event=event, session=session, link=link,
                           open_now=self_check_in.in_window(session, now),
                           waiting=self_check_in.awaiting_confirmation(session))


@bp.post("/organiser/events/<int:event_id>/attendance/<int:session_id>/door/self-check-in")
@roles(*STAFF_ROLES)
def toggle_self_check_in(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    enabled = request.form.get("enabled") == "1"
    return act(lambda: self_check_in.set_enabled(current_user, session, enabled),
               done=_("Self check-in is open for this session.") if enabled
               else _("Self check-in is closed for this session."), then=_door_url(event, session))


@bp.post("/organiser/events/<int:event_id>/attendance/<int:session_id>/door/<int:record_id>/confirm")
@roles(*STAFF_ROLES)
def confirm_self_check_in(event_id: int, session_id: int, record_id: int):
    event, session = _event_and_session(event_id, session_id)
    return act(lambda: self_check_in.confirm(current_user, session, record_id, clock_now()),
               done=_("Self check-in confirmed."), then=_door_url(event, session))


@bp.post("/organiser/events/<int:event_id>/attendance/<int:session_id>/door/<int:record_id>/undo")
@roles(*STAFF_ROLES)
def undo_self_check_in(event_id: int, session_id: int, record_id: int):
    event, session = _event_and_session(event_id, session_id)
    return act(lambda: self_check_in.undo(current_user, session, record_id),
               done=_("Self check-in undone."), then=_door_url(event, session))


@bp.route("/self-check-in/<int:session_id>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SELF_CHECK_IN_RATE_LIMIT"], methods=["POST"], scope="self-check-in")
def self_check_in_page(session_id: int):
    """What a participant's phone opens from the door's code: their ticket code, then a large
    answer. The code's minute and signature travel with the form; nothing is marked on opening."""
    session = db.session.get(EventSession, session_id)
    if session is None or not session.self_check_in:
        abort(404)
    window, signature = request.values.get("w", ""), request.values.get("s", "")
    form = CheckInCodeForm()
    if not form.validate_on_submit():
        return render_template("attendance/self_check_in.html", session=session, event=session.event, form=form,
                               window=window, signature=signature), 400 if form.errors else 200
    outcome = attempt(lambda: self_check_in.check_in_self(session, window, signature, form.code.data, clock_now()))
    return render_template("attendance/self_checked_in.html", session=session, event=session.event,
                           record=outcome.result if outcome.ok else None,
                           error=None if outcome.ok else outcome.violation.message), 200 if outcome.ok else 409


@bp.post("/tickets/<token>/self-check-in/<int:session_id>")
@public
@limiter.limit(lambda: current_app.config["SELF_CHECK_IN_RATE_LIMIT"], scope="self-check-in")
def ticket_self_check_in(token: str, session_id: int):
    """"Saya hadir" on the participant's own ticket page, during the session's self check-in."""
    registration = _ticket_with_check_in_or_404(token)
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != registration.event_id:
        abort(404)
    with office_in_use(registration.event.office):
        outcome = attempt(lambda: self_check_in.check_in_from_ticket(session, registration, clock_now()))
        return render_template("attendance/self_checked_in.html", session=session, event=session.event,
                               record=outcome.result if outcome.ok else None,
                               error=None if outcome.ok else outcome.violation.message,
                               ticket_url=url_for("registrations.ticket", token=token)), 200 if outcome.ok else 409


# -- the door role: a volunteer's link for one event's check-ins ----------------------------------


@bp.route("/organiser/events/<int:event_id>/door-passes", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def door_passes_page(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    form = DoorPassForm()
    response = act(lambda: door_passes.create_pass(current_user, event, form.name.data, clock_now()), form=form,
                   done=_("Door link created: send it to the person at the door."),
                   then=url_for("attendance.door_passes_page", event_id=event.id))
    if response:
        return response
    return render_template("attendance/door_passes.html", event=event, form=form, now=clock_now(),
                           passes=door_passes.passes_of(event), pass_url=door_passes.pass_url), \
        400 if form.errors else 200


@bp.post("/organiser/events/<int:event_id>/door-passes/<int:pass_id>/revoke")
@roles(*STAFF_ROLES)
def revoke_door_pass(event_id: int, pass_id: int):
    event = load_or_404(Event, event_id, current_actor())
    door_pass = load_or_404(DoorPass, pass_id, current_actor())
    if door_pass.event_id != event.id:
        abort(404)
    return act(lambda: door_passes.revoke_pass(current_user, door_pass, clock_now()),
               done=_("Door link revoked."), then=url_for("attendance.door_passes_page", event_id=event.id))


def _door_pass_or_404(token: str) -> DoorPass:
    door_pass = door_passes.pass_for_token(token, clock_now())
    if door_pass is None:
        abort(404)
    return door_pass


@bp.get("/door/<token>")
@public
def door_pass_home(token: str):
    """A door pass's start: the event's sessions. The signed link is the key (no login)."""
    door_pass = _door_pass_or_404(token)
    return render_template("attendance/door_pass_home.html", door_pass=door_pass, token=token,
                           event=db.session.get(Event, door_pass.event_id))


@bp.route("/door/<token>/<int:session_id>", methods=["GET", "POST"])
@public
def door_pass_sheet(token: str, session_id: int):
    """The pass's sheet: everyone expected with one button to check them in, and the ticket code."""
    door_pass = _door_pass_or_404(token)
    session = door_passes.session_of(door_pass, session_id)
    if session is None:
        abort(404)
    form = CheckInCodeForm(formdata=None)  # its CSRF field: the app's CSRFProtect checks every POST
    if request.method == "POST":
        code = request.form.get("code", "").strip() or None
        registration_id = parse_id(request.form.get("registration_id"))
        outcome = attempt(lambda: door_passes.check_in(door_pass, session, clock_now(),
                                                       registration_id=registration_id, code=code))
        if outcome.ok:
            flash(_("%(name)s checked in.", name=outcome.result.registration.participant.full_name), "success")
        else:
            flash(outcome.violation.message, "danger")
        return redirect(url_for("attendance.door_pass_sheet", token=token, session_id=session.id))
    rows, counts = queries.sheet(door_pass.event_id, session.id)
    return render_template("attendance/door_pass_sheet.html", door_pass=door_pass, event=session.event,
                           session=session, rows=rows, counts=counts, token=token, form=form)
