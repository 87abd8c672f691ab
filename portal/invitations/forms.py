from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.cooperatives.models import CooperativeStatus, CooperativeType
from portal.forms import Form, NewPersonForm, parse_ids
from portal.invitations.models import (
    NAMES_OWED,
    NAMES_OWED_LABEL,
    NO_ANSWER,
    NO_ANSWER_LABEL,
    OFFICE_CHANNELS,
    Delivery,
    InvitationAnswer,
)
from portal.invitations.selection import BY_FILTER, BY_HAND, Selection
from portal.registrations.models import ParticipantPosition


class IdListField(Field):
    """Ids from repeated inputs (checkboxes of hand-picked cooperatives); anything else is dropped."""

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self.data = parse_ids(valuelist)

    def process_data(self, value):
        self.data = list(value or [])


class ChooseForm(Form):
    """Who to invite: read from the query string (the preview), then posted back unchanged."""

    mode = RadioField(_l("Choose the cooperatives"), choices=[(BY_FILTER, _l("By filter")), (BY_HAND, _l("By hand"))],
                      default=BY_FILTER)
    district_ids = SelectMultipleField(_l("Districts"), coerce=int, validators=[Optional()],
                                       description=_l("None chosen: every district."))
    types = SelectMultipleField(_l("Types"), choices=CooperativeType.choices(),
                                validators=[Optional()], description=_l("None chosen: every type."))
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=CooperativeStatus.choices(_l("Active and inactive")))
    not_invited = BooleanField(_l("Only cooperatives not invited yet"), default=True)
    without_registration = BooleanField(_l("Only cooperatives without any registration this year"))
    cooperative_id = IdListField()
    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=100)])

    def set_districts(self, districts) -> None:
        self.district_ids.choices = [(district.id, district.name) for district in districts]

    def selection(self) -> Selection:
        """What was chosen; values that are not among the choices (a tampered form) are dropped."""
        districts = {district_id for district_id, _name in self.district_ids.choices or []}
        types = {t.value for t in CooperativeType}
        statuses = {s.value for s in CooperativeStatus}
        return Selection(
            mode=self.mode.data if self.mode.data in (BY_FILTER, BY_HAND) else BY_FILTER,
            district_ids=[i for i in self.district_ids.data or [] if i in districts],
            types=[CooperativeType(value) for value in self.types.data or [] if value in types],
            status=CooperativeStatus(self.status.data) if self.status.data in statuses else None,
            not_invited=bool(self.not_invited.data),
            without_registration_this_year=bool(self.without_registration.data),
            cooperative_ids=list(self.cooperative_id.data or []))

    def is_chosen(self) -> bool:
        """Something to preview: a filter (even an empty one) or at least one picked cooperative."""
        return self.mode.data == BY_FILTER or bool(self.cooperative_id.data)


def parse_organisations(text: str | None) -> list[tuple[str, str]]:
    """'Bank NTT Cabang Oelamasi, kredit@bankntt.example' per line, or 'Name <address>'."""
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.endswith(">") and "<" in line:
            name, _sep, address = line[:-1].rpartition("<")
        else:
            name, _sep, address = line.rpartition(",")
        name, address = name.strip(" ,"), address.strip()
        try:
            address = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(_l("Write “name, email address” on this line: %(line)s", line=line)) from None
        if not name:
            raise ValidationError(_l("Write “name, email address” on this line: %(line)s", line=line))
        found.append((name, address))
    return found


class SendForm(ChooseForm):
    """The preview's button: the choice again (hidden), organisations and what to bring."""

    organisations = TextAreaField(_l("Outside organisations (optional)"), validators=[Optional(), Length(max=5000)],
                                  description=_l("One per line: name, email address. For example: Bank NTT Cabang "
                                                 "Oelamasi, kredit@bankntt.co.id"))
    what_to_bring = TextAreaField(_l("What to bring (optional)"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Shown in the invitation, for example: the latest RAT report, "
                                                 "a laptop."))

    def validate_organisations(self, field) -> None:
        parse_organisations(field.data)

    def organisation_list(self) -> list[tuple[str, str]]:
        return parse_organisations(self.organisations.data)


class AcceptForm(Form):
    attendee_names = TextAreaField(_l("Who will come? One name per line."), validators=[Optional(), Length(max=5000)])
    attendee_count = IntegerField(_l("Names not known yet? How many will come"), validators=[Optional()],
                                  description=_l("The names can be given later, until registration closes."))


class OfficeAnswerForm(AcceptForm):
    """An answer the office received by phone, WhatsApp, letter or in person, recorded for the invitee."""

    answer = RadioField(_l("Answer"), choices=InvitationAnswer.choices(), validators=[DataRequired()])
    channel = SelectField(_l("Received by"), choices=[(c.value, c.label) for c in OFFICE_CHANNELS],
                          validators=[DataRequired()])
    answered_by_name = StringField(_l("Who answered"), validators=[DataRequired(), Length(max=120)],
                                   description=_l("For example: Ibu Maria Tefa, chair"))
    answered_on = DateField(_l("Answered on"), validators=[Optional()], description=_l("Empty: today"))
    answered_time = TimeField(_l("At"), validators=[Optional()], description=_l("Empty: now"))
    reason = TextAreaField(_l("Reason for declining (optional)"), validators=[Optional(), Length(max=500)])


class ParticipantsForm(NewPersonForm):
    """The people an accepting cooperative names through its link; the service checks those ticked."""

    position = SelectField(_l("Position"), choices=ParticipantPosition.choices(),
                           default=ParticipantPosition.STAFF.value)


class DeclineForm(Form):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class TrackingFilterForm(Form):
    """The invitations tab's filters, from the query string."""

    delivery = SelectField(_l("Delivery"), validators=[Optional()], choices=Delivery.choices(_l("Any delivery")))
    answer = SelectField(_l("Answer"), validators=[Optional()], choices=[
        *InvitationAnswer.choices(_l("Any answer")), (NO_ANSWER, NO_ANSWER_LABEL), (NAMES_OWED, NAMES_OWED_LABEL)])
    # A district's id, chosen from a list, or its name, typed in where there are too many to list.
    district_id = StringField(_l("District"), validators=[Optional(), Length(max=80)])
    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=100)])
