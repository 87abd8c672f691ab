"""A person's own data (UU 27/2022): what the office keeps about a participant, their requests for
correction or erasure, and the organisers' answers within the statutory time.

Due: ``DATA_REQUEST_HOURS`` (72, the 3 x 24 hours the law gives the controller) after the request.
An erasure blanks the person's name and contacts (``retention.anonymise_participant``): their
registrations and attendance rows stay, so the office's counts hold. A certificate already issued
keeps the name printed on it while it is valid, so it stays verifiable by code; a revoked one loses
the name at once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.attendance.models import AttendanceRecord
from portal.audit.services import record_change
from portal.certificates.models import Certificate
from portal.errors import RuleViolation
from portal.events.models import Event
from portal.extensions import db
from portal.mail.services import external_url, queue_email
from portal.offices.context import office_in_use
from portal.privacy.models import DataRequest, DataRequestKind, DataRequestStatus
from portal.registrations.models import Participant, Registration
from portal.registrations.participants import correct_participant, person_details
from portal.registrations.retention import ANONYMISED_NAME, anonymise_participant
from portal.seams import PERSONAL_DATA_ERASERS, registered


@dataclass
class KeptData:
    """Everything the office keeps about one participant, as the person is shown it."""

    participant: Participant
    registrations: list  # (Registration, Event title, marks recorded)
    certificates: list[Certificate]
    requests: list[DataRequest]


def kept_about(participant: Participant) -> KeptData:
    marks = (select(func.count()).select_from(AttendanceRecord)
             .where(AttendanceRecord.registration_id == Registration.id).scalar_subquery())
    rows = db.session.execute(select(Registration, Event.title, marks).join(Event, Event.id == Registration.event_id)
                              .where(Registration.participant_id == participant.id)
                              .order_by(Event.starts_on.desc())).all()
    certificates = list(db.session.scalars(select(Certificate).join(Registration).where(
        Registration.participant_id == participant.id).order_by(Certificate.issued_at)))
    requests = list(db.session.scalars(select(DataRequest).where(DataRequest.participant_id == participant.id)
                                       .order_by(DataRequest.created_at.desc())))
    return KeptData(participant, [tuple(row) for row in rows], certificates, requests)


def office_of(participant: Participant) -> int:
    """The office that answers: the office of the person's latest event."""
    return db.session.scalar(select(Event.office_id).join(Registration, Registration.event_id == Event.id).where(
        Registration.participant_id == participant.id).order_by(Event.starts_on.desc()).limit(1))


def request_about(actor, participant: Participant, kind: DataRequestKind, details: str | None,
                  now: datetime) -> DataRequest:
    """A request about ``participant`` (by the person through their ticket: ``actor`` None; or by a
    board member of their cooperative), due within the statutory time; the person is told."""
    if participant.anonymised_at is not None:
        raise RuleViolation(None, _("This person's data has already been erased."))
    if kind == DataRequestKind.CORRECTION and not (details or "").strip():
        raise RuleViolation("details", _("Say what should be corrected."))
    request = DataRequest(office_id=office_of(participant), participant_id=participant.id, kind=kind,
                          details=(details or "").strip() or None, reply_email=participant.email,
                          person_label=participant.full_name, requested_by_id=actor.id if actor else None,
                          created_at=now, due_at=now + timedelta(hours=current_app.config["DATA_REQUEST_HOURS"]))
    db.session.add(request)
    db.session.flush()
    record_change(actor, "privacy.request_made", request, None, {"kind": kind.value}, office_id=request.office_id)
    _tell(request, participant, received=True)
    return request


def decide_request(actor, request: DataRequest, grant: bool, answer: str | None, now: datetime) -> DataRequest:
    """The organiser's answer. Granting an erasure erases (see the module); granting a correction
    says it was made (the organiser corrects the person in the usual pages). The person is told."""
    if request.status != DataRequestStatus.OPEN:
        raise RuleViolation(None, _("This request has already been answered."))
    if not grant and not (answer or "").strip():
        raise RuleViolation("answer", _("Give the reason for refusing."))
    participant = db.session.get(Participant, request.participant_id) if request.participant_id else None
    request.status = DataRequestStatus.DONE if grant else DataRequestStatus.REFUSED
    request.answer = (answer or "").strip()[:1000] or None
    request.decided_at, request.decided_by_id = now, actor.id
    record_change(actor, "privacy.request_decided", request, None,
                  {"status": request.status.value, "answer": request.answer}, office_id=request.office_id)
    if participant is not None:
        _tell(request, participant, received=False)
        if grant and request.kind == DataRequestKind.ERASURE:
            erase(actor, participant, now)
            request.person_label, request.reply_email = ANONYMISED_NAME, None
    return request


def apply_correction(actor, request: DataRequest, details: dict, answer: str | None, now: datetime) -> DataRequest:
    """Granting a correction in one step: the organiser's corrected details (``full_name``,
    ``position``, ``sex``, ``email``, ``phone``) replace the person's, checked as a person entered
    anywhere is, audited with what they were; then the request is done and the person told."""
    if request.kind != DataRequestKind.CORRECTION:
        raise RuleViolation(None, _("Only a correction request changes the person's details."))
    if request.status != DataRequestStatus.OPEN:
        raise RuleViolation(None, _("This request has already been answered."))
    participant = db.session.get(Participant, request.participant_id) if request.participant_id else None
    if participant is None or participant.anonymised_at is not None:
        raise RuleViolation(None, _("This person's data has already been erased."))
    before = correct_participant(actor, participant, **details)
    record_change(actor, "privacy.corrected", participant, before, person_details(participant),
                  office_id=request.office_id)
    request.person_label = participant.full_name
    return decide_request(actor, request, True, answer, now)


def erase(actor, participant: Participant, now: datetime) -> None:
    """Blank the person; revoked certificates lose the name, valid ones keep it while valid."""
    anonymise_participant(participant, now)
    for _name, eraser in registered(PERSONAL_DATA_ERASERS):
        eraser(participant, now)
    db.session.execute(update(Certificate).where(
        Certificate.registration_id.in_(select(Registration.id).where(Registration.participant_id == participant.id)),
        Certificate.revoked_at.is_not(None)).values(full_name=ANONYMISED_NAME)
        .execution_options(synchronize_session=False))
    record_change(actor, "privacy.erased", participant, None, {"anonymised_at": now.isoformat()})


SUBJECTS = {True: _l("We received your personal data request"), False: _l("Your personal data request was answered")}


def _tell(request: DataRequest, participant: Participant, received: bool) -> None:
    if not request.reply_email:
        return
    from portal.offices.context import get_office

    with office_in_use(get_office(request.office_id)):
        queue_email(request.reply_email, "certificates/email/data_request_to_participant", SUBJECTS[received],
                    to_name=participant.full_name,
                    key=f"data-request:{request.id}:{'received' if received else 'answered'}",
                    request=request, received=received, recipient_name=participant.full_name,
                    erased=request.kind == DataRequestKind.ERASURE and request.status == DataRequestStatus.DONE,
                    notice_link=external_url("privacy.office_notice", office_id=request.office_id))


def people_query(cooperative_id: int):
    """The cooperative's people whose data is still kept, by name: the board's way to each one's page."""
    return (select(Participant).where(Participant.cooperative_id == cooperative_id, Participant.anonymised_at.is_(None))
            .order_by(Participant.full_name, Participant.id))


def requests_query(reader):
    """The requests of the offices ``reader`` reads: open ones first, soonest due first."""
    from portal.offices.scope import scoped

    return scoped(select(DataRequest), DataRequest, reader).order_by(
        (DataRequest.status != DataRequestStatus.OPEN), DataRequest.due_at, DataRequest.id)
