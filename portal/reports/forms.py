from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from portal.forms import Form
from portal.reports.turnout import Stage


class TurnoutFilterForm(Form):
    """The filters of "which cooperatives came", from the query string."""

    stage = SelectField(_l("Stage"), validators=[Optional()], choices=Stage.choices(_l("Any stage")))
    # A district's id, chosen from a list, or its name, typed in where there are too many to list.
    district_id = StringField(_l("District"), validators=[Optional(), Length(max=80)])
