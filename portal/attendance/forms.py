from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.accounts.validators import PhoneNumber
from portal.forms import Form
from portal.registrations.models import ParticipantPosition


class CheckInCodeForm(Form):
    code = StringField(_l("Ticket code"), validators=[DataRequired(), Length(max=12)])


class WalkInForm(Form):
    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    affiliation = StringField(_l("Cooperative or organisation"), validators=[DataRequired(), Length(max=200)],
                              description=_l("A cooperative's name as in the registry, or the organisation "
                                             "the person comes from."))
    position = SelectField(_l("Position"), choices=ParticipantPosition.choices(),
                           default=ParticipantPosition.STAFF.value)
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), PhoneNumber()])
