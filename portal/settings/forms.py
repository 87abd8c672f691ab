from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form


class OfficeSettingsForm(Form):
    office_name = StringField(_l("Office name"), validators=[DataRequired(), Length(max=200)])
    parent_body = StringField(_l("Government (letterhead first line)"), validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[DataRequired(), Length(max=500)])
    city = StringField(_l("City on letters"), validators=[DataRequired(), Length(max=80)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    logo = FileField(_l("Logo (PNG or JPEG, at most 1 MB)"), validators=[FileAllowed(["png", "jpg", "jpeg"])])
    signatory_name = StringField(_l("Signatory name"), validators=[DataRequired(), Length(max=120)])
    signatory_title = StringField(_l("Signatory title"), validators=[DataRequired(), Length(max=200)])
    signatory_nip = StringField(_l("Signatory NIP"), validators=[Optional(), Length(max=25)])
    signature_image = FileField(_l("Signature (PNG with a transparent background)"),
                                description=_l("Placed above the signatory's name on letters and certificates."))
    remove_signature_image = BooleanField(_l("Remove the signature"))
    stamp_image = FileField(_l("Office stamp (PNG with a transparent background)"),
                            description=_l("Placed over the left edge of the signature."))
    remove_stamp_image = BooleanField(_l("Remove the stamp"))
    letter_number_pattern = StringField(
        _l("Letter number pattern"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Use {seq:03d} for the running number, {roman_month}, {month} and {year}."),
    )

    def marks(self) -> dict:
        """New signature or stamp bytes, or False for one to remove."""
        found = {}
        for name in ("signature_image", "stamp_image"):
            upload = getattr(self, name).data
            if upload is not None and getattr(upload, "filename", None):
                found[name] = upload.read()
            elif getattr(self, f"remove_{name}").data:
                found[name] = False
        return found
