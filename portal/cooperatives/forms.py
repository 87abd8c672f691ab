from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from portal.accounts.validators import PhoneNumber
from portal.cooperatives.models import BoardPosition, CooperativeStatus, CooperativeType
from portal.forms import Form

SORT_CHOICES = [("name", _l("Name")), ("district", _l("District")), ("members", _l("Most members")),
                ("rat", _l("Latest annual meeting"))]


class DirectoryFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Name or legal number"), validators=[Optional(), Length(max=100)])
    # A district's id, chosen from a list, or its name, typed in where there are too many to list.
    district = StringField(_l("District"), validators=[Optional(), Length(max=80)])
    type = SelectField(_l("Type"), choices=CooperativeType.choices(_l("All types")), validators=[Optional()])
    status = SelectField(_l("Status"), choices=CooperativeStatus.choices(_l("All")), validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, validators=[Optional()])


class CooperativeForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    legal_number = StringField(_l("Legal-entity number"), validators=[DataRequired(), Length(max=80)])
    legal_date = DateField(_l("Legal-entity date"), validators=[Optional()])
    nik = StringField(_l("Cooperative identity number (NIK)"), validators=[Optional(), Length(max=40)])
    type = SelectField(_l("Type"), choices=CooperativeType.choices())
    district_id = SelectField(_l("District"), coerce=int)
    village = StringField(_l("Village"), validators=[Optional(), Length(max=120)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    member_count = IntegerField(_l("Members"), validators=[Optional(), NumberRange(min=0)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), PhoneNumber()])


class StatusForm(Form):
    status = SelectField(_l("Status"), choices=CooperativeStatus.choices())
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=255)])
    effective_date = DateField(_l("Since"), validators=[DataRequired()])


class ContactsForm(Form):
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), PhoneNumber()])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])


class BoardMemberForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    position = SelectField(_l("Position"), choices=BoardPosition.choices())
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), PhoneNumber()])


class BoardSignupForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(), PhoneNumber()])
    position = SelectField(_l("Your position"), choices=BoardPosition.choices())
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
