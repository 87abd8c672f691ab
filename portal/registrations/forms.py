from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form, NewPersonForm
from portal.registrations.models import ParticipantPosition


class SignUpForm(NewPersonForm):
    """Shape only: the people chosen come from checkboxes, checked by the service."""

    position = SelectField(_l("Position"), choices=ParticipantPosition.choices(),
                           default=ParticipantPosition.STAFF.value)


class GuestForm(Form):
    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organisation_name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])


class RegistrationFilterForm(Form):
    """The registrations tab's district filter, from the query string: a district's id chosen
    from a list, or its name typed in where there are too many to list."""

    district_id = StringField(_l("District"), validators=[Optional(), Length(max=80)])

