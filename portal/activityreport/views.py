"""The laporan kegiatan's page under the event's minutes tab: its texts, what is missing, the job's
state ("sedang dibuat") and, once the worker built it, the download. Beside it, the page of the
paperwork per session: the transport allowance sheet (PDF, XLSX) and the signed daftar hadir's scan."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.activityreport import services, transport
from portal.activityreport.forms import ReportTextsForm, SheetScanForm, TransportAmountForm
from portal.activityreport.models import JobState, ReportJob
from portal.documents.pdf import PDF_MIMETYPE
from portal.documents.spreadsheets import download as download_table
from portal.errors import RuleViolation
from portal.events.models import Event, EventSession
from portal.files.services import download as download_file
from portal.offices.scope import load_or_404
from portal.privacy.access import log_access
from portal.privacy.models import AccessKind
from portal.transactions import act

bp = Blueprint("activityreport", __name__)


def _page(event: Event, form: ReportTextsForm | None = None, status: int = 200):
    texts = services.texts_of(event.id)
    form = form or ReportTextsForm(formdata=None, obj=texts)
    return render_template("activityreport/manage.html", event=event, form=form, missing=services.missing(event),
                           job=services.latest_job(event.id), states=JobState), status


@bp.get("/organiser/events/<int:event_id>/activity-report")
@roles(*STAFF_ROLES)
def manage(event_id: int):
    return _page(load_or_404(Event, event_id, current_actor()))


@bp.post("/organiser/events/<int:event_id>/activity-report")
@roles(*STAFF_ROLES)
def request_report(event_id: int):
    event = load_or_404(Event, event_id, current_actor())
    return act(lambda: services.request_report(current_user, event),
               done=_("The activity report is being prepared; this page offers it when it is ready."),
               then=url_for("activityreport.manage", event_id=event.id))


@bp.post("/organiser/events/<int:event_id>/activity-report/texts")
@roles(*STAFF_ROLES)
def save_texts(event_id: int):
    event, form = load_or_404(Event, event_id, current_actor()), ReportTextsForm()
    return act(lambda: services.save_texts(current_user, event, form.values()), form=form,
               done=_("Report texts saved."), then=url_for("activityreport.manage", event_id=event.id)
               ) or _page(event, form, 400)


@bp.get("/organiser/activity-reports/<int:job_id>.<kind>")
@roles(*STAFF_ROLES)
def download(job_id: int, kind: str):
    job = load_or_404(ReportJob, job_id, current_actor())
    stored = {"pdf": job.file, "docx": job.docx_file}.get(kind)
    if job.state != JobState.READY or stored is None:
        abort(404)
    return download_file(stored)


def _event_and_session(event_id: int, session_id: int) -> tuple[Event, EventSession]:
    event = load_or_404(Event, event_id, current_actor())
    session = load_or_404(EventSession, session_id, current_actor())
    if session.event_id != event.id:
        abort(404)
    return event, session


def _scan_form(session_id: int, **kwargs) -> SheetScanForm:
    return SheetScanForm(prefix=f"s{session_id}", **kwargs)


def _paperwork(event: Event, amount_form=None, scan_form: tuple | None = None, status: int = 200):
    """The page of the paperwork per session; ``scan_form`` is a refused upload, ``(session id,
    form)``, shown with its error."""
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    amount = transport.amount_of(event.id)
    amount_form = amount_form or TransportAmountForm(formdata=None, data={"amount": amount})
    scan_forms = {s.id: _scan_form(s.id, formdata=None) for s in sessions}
    if scan_form is not None:
        scan_forms[scan_form[0]] = scan_form[1]
    return render_template("activityreport/paperwork.html", event=event, sessions=sessions, amount=amount,
                           amount_form=amount_form, scan_forms=scan_forms, scans=services.scans_of(sessions)), status


@bp.get("/organiser/events/<int:event_id>/paperwork")
@roles(*STAFF_ROLES)
def paperwork(event_id: int):
    return _paperwork(load_or_404(Event, event_id, current_actor()))


@bp.post("/organiser/events/<int:event_id>/paperwork/transport-amount")
@roles(*STAFF_ROLES)
def set_transport_amount(event_id: int):
    event, form = load_or_404(Event, event_id, current_actor()), TransportAmountForm()
    return act(lambda: transport.set_amount(current_user, event, form.amount.data), form=form,
               done=_("Transport allowance saved."), then=url_for("activityreport.paperwork", event_id=event.id)
               ) or _paperwork(event, amount_form=form, status=400)


def _transport_or_back(event: Event, build):
    try:
        return build()
    except RuleViolation as refusal:
        flash(refusal.message, "warning")
        return redirect(url_for("activityreport.paperwork", event_id=event.id))


@bp.get("/organiser/events/<int:event_id>/transport/<int:session_id>.pdf")
@roles(*STAFF_ROLES)
def transport_pdf(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    number = transport.session_number(event, session)
    return _transport_or_back(event, lambda: send_file(
        io.BytesIO(transport.transport_pdf(event, session)), mimetype=PDF_MIMETYPE,
        download_name=f"uang-transport-{event.id}-sesi-{number}.pdf"))


@bp.get("/organiser/events/<int:event_id>/transport/<int:session_id>.xlsx")
@roles(*STAFF_ROLES)
def transport_xlsx(event_id: int, session_id: int):
    event, session = _event_and_session(event_id, session_id)
    number = transport.session_number(event, session)

    def build():
        header, rows = transport.transport_table(event, session)
        log_access(current_user, AccessKind.EXPORT, "transport_allowance", event=event, row_count=len(rows) - 1)
        return download_table("xlsx", header, rows, title=_("Transport allowance"),
                              filename=f"uang-transport-{event.id}-sesi-{number}")
    return _transport_or_back(event, build)


@bp.post("/organiser/events/<int:event_id>/sessions/<int:session_id>/attendance-scan")
@roles(*STAFF_ROLES)
def upload_scan(event_id: int, session_id: int):
    (event, session), form = _event_and_session(event_id, session_id), _scan_form(session_id)
    filename, data = form.upload()
    return act(lambda: services.upload_scan(current_user, session, filename, data), form=form,
               done=_("Signed attendance sheet kept; the activity report attaches it."),
               then=url_for("activityreport.paperwork", event_id=event.id)
               ) or _paperwork(event, scan_form=(session.id, form), status=400)


@bp.get("/organiser/events/<int:event_id>/sessions/<int:session_id>/attendance-scan")
@roles(*STAFF_ROLES)
def download_scan(event_id: int, session_id: int):
    _event, session = _event_and_session(event_id, session_id)
    scan = services.scan_of(session.id)
    if scan is None:
        abort(404)
    return download_file(scan.file)
