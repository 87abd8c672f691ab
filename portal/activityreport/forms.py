from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form


class ReportTextsForm(Form):
    background = TextAreaField(_l("Background"), validators=[Optional(), Length(max=10000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=10000)])
    purpose = TextAreaField(_l("Purpose and objectives"), validators=[Optional(), Length(max=10000)])
    conclusion = TextAreaField(_l("Conclusions and recommendations"), validators=[Optional(), Length(max=10000)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("background", "legal_basis", "purpose", "conclusion")}


class TransportAmountForm(Form):
    amount = StringField(_l("Transport allowance per person (Rp)"), validators=[DataRequired(), Length(max=30)])


class SheetScanForm(Form):
    scan = FileField(_l("Signed attendance sheet (PDF, JPEG or PNG)"))

    def upload(self) -> tuple[str | None, bytes]:
        data = self.scan.data
        if data is None or not getattr(data, "filename", None):
            return None, b""
        return data.filename, data.read()
