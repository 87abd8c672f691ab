from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form
from portal.privacy.models import DataRequestKind


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
