from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form, NewPersonForm
from portal.registrations.models import ParticipantPosition, Sex


class SignUpForm(NewPersonForm):
    """Shape only: the people chosen come from checkboxes, checked by the service."""

    position = SelectField(_l("Position"), choices=ParticipantPosition.choices(),
                           default=ParticipantPosition.STAFF.value)
    # Never required: government activity reports count women and men where it is known.
    sex = SelectField(_l("Sex (optional)"), choices=Sex.choices(_l("Not stated")), validators=[Optional()])

    def new_person(self) -> dict:
        return {**super().new_person(), "sex": self.sex.data or None}


class GuestForm(Form):
    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organisation_name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])


class RegistrationFilterForm(Form):
    """The registrations tab's district filter, from the query string: a district's id chosen
    from a list, or its name typed in where there are too many to list."""

    district_id = StringField(_l("District"), validators=[Optional(), Length(max=80)])

