"""The evaluation's message after the event, through the outbox: each participant with an address
who has not answered gets their personal link, once (the key is the survey and the registration)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.mail.services import external_url, queue_email
from portal.offices.context import in_office_of
from portal.registrations.models import ATTENDING_STATUSES, Participant, Registration
from portal.surveys.models import Survey, SurveyAnswered

SUBJECT = _l("Evaluation: %(title)s")


@in_office_of(lambda survey: survey.event.office)
def send_survey_links(survey: Survey) -> int:
    """Queue the link for everyone expected at the event with an email who has not answered;
    returns how many were addressed (a second call queues nothing new for them)."""
    from portal.surveys.services import answer_token

    answered = select(SurveyAnswered.registration_id).where(SurveyAnswered.survey_id == survey.id)
    registrations = db.session.scalars(
        select(Registration).join(Participant, Participant.id == Registration.participant_id)
        .options(joinedload(Registration.participant))
        .where(Registration.event_id == survey.event_id, Registration.status.in_(ATTENDING_STATUSES),
               Participant.email.is_not(None), Registration.id.not_in(answered))).all()
    event = survey.event
    for registration in registrations:
        person = registration.participant
        queue_email(person.email, "surveys/email/link_to_participant", SUBJECT, subject_values={"title": event.title},
                    to_name=person.full_name, language="id", key=f"survey-link:{survey.id}:{registration.id}",
                    concerns=("survey", survey.id), reply_to=event.contact_email, event=event,
                    recipient_name=person.full_name,
                    link=external_url("surveys.answer", token=answer_token(registration)))
    return len(registrations)
