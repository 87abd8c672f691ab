from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.forms import Form


class RevokeForm(Form):
    reason = StringField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=500)])


class CodeForm(Form):
    """The public check's form: a code as printed on a certificate."""

    class Meta:
        csrf = False

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=20)])
