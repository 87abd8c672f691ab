"""The laporan kegiatan's page under the event's minutes tab: its texts, what is missing, the job's
state ("sedang dibuat") and, once the worker built it, the download."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import current_actor, roles
from portal.accounts.models import STAFF_ROLES
from portal.activityreport import services
from portal.activityreport.forms import ReportTextsForm
from portal.activityreport.models import JobState, ReportJob
from portal.events.models import Event
from portal.files.services import download as download_file
from portal.offices.scope import load_or_404
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
