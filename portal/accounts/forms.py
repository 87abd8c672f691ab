from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from portal.accounts.models import Role
from portal.forms import Form

STAFF_ROLE_CHOICES = [(Role.ORGANISER.value, _l("Organiser")), (Role.ADMIN.value, _l("Administrator")),
                      (Role.LEADER.value, _l("Leader (read only)"))]


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords do not match."))],
    )


class StaffUserForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)
    # Shown to administrators who manage offices; the others' staff join their own office.
    office_id = SelectField(_l("Office"), coerce=int, validators=[Optional()], validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=200)])


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(Form):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords do not match."))],
    )
