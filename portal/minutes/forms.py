from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form
from portal.minutes.models import FollowUpOwner, FollowUpStatus, SpeakerRole


class SpeakerForm(Form):
    role = SelectField(_l("Role"), choices=SpeakerRole.choices())
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    institution = StringField(_l("Institution"), validators=[Optional(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("role", "name", "institution", "topic")}


class AgendaForm(Form):
    title = StringField(_l("Agenda point"), validators=[DataRequired(), Length(max=200)])
    notes = TextAreaField(_l("What was said"), validators=[Optional(), Length(max=20000)])

    def values(self) -> dict:
        return {"title": self.title.data, "notes": self.notes.data}


class FollowUpForm(Form):
    decision = TextAreaField(_l("Decision"), validators=[DataRequired(), Length(max=2000)])
    action = StringField(_l("Follow-up action"), validators=[DataRequired(), Length(max=300)])
    owner_kind = SelectField(_l("Who follows it up"), choices=FollowUpOwner.choices())
    cooperative_id = HiddenField()
    owner_name = StringField(_l("Person or section"), validators=[Optional(), Length(max=120)])
    due_on = DateField(_l("Due date"), validators=[DataRequired()])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "decision", "action", "owner_kind", "cooperative_id", "owner_name", "due_on")}


class FollowUpEditForm(FollowUpForm):
    status = SelectField(_l("Status"), choices=FollowUpStatus.choices())

    def values(self) -> dict:
        return super().values() | {"status": self.status.data}


class FollowUpStatusForm(Form):
    status = SelectField(_l("Status"), choices=FollowUpStatus.choices())


class PhotoForm(Form):
    photo = FileField(_l("Photo (JPEG, PNG or HEIC)"))
    caption = StringField(_l("Caption"), validators=[DataRequired(), Length(max=300)])

    def upload(self) -> tuple[str | None, bytes]:
        data = self.photo.data
        if data is None or not getattr(data, "filename", None):
            return None, b""
        return data.filename, data.read()
