from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form
from portal.privacy.models import DataRequestKind
from portal.registrations.models import ParticipantPosition, Sex


class RevokeForm(Form):
    reason = StringField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=500)])


class CodeForm(Form):
    """The public check's form: a code as printed on a certificate."""

    class Meta:
        csrf = False

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=20)])


class DataRequestForm(Form):
    kind = RadioField(_l("What do you ask for?"), choices=DataRequestKind.choices(), validators=[DataRequired()])
    details = TextAreaField(_l("Details (what should be corrected, and how)"),
                            validators=[Optional(), Length(max=1000)])


class DataRequestAnswerForm(Form):
    answer = TextAreaField(_l("Answer to the person (required when refusing)"),
                           validators=[Optional(), Length(max=1000)])


class PersonCorrectionForm(DataRequestAnswerForm):
    """The organiser's corrected details of the person a correction request is about."""

    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    position = SelectField(_l("Position"), choices=ParticipantPosition.choices())
    sex = SelectField(_l("Sex (optional)"), choices=Sex.choices(_l("Not stated")), validators=[Optional()])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])

    def details(self) -> dict:
        return {"full_name": self.full_name.data, "position": self.position.data, "sex": self.sex.data or None,
                "email": self.email.data, "phone": self.phone.data}
