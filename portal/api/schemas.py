"""What the API reads and answers, as marshmallow schemas: flask-smorest validates requests with
them and writes the OpenAPI document from them."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from portal.api.cursor import DEFAULT_LIMIT, MAX_LIMIT
from portal.attendance.models import AttendanceMark, MarkSource
from portal.cooperatives.models import CooperativeStatus, CooperativeType
from portal.events.models import EventKind, EventStatus, ProgramArea
from portal.registrations.models import ParticipantPosition, RegistrationStatus


class Query(Schema):
    class Meta:
        unknown = EXCLUDE


class PageQuery(Query):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500),
                           metadata={"description": "The next_cursor of the previous page."})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


class EventQuery(PageQuery):
    status = fields.Enum(EventStatus, by_value=True, load_default=None)
    kind = fields.Enum(EventKind, by_value=True, load_default=None)
    program_area = fields.Enum(ProgramArea, by_value=True, load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=120),
                      metadata={"description": "Part of the title."})


class CooperativeQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=120),
                      metadata={"description": "Part of the name, or the start of the legal number."})
    district_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    type = fields.Enum(CooperativeType, by_value=True, load_default=None)
    status = fields.Enum(CooperativeStatus, by_value=True, load_default=None)


class RegistrationQuery(PageQuery):
    status = fields.Enum(RegistrationStatus, by_value=True, load_default=None)
    district_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    q = fields.String(load_default=None, validate=validate.Length(max=120))


class AttendanceQuery(PageQuery):
    session_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))


class CertificateQuery(PageQuery):
    event_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    revoked = fields.Boolean(load_default=None)


class VenueSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    district = fields.Function(lambda venue: venue.district.name)


class SessionSchema(Schema):
    id = fields.Integer()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    venue = fields.Nested(VenueSchema)


class EventSchema(Schema):
    id = fields.Integer()
    office_id = fields.Integer()
    kind = fields.Enum(EventKind, by_value=True)
    program_area = fields.Enum(ProgramArea, by_value=True, allow_none=True)
    title = fields.String()
    status = fields.Enum(EventStatus, by_value=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    seats = fields.Integer()
    requires_approval = fields.Boolean()
    sessions = fields.List(fields.Nested(SessionSchema))


class CooperativeSchema(Schema):
    id = fields.Integer()
    office_id = fields.Integer()
    name = fields.String()
    legal_number = fields.String()
    legal_date = fields.Date(allow_none=True)
    nik = fields.String(allow_none=True)
    type = fields.Enum(CooperativeType, by_value=True)
    status = fields.Enum(CooperativeStatus, by_value=True)
    district_id = fields.Integer()
    district = fields.Function(lambda cooperative: cooperative.district.name)
    village = fields.String(allow_none=True)
    member_count = fields.Integer(allow_none=True)
    last_rat_year = fields.Integer(allow_none=True)


class ParticipantSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()
    position = fields.Enum(ParticipantPosition, by_value=True)
    cooperative_id = fields.Integer(allow_none=True)
    organisation_name = fields.String(allow_none=True)


class RegistrationSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    status = fields.Enum(RegistrationStatus, by_value=True)
    cooperative_id = fields.Integer(allow_none=True)
    participant = fields.Nested(ParticipantSchema)
    created_at = fields.AwareDateTime()
    confirmed_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)


class AttendanceSchema(Schema):
    id = fields.Integer()
    registration_id = fields.Integer()
    session_id = fields.Integer()
    mark = fields.Enum(AttendanceMark, by_value=True)
    source = fields.Enum(MarkSource, by_value=True)
    arrived_at = fields.AwareDateTime(allow_none=True)
    marked_at = fields.AwareDateTime()


class CertificateSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    registration_id = fields.Integer()
    code = fields.String()
    full_name = fields.String()
    affiliation = fields.String()
    sessions_attended = fields.Integer()
    issued_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)


def page_of(item_schema):
    """The envelope of a list: its items and the cursor of the next page (null on the last)."""
    return type(f"{item_schema.__name__.removesuffix('Schema')}PageSchema", (Schema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "next_cursor": fields.String(allow_none=True),
    })


EventPage = page_of(EventSchema)
CooperativePage = page_of(CooperativeSchema)
RegistrationPage = page_of(RegistrationSchema)
AttendancePage = page_of(AttendanceSchema)
CertificatePage = page_of(CertificateSchema)


class SessionCountsSchema(Schema):
    session_id = fields.Integer()
    starts_at = fields.AwareDateTime()
    present = fields.Integer()
    late = fields.Integer()
    excused = fields.Integer()
    absent = fields.Integer()
    unmarked = fields.Integer()
    total = fields.Integer()
    attended = fields.Integer()


class TurnoutSchema(Schema):
    event_id = fields.Integer()
    sessions = fields.List(fields.Nested(SessionCountsSchema))
    cooperatives_by_stage = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                        metadata={"description": "invited, declined, accepted, registered, attended"})


class MarkSchema(Schema):
    registration_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    mark = fields.Enum(AttendanceMark, by_value=True, required=True)


class CheckInSchema(Schema):
    registration_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    code = fields.String(validate=validate.Length(min=1, max=12),
                         metadata={"description": "The ticket's short check-in code, instead of registration_id."})

    @validates_schema
    def one_of(self, data, **kwargs):
        if ("registration_id" in data) == ("code" in data):
            raise ValidationError("Give registration_id or code, not both.")


class WalkInSchema(Schema):
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    affiliation = fields.String(required=True, validate=validate.Length(min=1, max=200),
                                metadata={"description": "The cooperative's exact name or the organisation."})
    position = fields.Enum(ParticipantPosition, by_value=True, load_default=ParticipantPosition.STAFF)
    phone = fields.String(load_default=None, validate=validate.Length(max=30))


class CheckInResultSchema(AttendanceSchema):
    is_new = fields.Boolean(metadata={"description": "False when the person had already been checked in."})


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict()


class ReportQuery(Query):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100),
                          metadata={"description": "A calendar year (this year when neither it nor a range is given)."})
    begins = fields.Date(load_default=None, metadata={"description": "The first day of a range (with ends)."})
    ends = fields.Date(load_default=None, metadata={"description": "The last day of a range, included."})
    district_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    cooperative_type = fields.Enum(CooperativeType, by_value=True, load_default=None)
    program_area = fields.Enum(ProgramArea, by_value=True, load_default=None)

    @validates_schema
    def one_period(self, data, **kwargs):
        if (data.get("begins") is None) != (data.get("ends") is None):
            raise ValidationError("Give begins and ends together.")
        if data.get("begins") and data["ends"] < data["begins"]:
            raise ValidationError("ends is before begins.")
        if data.get("begins") and data.get("year"):
            raise ValidationError("Give a year or a range, not both.")


class ReportTableSchema(Schema):
    title = fields.String()
    header = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw()))


class ReportSchema(Schema):
    report = fields.String()
    title = fields.String()
    begins = fields.Date()
    ends = fields.Date()
    as_of = fields.DateTime(metadata={"description": "When the figures were read (they are kept a few minutes)."})
    header = fields.List(fields.String(), metadata={"description": "The columns, in the asked language."})
    rows = fields.List(fields.List(fields.Raw()), metadata={"description": "The rows, numbers as numbers."})
    notes = fields.List(fields.String())
    second = fields.Nested(ReportTableSchema, allow_none=True,
                           metadata={"description": "The first of the tables under the first (the attendance "
                                                    "report's no-shows); also the first of ``more``."})
    more = fields.List(fields.Nested(ReportTableSchema),
                       metadata={"description": "The tables under the first, each with its title (the attendance "
                                                "report's no-shows by cooperative and attendance per session)."})
