from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form

ZONE_CHOICES = [("", _l("As the portal (PORTAL_TIMEZONE)")), ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
                ("Asia/Makassar", "WITA (Asia/Makassar)"), ("Asia/Jayapura", "WIT (Asia/Jayapura)")]


class OfficeForm(Form):
    """What an office covers and its zone; its letterhead is on its settings page."""

    office_name = StringField(_l("Office name"), validators=[DataRequired(), Length(max=200)])
    timezone = SelectField(_l("Time zone"), choices=ZONE_CHOICES, validators=[Optional()])
    province_id = SelectField(_l("Province office of"), coerce=lambda value: int(value) if value else None,
                              validators=[Optional()],
                              description=_l("Only for a province's office: it reads the offices under it."))
    regency_ids = SelectMultipleField(_l("Regencies covered"), coerce=int, validators=[Optional()])

    def set_places(self, provinces, regencies) -> None:
        self.province_id.choices = [("", "—")] + [(p.id, p.name) for p in provinces]
        self.regency_ids.choices = [(r.id, f"{r.name} ({r.province.name})") for r in regencies]
