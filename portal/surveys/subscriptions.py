"""How the evaluation plugs into the capabilities before it: a training's survey opens when it is
completed; its personal link goes in the certificate email and on the ticket page; the last
session's daftar hadir prints the QR code of the page that asks for the ticket code."""

from flask_babel import lazy_gettext as _l

from portal.events.models import Event
from portal.events.signals import event_completed
from portal.mail.services import external_url
from portal.privacy.services import RetentionRule
from portal.registrations.models import ATTENDING_STATUSES
from portal.registrations.tickets import TicketPart
from portal.seams import CERTIFICATE_EMAIL_LINKS, RETENTION_RULES, TICKET_PARTS, register
from portal.surveys import retention, services

LINK_LABEL = _l("Fill in the evaluation of the event")


def on_event_completed(event: Event, **_kwargs) -> None:
    if event.kind.is_training and services.survey_of(event.id) is None:
        services.open_survey(None, event)


def answer_url(registration) -> str:
    return external_url("surveys.answer", token=services.answer_token(registration))


def certificate_email_link(registration):
    survey = services.survey_of(registration.event_id)
    if survey is None or not survey.is_open or services.has_answered(survey, registration):
        return None
    return str(LINK_LABEL), answer_url(registration)


def survey_code_url(event: Event) -> str:
    """The printed QR code's address: the event's, the same for everyone."""
    return external_url("surveys.by_code", uid=event.uid_token)


TICKET_PART = TicketPart(page_template="surveys/_ticket.html",
                         applies=lambda registration: registration.status in ATTENDING_STATUSES)


def register_subscriptions(app) -> None:
    event_completed.connect(on_event_completed, weak=False)
    register(app, CERTIFICATE_EMAIL_LINKS, certificate_email_link)
    register(app, TICKET_PARTS, TICKET_PART)
    register(app, RETENTION_RULES, RetentionRule("surveys.answers", "survey_days", retention.forget_answers))
    app.jinja_env.globals.update(survey_of=services.survey_of, survey_answer_url=answer_url,
                                 survey_code_url=survey_code_url, survey_answered=services.has_answered)
