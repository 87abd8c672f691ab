"""The evaluation's rules: an office's template, opening an event's survey, who may answer
(one answer per registration, through its personal token or its ticket code) and storing an
answer without the person when the survey is anonymous."""

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record_change, snapshot
from portal.errors import RuleViolation
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.offices.scope import may_change
from portal.registrations.models import ATTENDING_STATUSES, Registration
from portal.registrations.tickets import normalise_code
from portal.surveys import models
from portal.surveys.models import Survey, SurveyAnswered, SurveyRating, SurveyResponse, SurveyTemplate

SALT = "survey-answer"
MAX_RATINGS = 8
MAX_TOPICS = 12
TEMPLATE_FIELDS = ["ratings", "topics_question", "topics", "comment_question"]


# -- the office's template ----------------------------------------------------------------------


def template_for(office_id: int) -> SurveyTemplate:
    """The office's template, or (not stored) the default one."""
    found = db.session.get(SurveyTemplate, office_id)
    return found or SurveyTemplate(office_id=office_id, ratings=list(models.DEFAULT_RATINGS),
                                   topics_question=models.DEFAULT_TOPICS_QUESTION,
                                   topics=list(models.DEFAULT_TOPICS),
                                   comment_question=models.DEFAULT_COMMENT_QUESTION)


def _lines(text: str | list[str]) -> list[str]:
    lines = text if isinstance(text, list) else (text or "").splitlines()
    return [line.strip()[:200] for line in lines if line.strip()]


def save_template(actor, office_id: int, values: dict) -> SurveyTemplate:
    """Change what the office asks next time: 1 to 8 ratings, up to 12 topics."""
    if not may_change(actor, office_id):
        raise RuleViolation(None, _("You may not change this office's evaluation form."))
    ratings, topics = _lines(values["ratings"]), _lines(values["topics"])
    if not 1 <= len(ratings) <= MAX_RATINGS:
        raise RuleViolation("ratings", _("Write between 1 and %(n)d questions to rate, one a line.", n=MAX_RATINGS))
    if len(topics) > MAX_TOPICS:
        raise RuleViolation("topics", _("Write at most %(n)d topics, one a line.", n=MAX_TOPICS))
    template = template_for(office_id)
    before = snapshot(template, TEMPLATE_FIELDS) if template in db.session else None
    template.ratings, template.topics = ratings, topics
    template.topics_question = values["topics_question"].strip()
    template.comment_question = values["comment_question"].strip()
    db.session.add(template)
    db.session.flush()
    record_change(actor, "survey_template.update", template, before, snapshot(template, TEMPLATE_FIELDS),
                  office_id=office_id)
    return template


# -- an event's survey --------------------------------------------------------------------------


def survey_of(event_id: int) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.event_id == event_id))


def open_survey(actor, event: Event, *, is_anonymous: bool = True) -> Survey:
    """The event's evaluation form, copied from its office's template."""
    if event.status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        raise RuleViolation(None, _("An evaluation opens for a published or completed event only."))
    if survey_of(event.id) is not None:
        raise RuleViolation(None, _("This event already has its evaluation form."))
    template = template_for(event.office_id)
    survey = Survey(event_id=event.id, ratings=list(template.ratings), topics_question=template.topics_question,
                    topics=list(template.topics), comment_question=template.comment_question,
                    is_anonymous=is_anonymous)
    db.session.add(survey)
    db.session.flush()
    record_change(actor, "survey.open", survey, after={"is_anonymous": is_anonymous})
    return survey


def send_links(actor, survey: Survey) -> int:
    """Email the personal link to those expected at the event who have not answered (once each)."""
    from portal.surveys.emails import send_survey_links

    if not survey.is_open:
        raise RuleViolation(None, _("The evaluation of this event is not open."))
    count = send_survey_links(survey)
    record_change(actor, "survey.send_links", survey, after={"addressed": count})
    return count


def set_open(actor, survey: Survey, is_open: bool) -> Survey:
    survey.is_open = is_open
    db.session.flush()
    record_change(actor, "survey.open" if is_open else "survey.close", survey)
    return survey


# -- who answers ----------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def answer_token(registration: Registration) -> str:
    """The personal link's token: the signed registration id (no row to keep per person)."""
    return _serializer().dumps(registration.id)


def registration_for_token(token: str) -> Registration:
    try:
        registration_id = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        registration_id = None
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if registration is None:
        raise RuleViolation(None, _("This evaluation link is not valid."))
    return registration


def has_answered(survey: Survey, registration: Registration) -> bool:
    return db.session.get(SurveyAnswered, (survey.id, registration.id)) is not None


def check_may_answer(survey: Survey | None, registration: Registration, field: str | None = None) -> Survey:
    """Refuse when the survey is not open or this registration has answered it already."""
    if survey is None or not survey.is_open:
        raise RuleViolation(field, _("The evaluation of this event is not open."))
    if registration.event_id != survey.event_id or registration.status not in ATTENDING_STATUSES:
        raise RuleViolation(field, _("This ticket may not answer this evaluation."))
    if has_answered(survey, registration):
        raise RuleViolation(field, _("This ticket has already answered the evaluation. Thank you."))
    return survey


def registration_for_code(event: Event, code: str | None) -> Registration:
    """The registration a typed ticket code names, on the page the printed QR code opens; a code
    of no ticket of this event, or of one that has answered, is refused."""
    typed = normalise_code(code)
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.check_in_code == typed)) if typed else None
    if registration is None:
        raise RuleViolation("code", _("No ticket of this event has the code %(code)s.", code=typed or "—"))
    check_may_answer(survey_of(event.id), registration, "code")
    return registration


def submit_answer(registration: Registration, values: dict, today: date) -> SurveyResponse:
    """Store one answer: every rating 1-5, chosen topics among the survey's, a free text. The
    registration is marked as having answered; the answer keeps it only on a named survey."""
    survey = check_may_answer(survey_of(registration.event_id), registration)
    ratings = values.get("ratings") or []
    if len(ratings) != len(survey.ratings):
        raise RuleViolation(None, _("Give every question a rating from 1 to 5."))
    for position, value in enumerate(ratings):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise RuleViolation(f"rating_{position}", _("Choose a rating from 1 to 5."))
    topics = [topic for topic in values.get("topics") or [] if topic in survey.topics]
    response = SurveyResponse(survey_id=survey.id, topics=topics,
                              other_topic=(values.get("other_topic") or "").strip()[:200] or None,
                              comment=(values.get("comment") or "").strip()[:4000] or None, submitted_on=today,
                              registration_id=None if survey.is_anonymous else registration.id,
                              ratings=[SurveyRating(position=position, value=value)
                                       for position, value in enumerate(ratings)])
    db.session.add(SurveyAnswered(survey_id=survey.id, registration_id=registration.id))
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # Two tabs sent the same answer at once: the key kept one.
        raise RuleViolation(None, _("This ticket has already answered the evaluation. Thank you.")) from None
    return response
