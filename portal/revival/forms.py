from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import Form
from portal.revival.models import ContactChannel


class RatForm(Form):
    book_year = IntegerField(_l("Book year"), validators=[DataRequired()],
                             description=_l("The RAT for book year 2025 is held in early 2026."))
    is_held = BooleanField(_l("The RAT was held"), default=True)
    held_on = DateField(_l("Date of the RAT"), validators=[Optional()])
    members_present = IntegerField(_l("Members present"), validators=[Optional(), NumberRange(min=0)])
    members_total = IntegerField(_l("Members in all"), validators=[Optional(), NumberRange(min=1)])
    place = StringField(_l("Where"), validators=[Optional(), Length(max=200)])
    is_reported_to_ods = BooleanField(_l("Reported to ODS (the ministry's online data system)"))
    document = FileField(_l("Berita acara or RAT report (PDF, JPEG or PNG)"))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "book_year", "is_held", "held_on", "members_present", "members_total", "place", "is_reported_to_ods")}

    def upload(self) -> tuple[str, bytes] | None:
        data = self.document.data
        if data is None or not getattr(data, "filename", None):
            return None
        return data.filename, data.read()


class ContactForm(Form):
    channel = SelectField(_l("How"), choices=ContactChannel.choices())
    contacted_on = DateField(_l("Date"), validators=[DataRequired()])
    person = StringField(_l("Spoke with"), validators=[Optional(), Length(max=120)])
    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(), Length(max=2000)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=255)])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "channel", "contacted_on", "person", "outcome", "next_step", "next_step_due")}


class RatImportForm(Form):
    file = FileField(_l("Spreadsheet (CSV or XLSX)"), validators=[FileRequired()],
                     description=_l("Columns: Nomor Badan Hukum; Nama Koperasi; Tahun Buku; Tanggal RAT; "
                                    "Jumlah Anggota Hadir; Jumlah Anggota; Lapor ODS (Ya/Tidak)."))
    dry_run = BooleanField(_l("Preview only: change nothing"))
