"""The base form, whose WTForms messages (which ship no Indonesian) go through our catalogue, and
the pieces several capabilities' forms share. A capability's own ``forms.py`` is for its views
alone: what another capability's forms need lives here or with the data it reads."""

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional

from portal.inputs import INT_MAX, INT_MIN

# WTForms' built-in messages that our forms can show, listed so extraction puts them in our
# catalogue where they are translated with everything else.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field cannot be longer than %(max)d character."),
    _l("Field cannot be longer than %(max)d characters."),
    _l("Field must be at least %(min)d character long."),
    _l("Field must be at least %(min)d characters long."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Not a valid choice."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid URL."),
    _l("File does not have an approved extension: {extensions}"),
)


class _BabelTranslations:
    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        # Each form is its own msgid: Indonesian has no plural and English needs no catalogue.
        return gettext(singular if n == 1 else plural)


# Every character Python (and mail headers, and calendar files) takes for the end of a line.
LINE_BREAK = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _odd_input_error(field) -> str | None:
    """What every form refuses whatever its own validators say: a line break in a single-line
    field (a title that ends up in a mail header or a calendar line) and a number beyond the
    database's INTEGER."""
    single_line = isinstance(field, StringField) and not isinstance(field, TextAreaField)
    if single_line and isinstance(field.data, str) and LINE_BREAK.search(field.data):
        return gettext("This field must stay on one line, without line breaks.")
    if isinstance(field, IntegerField) and isinstance(field.data, int) and not INT_MIN <= field.data <= INT_MAX:
        return gettext("This number is outside the range the portal accepts.")
    return None


class Form(FlaskForm):
    """The portal's base form: WTForms' messages in our catalogue, and odd input (line breaks in
    single-line fields, numbers beyond the columns' range) refused beside its field for every form."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _BabelTranslations()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            error = _odd_input_error(field)
            if error is not None:
                field.errors = [*field.errors, error]
                valid = False
        return valid


class NewPersonForm(Form):
    """Someone typed in beside the people ticked in a list (the sign-up forms of registrations and
    invitations); every field is optional, as the list may be enough. A subclass adds ``position``
    with its capability's choices."""

    full_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])

    def new_person(self) -> dict:
        """The person typed in (perhaps nobody), as the sign-up services take them."""
        return {"full_name": self.full_name.data, "position": self.position.data, "email": self.email.data,
                "phone": self.phone.data}


def parse_id(value: str | None) -> int | None:
    """A row id typed or posted as text: ASCII digits only ("²" is a digit to Python) within the
    database's INTEGER, or None."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= len(str(INT_MAX)) and int(value) <= INT_MAX:
        return int(value)
    return None


def parse_ids(values) -> list[int]:
    """The ids among ``values``, once each, in order; anything else is dropped."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))
