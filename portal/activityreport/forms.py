from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import Form


class ReportTextsForm(Form):
    background = TextAreaField(_l("Background"), validators=[Optional(), Length(max=10000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=10000)])
    purpose = TextAreaField(_l("Purpose and objectives"), validators=[Optional(), Length(max=10000)])
    conclusion = TextAreaField(_l("Conclusions and recommendations"), validators=[Optional(), Length(max=10000)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("background", "legal_basis", "purpose", "conclusion")}
