from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.api.models import ApiScope
from portal.forms import Form


class ApiTokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("What it is for, e.g. the province's dashboard."))
    scopes = SelectMultipleField(_l("Permissions"), choices=ApiScope.choices(),
                                 validators=[DataRequired(message=_l("Choose at least one permission."))],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
