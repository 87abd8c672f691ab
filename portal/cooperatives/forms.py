from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from portal.accounts.services import normalise_phone
from portal.cooperatives.models import BoardPosition, CooperativeStatus, CooperativeType
from portal.forms import Form

TYPE_LABELS = {
    CooperativeType.SAVINGS_AND_LOAN: _l("Savings and loan (KSP)"),
    CooperativeType.CONSUMER: _l("Consumer"),
    CooperativeType.PRODUCER: _l("Producer"),
    CooperativeType.MARKETING: _l("Marketing"),
    CooperativeType.SERVICES: _l("Services"),
    CooperativeType.MULTI_PURPOSE: _l("Multi-purpose (KSU)"),
}
STATUS_LABELS = {CooperativeStatus.ACTIVE: _l("Active"), CooperativeStatus.INACTIVE: _l("Inactive")}
POSITION_LABELS = {
    BoardPosition.CHAIR: _l("Chair (Ketua)"),
    BoardPosition.SECRETARY: _l("Secretary (Sekretaris)"),
    BoardPosition.TREASURER: _l("Treasurer (Bendahara)"),
    BoardPosition.SUPERVISOR: _l("Supervisor (Pengawas)"),
}
SORT_CHOICES = [("name", _l("Name")), ("district", _l("District")), ("members", _l("Most members")),
                ("rat", _l("Latest annual meeting"))]


def _choices(labels, blank=None):
    return ([("", blank)] if blank else []) + [(key.value, label) for key, label in labels.items()]


class PhoneNumber:
    """A possible Indonesian number; the field's data becomes its +62 form."""

    def __call__(self, form, field):
        try:
            field.data = normalise_phone(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a phone number such as 0812 3456 7890.")) from None


class DirectoryFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Name or legal number"), validators=[Optional(), Length(max=100)])
    district = SelectField(_l("District"), coerce=str, validators=[Optional()], validate_choice=False)
    type = SelectField(_l("Type"), choices=_choices(TYPE_LABELS, _l("All types")), validators=[Optional()])
    status = SelectField(_l("Status"), choices=_choices(STATUS_LABELS, _l("All")), validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, validators=[Optional()])


class CooperativeForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    legal_number = StringField(_l("Legal-entity number"), validators=[DataRequired(), Length(max=80)])
    legal_date = DateField(_l("Legal-entity date"), validators=[Optional()])
    nik = StringField(_l("Cooperative identity number (NIK)"), validators=[Optional(), Length(max=40)])
    type = SelectField(_l("Type"), choices=_choices(TYPE_LABELS))
    district_id = SelectField(_l("District"), coerce=int)
    village = StringField(_l("Village"), validators=[Optional(), Length(max=120)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    member_count = IntegerField(_l("Members"), validators=[Optional(), NumberRange(min=0)])
    last_rat_year = IntegerField(_l("Year of the last annual members meeting (RAT)"), validators=[Optional()])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), PhoneNumber()])


class StatusForm(Form):
    status = SelectField(_l("Status"), choices=_choices(STATUS_LABELS))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=255)])
    effective_date = DateField(_l("Since"), validators=[DataRequired()])


class ContactsForm(Form):
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), PhoneNumber()])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])


class BoardMemberForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    position = SelectField(_l("Position"), choices=_choices(POSITION_LABELS))
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), PhoneNumber()])


class BoardSignupForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(), PhoneNumber()])
    position = SelectField(_l("Your position"), choices=_choices(POSITION_LABELS))
    legal_number = StringField(_l("The cooperative's legal-entity number"),
                               validators=[DataRequired(), Length(max=80)],
                               description=_l("As written on the deed, e.g. 375/BH/XXIV/1989."))
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))])


class DecisionForm(Form):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=255)])


class ImportUploadForm(Form):
    file = FileField(_l("Spreadsheet (CSV or XLSX)"), validators=[FileRequired()])
