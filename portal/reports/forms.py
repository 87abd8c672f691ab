from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from portal.cooperatives.models import CooperativeStatus, CooperativeType
from portal.cooperatives.services import SORTS
from portal.events.models import ProgramArea
from portal.forms import Form
from portal.invitations.models import NAMES_OWED, NO_ANSWER, Delivery, InvitationAnswer
from portal.reports.turnout import Stage


class TurnoutFilterForm(Form):
    """The filters of "which cooperatives came", from the query string."""

    stage = SelectField(_l("Stage"), validators=[Optional()], choices=Stage.choices(_l("Any stage")))
    # A district's id, chosen from a list, or its name, typed in where there are too many to list.
    district_id = StringField(_l("District"), validators=[Optional(), Length(max=80)])


class ReportFilterForm(Form):
    """The filters of a report, from the query string: a year, or a date range that wins over it;
    a district (chosen or typed), a cooperative type, a programme area."""

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    begins = DateField(_l("From"), validators=[Optional()])
    ends = DateField(_l("Until"), validators=[Optional()])
    district_id = StringField(_l("District"), validators=[Optional(), Length(max=80)])
    cooperative_type = SelectField(_l("Type"), validators=[Optional()],
                                   choices=CooperativeType.choices(_l("All types")))
    program_area = SelectField(_l("Programme area"), validators=[Optional()],
                               choices=ProgramArea.choices(_l("All programme areas")))

    def validate_ends(self, field):
        if field.data and self.begins.data and field.data < self.begins.data:
            raise ValidationError(_l("The end comes before the start."))


class DirectoryExportForm(Form):
    """The directory page's filters (its query string), for its export: a bad value is ignored."""

    q = StringField(validators=[Optional(), Length(max=100)])
    district = StringField(validators=[Optional(), Length(max=80)])
    type = SelectField(choices=CooperativeType.choices(""), validators=[Optional()])
    status = SelectField(choices=CooperativeStatus.choices(""), validators=[Optional()])
    sort = SelectField(choices=[(key, key) for key in SORTS], validators=[Optional()])


class TrackingExportForm(Form):
    """The invitations tab's filters (its query string), for its export."""

    delivery = SelectField(choices=Delivery.choices(""), validators=[Optional()])
    answer = SelectField(choices=[*InvitationAnswer.choices(""), (NO_ANSWER, ""), (NAMES_OWED, "")],
                         validators=[Optional()])
    district_id = StringField(validators=[Optional(), Length(max=80)])
    q = StringField(validators=[Optional(), Length(max=100)])
