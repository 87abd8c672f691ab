from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import Form

_DAYS = [DataRequired(), NumberRange(min=1, max=3650)]


class PrivacySettingsForm(Form):
    contact_days = IntegerField(_l("Participants' names and contacts: days after their last event"), validators=_DAYS)
    walk_in_days = IntegerField(_l("Walk-ins' names: days after the event"), validators=_DAYS)
    survey_days = IntegerField(_l("Survey answers: days after the event"), validators=_DAYS)
    photo_days = IntegerField(_l("Event photos: days after the event"), validators=_DAYS)
    session_days = IntegerField(_l("Ended logins: days"), validators=_DAYS)
    notice_id = TextAreaField(_l("Privacy notice (Indonesian); empty: the standard text"),
                              validators=[Optional(), Length(max=20000)])
    notice_en = TextAreaField(_l("Privacy notice (English); empty: the standard text"),
                              validators=[Optional(), Length(max=20000)])
