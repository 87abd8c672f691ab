"""Survey answers past the office's period (``PrivacySettings.survey_days``, counted from the
event's last day): what a person wrote (the comment, an own topic) is blanked and a named answer
loses its link to the registration; the ratings and chosen topics stay, so results keep counting."""

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from portal.events.models import Event
from portal.extensions import db
from portal.offices.models import Office
from portal.surveys.models import Survey, SurveyResponse


def forget_answers(now: datetime, office: Office, days: int, dry_run: bool) -> int:
    cutoff = (now - timedelta(days=days)).date()
    surveys = select(Survey.id).join(Event, Event.id == Survey.event_id).where(
        Event.office_id == office.id, Event.ends_on < cutoff)
    where = (SurveyResponse.survey_id.in_(surveys),
             or_(SurveyResponse.comment.is_not(None), SurveyResponse.other_topic.is_not(None),
                 SurveyResponse.registration_id.is_not(None)))
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(SurveyResponse).where(*where)) or 0
    return db.session.execute(update(SurveyResponse).where(*where).values(
        comment=None, other_topic=None, registration_id=None).execution_options(synchronize_session=False)).rowcount
