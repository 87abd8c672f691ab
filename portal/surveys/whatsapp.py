"""The evaluation's personal link as a WhatsApp text: the people expected at the event who have
not answered, each with an Indonesian text carrying their own ``/evaluasi/<token>`` and a wa.me
link to their mobile (a landline or no phone: the text can still be copied)."""

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.invitations.whatsapp import whatsapp_link
from portal.mail.services import external_url
from portal.registrations.models import ATTENDING_STATUSES, Participant, Registration
from portal.surveys.models import Survey, SurveyAnswered


@dataclass
class SurveyText:
    registration: Registration
    text: str
    link: str | None  # the wa.me link; None for a landline or no phone


def unanswered_query(survey: Survey):
    """Those expected at the event who have not answered, by name; the caller paginates."""
    answered = select(SurveyAnswered.registration_id).where(SurveyAnswered.survey_id == survey.id)
    return (select(Registration).join(Participant, Participant.id == Registration.participant_id)
            .where(Registration.event_id == survey.event_id, Registration.status.in_(ATTENDING_STATUSES),
                   Registration.id.not_in(answered))
            .options(selectinload(Registration.participant), selectinload(Registration.cooperative))
            .order_by(Participant.full_name, Registration.id))


def survey_text(survey: Survey, event, registration: Registration) -> str:
    """The Indonesian text with the person's own evaluation link."""
    from portal.surveys.services import answer_token

    link = external_url("surveys.answer", token=answer_token(registration))
    with force_locale("id"):
        text = _("Hello %(name)s, thank you for taking part in %(title)s. Please fill in the evaluation "
                 "through your own link: %(link)s", name=registration.participant.full_name, title=event.title,
                 link=link)
        return f"{text} {_('Your answers are anonymous.')}" if survey.is_anonymous else text


def survey_texts(survey: Survey, event, registrations) -> list[SurveyText]:
    """Each person's text and wa.me link; no statement beyond those of the page."""
    rows = []
    for registration in registrations:
        text = survey_text(survey, event, registration)
        phone = registration.participant.phone
        rows.append(SurveyText(registration, text, whatsapp_link(text, phone) if phone else None))
    return rows
