from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Optional

from portal.forms import Form
from portal.mail.models import MessageStatus


class OutboxFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=MessageStatus.choices(_l("All")))
    recipient = StringField(_l("Recipient"), validators=[Optional()])
    trouble = BooleanField(_l("Only failing"), validators=[Optional()])
