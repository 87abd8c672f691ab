from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form
from portal.registrations.models import ParticipantPosition, RegistrationStatus

STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.REJECTED: _l("Not approved"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.WALK_IN: _l("Walk-in"),
}
POSITION_LABELS = {
    ParticipantPosition.BOARD: _l("Board member"),
    ParticipantPosition.STAFF: _l("Staff"),
    ParticipantPosition.MEMBER: _l("Member"),
}


class SignUpForm(Form):
    """Shape only: the people chosen come from checkboxes, checked by the service."""

    full_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    position = SelectField(_l("Position"), choices=[(p.value, label) for p, label in POSITION_LABELS.items()],
                           default=ParticipantPosition.STAFF.value)
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])

    def new_person(self) -> dict:
        """The person typed in (perhaps nobody), as the sign-up services take them."""
        return {"full_name": self.full_name.data, "position": self.position.data, "email": self.email.data,
                "phone": self.phone.data}


class GuestForm(Form):
    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organisation_name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])
