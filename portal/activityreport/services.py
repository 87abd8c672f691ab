"""The laporan kegiatan's rules: its texts, queueing a build (refused, saying what is missing,
for an event nobody has attended yet), and the worker's pass that builds the queued jobs.

A job is taken by a conditional update (only one worker wins it) and marked ``building`` with the
time it was taken; a worker that dies leaves it so, and once ``LEASE`` has passed any worker
takes it again. The clock is the caller's (the worker's pass gives ``now``)."""

import hashlib
import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from portal.activityreport.content import has_attendance, report_pdf
from portal.activityreport.models import JobState, ReportJob, ReportTexts, SessionSheetScan
from portal.activityreport.word import DOCX_MIMETYPE, report_docx
from portal.audit.services import record_change
from portal.errors import RuleViolation
from portal.events.models import Event, EventSession
from portal.extensions import db
from portal.files.models import StoredFile
from portal.files.services import store_upload
from portal.i18n import to_local
from portal.offices.scope import may_change

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
TEXT_FIELDS = ("background", "legal_basis", "purpose", "conclusion")


def check_writable(actor, event: Event) -> None:
    if not may_change(actor, event.office_id):
        raise RuleViolation(None, _("You may not change this event's report."))


def texts_of(event_id: int) -> ReportTexts | None:
    return db.session.get(ReportTexts, event_id)


def save_texts(actor, event: Event, values: dict) -> ReportTexts:
    texts = texts_of(event.id)
    if texts is None:
        texts = ReportTexts(event_id=event.id)
        db.session.add(texts)
    for field in TEXT_FIELDS:
        setattr(texts, field, (values.get(field) or "").strip())
    db.session.flush()
    return texts


def missing(event: Event) -> list[str]:
    """What the report lacks before it can be built: said on the page instead of queueing it."""
    found = []
    if not event.sessions:
        found.append(_("The event has no sessions."))
    if not has_attendance(event.id):
        found.append(_("No attendance has been marked yet: mark who came before making the report."))
    return found


def scan_of(session_id: int) -> SessionSheetScan | None:
    return db.session.get(SessionSheetScan, session_id)


def scans_of(sessions) -> dict[int, SessionSheetScan]:
    ids = [s.id for s in sessions]
    only_names = joinedload(SessionSheetScan.file).load_only(StoredFile.id, StoredFile.filename, StoredFile.size)
    return {scan.session_id: scan for scan in db.session.scalars(
        select(SessionSheetScan).where(SessionSheetScan.session_id.in_(ids)).options(only_names))}


def upload_scan(actor, session: EventSession, filename: str | None, data: bytes) -> SessionSheetScan:
    """Keep the signed daftar hadir of ``session`` (PDF, JPEG or PNG, checked and cleaned by the
    stored files), replacing an earlier scan; refused on ``scan`` and nothing kept otherwise."""
    check_writable(actor, session.event)
    stored = store_upload(actor, filename or "daftar-hadir", data, "scan")
    scan = scan_of(session.id)
    if scan is None:
        scan = SessionSheetScan(session_id=session.id, file_id=stored.id)
        db.session.add(scan)
    else:
        db.session.delete(scan.file)
        scan.file_id = stored.id
    scan.uploaded_by_id, scan.file = actor.id if actor else None, stored
    db.session.flush()
    record_change(actor, "activity_report.scan_upload", session.event,
                  after={"session": session.id, "scan": scan.file.filename})
    return scan


def latest_job(event_id: int) -> ReportJob | None:
    return db.session.scalar(select(ReportJob).where(ReportJob.event_id == event_id)
                             .order_by(ReportJob.id.desc()).limit(1))


def request_report(actor, event: Event) -> ReportJob:
    if lacking := missing(event):
        raise RuleViolation(None, " ".join(lacking))
    job = latest_job(event.id)
    if job is not None and job.pending:
        return job
    job = ReportJob(event_id=event.id, requested_by_id=actor.id, state=JobState.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def _take(job_id: int, now: datetime, lease: timedelta) -> bool:
    taken = db.session.execute(
        update(ReportJob).where(ReportJob.id == job_id, or_(
            ReportJob.state == JobState.QUEUED,
            and_(ReportJob.state == JobState.BUILDING, ReportJob.taken_at < now - lease)))
        .values(state=JobState.BUILDING, taken_at=now, attempts=ReportJob.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1


def _due(now: datetime, lease: timedelta) -> list[int]:
    return list(db.session.scalars(select(ReportJob.id).where(or_(
        ReportJob.state == JobState.QUEUED,
        and_(ReportJob.state == JobState.BUILDING, ReportJob.taken_at < now - lease))).order_by(ReportJob.id)))


def _store(job: ReportJob, filename: str, content_type: str, data: bytes) -> StoredFile:
    stored = StoredFile(filename=filename, content_type=content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by_id=job.requested_by_id)
    db.session.add(stored)
    return stored


def build_one(job: ReportJob, now: datetime) -> None:
    event = job.event
    pdf = _store(job, f"laporan-kegiatan-{event.id}.pdf", "application/pdf",
                 report_pdf(event, day=to_local(now).date()))
    docx = _store(job, f"laporan-kegiatan-{event.id}.docx", DOCX_MIMETYPE, report_docx(event, day=to_local(now).date()))
    db.session.flush()
    job.file_id, job.docx_file_id, job.state, job.finished_at, job.error = pdf.id, docx.id, JobState.READY, now, None


def build_pending(now: datetime, lease: timedelta = LEASE) -> int:
    """The worker's pass: build every queued job (and any left building past ``lease``), each in
    its own transaction; a failure is kept on the job and tried again up to ``MAX_ATTEMPTS``."""
    built = 0
    for job_id in _due(now, lease):
        if not _take(job_id, now, lease):
            continue
        job = db.session.get(ReportJob, job_id)
        try:
            build_one(job, now)
            db.session.commit()
            built += 1
        except Exception as error:  # noqa: BLE001 - kept on the job, shown on the page
            db.session.rollback()
            log.exception("activity report job %s failed", job_id)
            job = db.session.get(ReportJob, job_id)
            job.error = repr(error)[:500]
            job.state = JobState.FAILED if job.attempts >= MAX_ATTEMPTS else JobState.QUEUED
            job.finished_at = now if job.state == JobState.FAILED else None
            db.session.commit()
    return built
