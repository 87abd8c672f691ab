from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from portal.cooperatives.models import CooperativeType
from portal.events.models import Audience, AudienceStatus, EventKind, EventStatus, ProgramArea
from portal.events.services import EventDetails, local_parts
from portal.forms import Form


def parse_month(text: str | None) -> date | None:
    """'2022-12' as its first day; anything else (or a year no one plans for) as None."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 1900 <= year <= 2200 else None
    except ValueError:
        return None


def _int_or_none(value):
    """'' is no choice; anything that is not a number is a choice that is not on the list."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class SessionForm(Form):
    day = DateField(_l("Date"), validators=[DataRequired()])
    starts = TimeField(_l("Starts"), validators=[DataRequired()])
    ends = TimeField(_l("Ends"), validators=[DataRequired()])
    venue_id = SelectField(_l("Venue"), coerce=_int_or_none, validators=[DataRequired()])

    def set_venues(self, venues) -> None:
        self.venue_id.choices = [("", _l("Choose a venue"))] + [
            (venue.id, f"{venue.name} ({venue.district.name})") for venue in venues]

    def fill_from(self, session) -> None:
        self.day.data, self.starts.data = local_parts(session.starts_at)
        self.ends.data = local_parts(session.ends_at)[1]
        self.venue_id.data = session.venue_id


class EventForm(Form):
    kind = SelectField(_l("Kind"), choices=EventKind.choices())
    program_area = SelectField(_l("Program area"), choices=ProgramArea.choices(_l("— (meetings)")),
                               validators=[Optional()], description=_l("Trainings only."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)],
                                description=_l("Plain text; line breaks are kept."))
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    facilitator = StringField(_l("Facilitator"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=20)])
    contact_email = EmailField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)],
                               description=_l("Replies to the event's emails go here."))
    seats = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=100_000)])
    seats_per_cooperative = IntegerField(_l("Seats per cooperative"),
                                         validators=[Optional(), NumberRange(min=1, max=100_000)],
                                         description=_l("Leave empty for no limit."))
    registration_opens_on = DateField(_l("Registration opens (date)"), validators=[Optional()])
    registration_opens_time = TimeField(_l("Registration opens (time)"), validators=[Optional()])
    registration_closes_on = DateField(_l("Registration closes (date)"), validators=[Optional()],
                                       description=_l("Empty: open until the first session starts."))
    registration_closes_time = TimeField(_l("Registration closes (time)"), validators=[Optional()])
    cancellation_deadline_on = DateField(_l("Sign-ups can be cancelled until (date)"), validators=[Optional()])
    cancellation_deadline_time = TimeField(_l("Sign-ups can be cancelled until (time)"), validators=[Optional()])
    audience = SelectField(_l("Who may take part"), choices=Audience.choices())
    audience_status = SelectField(_l("Cooperative status"), choices=AudienceStatus.choices(),
                                  default=AudienceStatus.ANY.value)
    district_ids = SelectMultipleField(_l("Districts"), coerce=_int_or_none, validators=[Optional()],
                                       description=_l("None chosen: every district."))
    cooperative_types = SelectMultipleField(_l("Cooperative types"), choices=CooperativeType.choices(),
                                            validators=[Optional()], description=_l("None chosen: every type."))
    requires_approval = BooleanField(_l("Sign-ups need an organiser's approval"))
    min_sessions_for_certificate = IntegerField(_l("Sessions attended for a certificate"),
                                                validators=[Optional(), NumberRange(min=0, max=100)],
                                                description=_l("Trainings only."))
    reminder_days = StringField(_l("Reminders (days before the first session)"),
                                validators=[Optional(), Length(max=40),
                                            Regexp(r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$",
                                                   message=_l("Whole numbers of days separated by commas, "
                                                              "for example 3, 1."))],
                                default="3, 1", description=_l("For example 3, 1. Leave empty for no reminders."))

    def set_districts(self, districts) -> None:
        self.district_ids.choices = [(district.id, district.name) for district in districts]

    def fill_from(self, event) -> None:
        for name in ("title", "description", "starts_on", "ends_on", "facilitator", "contact_name", "contact_phone",
                     "contact_email", "seats", "seats_per_cooperative", "requires_approval",
                     "min_sessions_for_certificate"):
            getattr(self, name).data = getattr(event, name)
        self.reminder_days.data = ", ".join(str(day) for day in event.reminder_days)
        self.kind.data = event.kind.value
        self.program_area.data = event.program_area.value if event.program_area else ""
        self.audience.data = event.audience.value
        self.audience_status.data = event.audience_status.value
        self.district_ids.data = [district.id for district in event.audience_districts]
        self.cooperative_types.data = [t.value for t in event.audience_types]
        for prefix in ("registration_opens", "registration_closes", "cancellation_deadline"):
            day, clock = local_parts(getattr(event, f"{prefix}_at"))
            getattr(self, f"{prefix}_on").data = day
            getattr(self, f"{prefix}_time").data = clock

    def details(self) -> EventDetails:
        return EventDetails(
            kind=EventKind(self.kind.data),
            program_area=ProgramArea(self.program_area.data) if self.program_area.data else None,
            title=self.title.data,
            description=self.description.data or "",
            facilitator=self.facilitator.data,
            contact_name=self.contact_name.data,
            contact_phone=self.contact_phone.data,
            contact_email=self.contact_email.data,
            seats=self.seats.data,
            seats_per_cooperative=self.seats_per_cooperative.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            registration_opens_on=self.registration_opens_on.data,
            registration_opens_time=self.registration_opens_time.data,
            registration_closes_on=self.registration_closes_on.data,
            registration_closes_time=self.registration_closes_time.data,
            cancellation_deadline_on=self.cancellation_deadline_on.data,
            cancellation_deadline_time=self.cancellation_deadline_time.data,
            audience=Audience(self.audience.data),
            audience_status=AudienceStatus(self.audience_status.data),
            district_ids=list(self.district_ids.data or []),
            cooperative_types=[CooperativeType(t) for t in self.cooperative_types.data or []],
            requires_approval=self.requires_approval.data,
            min_sessions_for_certificate=self.min_sessions_for_certificate.data,
            reminder_days=[int(day) for day in (self.reminder_days.data or "").split(",") if day.strip()],
        )


class NewEventForm(EventForm, SessionForm):
    """Creating an event asks for its first session too; more are added on the edit page."""


class CancelForm(Form):
    reason = TextAreaField(_l("Reason for the cancellation"), validators=[DataRequired(), Length(max=500)])


class DuplicateForm(Form):
    shift_days = IntegerField(_l("Move the copy by (days)"), default=0,
                              validators=[Optional(), NumberRange(min=-3660, max=3660)],
                              description=_l("0 keeps the same dates; 7 moves every session a week later."))


class VenueForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)])
    district_id = SelectField(_l("District"), coerce=_int_or_none, validators=[DataRequired()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100_000)])

    def set_districts(self, districts) -> None:
        self.district_id.choices = [("", _l("Choose a district"))] + [(d.id, d.name) for d in districts]


class GuestOrganisationForm(Form):
    organisation_name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])


class EventFilterForm(Form):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=EventKind.choices(_l("All")), validators=[Optional()])
    area = SelectField(_l("Program area"), choices=ProgramArea.choices(_l("All")), validators=[Optional()])
    # A district's id, chosen from a list, or its name, typed in where there are too many to list.
    district = StringField(_l("District"), validators=[Optional(), Length(max=80)])
    month = StringField(_l("Month"), validators=[Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])


class OrganiserFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=EventStatus.choices(_l("All")), validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
