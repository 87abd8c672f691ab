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
    affiliation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                              description=_l("For someone not from a cooperative: the organisation they come "
                                             "from. A cooperative is chosen above, from the registry."))
    substitute_for = SelectField(_l("Comes instead of (optional)"), choices=[], validate_choice=False,
                                 validators=[Optional()])
    position = SelectField(_l("Position"), choices=ParticipantPosition.choices(),
                           default=ParticipantPosition.STAFF.value)
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), PhoneNumber()])


class DoorPassForm(Form):
    name = StringField(_l("Name of the person at the door"), validators=[DataRequired(), Length(max=80)])
