"""Field validators for what accounts knows how to read, for the forms of every capability."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from portal.accounts.services import normalise_phone


class PhoneNumber:
    """A possible Indonesian number; the field's data becomes its +62 form."""

    def __call__(self, form, field):
        try:
            field.data = normalise_phone(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a phone number such as 0812 3456 7890.")) from None
