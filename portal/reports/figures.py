"""The reports' figures: read-only aggregate queries, each a plain function that takes a
``Filters`` and the actor and returns rows (dicts), for the pages, the exports, the PDF and the
JSON API alike. Every figure is counted in the database (GROUP BY), a fixed number of statements
whatever the data size.

The words, defined once here:
- an event is *in the period* when it starts in it (``Event.starts_on``), published or completed;
- a cooperative is *reached* in a period when it was invited to, or had someone registered for,
  an event in the period (the per-event cooperative path, ``turnout.cooperative_path``);
- it *answered* when one of those invitations was answered;
- it *took part* when someone of it was marked present or late at a session of such an event.

Every row names its office (``office``): a reader of several offices (a province office, an
administrator of every office) sees them side by side; the catalogue shows the column only when
the rows hold more than one office.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, case, func, select

from portal.attendance.models import ATTENDED_MARKS, AttendanceRecord
from portal.certificates.models import Certificate
from portal.cooperatives.models import (
    BoardMember,
    BoardPosition,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    District,
)
from portal.events.models import Event, EventSession, EventStatus
from portal.extensions import db
from portal.offices.models import Office
from portal.offices.scope import readable_office_ids, scoped
from portal.registrations.models import SEAT_STATUSES, Participant, ParticipantPosition, Registration
from portal.reports.turnout import cooperative_path
from portal.revival.funnel import STAGES, inactive_at_start, stage_condition
from portal.revival.queries import cooperatives_in_scope

REPORTED_STATUSES = (EventStatus.PUBLISHED, EventStatus.COMPLETED)
NO_SHOWS_LISTED = 20


@dataclass(frozen=True)
class Filters:
    begins: date
    ends: date  # the last day, included
    district_ids: tuple[int, ...] | None = None
    cooperative_type: str | None = None
    program_area: str | None = None

    @classmethod
    def year(cls, year: int, **kwargs) -> "Filters":
        return cls(date(year, 1, 1), date(year, 12, 31), **kwargs)


def events_in(filters: Filters, actor=None):
    """The ids of the events in the period that the actor's offices run (programme area filter)."""
    query = select(Event.id).where(Event.starts_on >= filters.begins, Event.starts_on <= filters.ends,
                                   Event.status.in_(REPORTED_STATUSES))
    if filters.program_area:
        query = query.where(Event.program_area == filters.program_area)
    return scoped(query, Event, actor)


def _cooperatives(query, filters: Filters, actor=None):
    """``query`` (which joins cooperatives) narrowed to the filters' districts and type, in scope."""
    if filters.district_ids is not None:
        query = query.where(Cooperative.district_id.in_(filters.district_ids))
    if filters.cooperative_type:
        query = query.where(Cooperative.type == CooperativeType(filters.cooperative_type))
    return cooperatives_in_scope(query, actor)


def _cooperatives_filtered(filters: Filters) -> bool:
    return filters.district_ids is not None or bool(filters.cooperative_type)


def _registrations_of_filtered_cooperatives(query, filters: Filters, actor=None):
    """A registrations query kept to the filtered cooperatives' people when a district or type is
    chosen (guests of outside organisations then drop out)."""
    if not _cooperatives_filtered(filters):
        return query
    return _cooperatives(query.join(Cooperative, Cooperative.id == Registration.cooperative_id), filters, actor)


def reads_several_offices(actor=None) -> bool:
    """Whether ``actor``'s reports show their offices side by side: a reader of several offices
    (a province office, an administrator of every office where there are several). It depends on
    the reader, not on the rows, so a report's columns stay the same from one reading to the next."""
    offices = readable_office_ids(actor)
    if offices is None:
        return (db.session.scalar(select(func.count(Office.id))) or 0) > 1
    return len(offices) > 1


# Each row's office: its id (two offices may share a name) and its name, shown.
OFFICE_COLUMNS = (Office.id.label("office_id"), Office.office_name.label("office"))


def _came(key, counted, events, filters: Filters, actor=None):
    """A subquery (key, came): per ``key`` (an event, a session), how many different ``counted``
    (people, registrations) were marked present or late at a session of ``events``."""
    return _registrations_of_filtered_cooperatives(
        select(key.label("key"), func.count(func.distinct(counted)).label("came"))
        .select_from(Registration).join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
        .where(Registration.event_id.in_(events), AttendanceRecord.mark.in_(ATTENDED_MARKS)),
        filters, actor).group_by(key).subquery()


def reach(filters: Filters, actor=None) -> list[dict]:
    """Per office, district and type: cooperatives, inactive ones, reached, answered, took part, inactive
    that took part, never reached. One statement."""
    path = cooperative_path(events_in(filters, actor)).subquery()
    per_cooperative = (select(path.c.cooperative_id.label("cooperative_id"),
                              func.max(case((path.c.answer.is_not(None), 1), else_=0)).label("answered"),
                              func.max(case((path.c.attended > 0, 1), else_=0)).label("took_part"))
                       .group_by(path.c.cooperative_id).subquery())
    inactive = Cooperative.status == CooperativeStatus.INACTIVE
    reached = per_cooperative.c.cooperative_id.is_not(None)
    query = (select(*OFFICE_COLUMNS, District.name.label("district"),
                    Cooperative.type.label("type"), func.count(Cooperative.id).label("cooperatives"),
                    func.sum(case((inactive, 1), else_=0)).label("inactive"),
                    func.count(per_cooperative.c.cooperative_id).label("reached"),
                    func.sum(func.coalesce(per_cooperative.c.answered, 0)).label("answered"),
                    func.sum(func.coalesce(per_cooperative.c.took_part, 0)).label("took_part"),
                    func.sum(case((and_(inactive, reached), 1), else_=0)).label("inactive_reached"),
                    func.sum(case((and_(inactive, per_cooperative.c.took_part == 1), 1), else_=0))
                    .label("inactive_took_part"))
             .select_from(Cooperative).join(District, District.id == Cooperative.district_id)
             .join(Office, Office.id == Cooperative.office_id)
             .outerjoin(per_cooperative, per_cooperative.c.cooperative_id == Cooperative.id)
             .group_by(Office.id, Office.office_name, District.name, Cooperative.type)
             .order_by(Office.office_name, Office.id, District.name, Cooperative.type))
    rows = [dict(row._mapping) for row in db.session.execute(_cooperatives(query, filters, actor))]
    for row in rows:
        row["never_reached"] = row["cooperatives"] - row["reached"]
    return rows


def revival(year: int, actor=None) -> list[dict]:
    """The funnel of the cooperatives inactive at the start of ``year``, per office: the cohort,
    then each stage, with the revival funnel's own definitions (``revival.funnel``: who was
    inactive on 1 January, what each stage means) and exact counts. One statement."""
    stages = [stage for stage, _label in STAGES]
    query = scoped(select(*OFFICE_COLUMNS, func.count(Cooperative.id).label("cohort"),
                          *(func.sum(case((stage_condition(stage, year), 1), else_=0)).label(stage)
                            for stage in stages))
                   .select_from(Cooperative).join(Office, Office.id == Cooperative.office_id)
                   .where(inactive_at_start(year)), Cooperative, actor).group_by(Office.id, Office.office_name)
    rows = []
    for found in db.session.execute(query.order_by(Office.office_name, Office.id)):
        values = found._mapping
        rows += [{"office_id": values["office_id"], "office": values["office"], "stage": stage,
                  "cooperatives": values[stage] or 0}
                 for stage in ("cohort", *stages)]
    return rows


def trainings(filters: Filters, actor=None) -> list[dict]:
    """Per office, kind and programme area: events, seats offered and filled, people who took part,
    certificates issued (not revoked). One statement."""
    events = events_in(filters, actor)
    filled = _registrations_of_filtered_cooperatives(
        select(Registration.event_id.label("event_id"), func.count(Registration.id).label("filled"))
        .where(Registration.event_id.in_(events), Registration.status.in_(SEAT_STATUSES)),
        filters, actor).group_by(Registration.event_id).subquery()
    came = _came(Registration.event_id, Registration.participant_id, events, filters, actor)
    certified = _registrations_of_filtered_cooperatives(
        select(Certificate.event_id.label("event_id"), func.count(Certificate.id).label("certificates"))
        .join(Registration, Registration.id == Certificate.registration_id)
        .where(Certificate.event_id.in_(events), Certificate.revoked_at.is_(None)),
        filters, actor).group_by(Certificate.event_id).subquery()
    query = (select(*OFFICE_COLUMNS, Event.kind.label("kind"),
                    Event.program_area.label("program_area"),
                    func.count(Event.id).label("events"), func.sum(Event.seats).label("seats"),
                    func.sum(func.coalesce(filled.c.filled, 0)).label("filled"),
                    func.sum(func.coalesce(came.c.came, 0)).label("participants"),
                    func.sum(func.coalesce(certified.c.certificates, 0)).label("certificates"))
             .where(Event.id.in_(events)).join(Office, Office.id == Event.office_id)
             .outerjoin(filled, filled.c.event_id == Event.id).outerjoin(came, came.c.key == Event.id)
             .outerjoin(certified, certified.c.event_id == Event.id)
             .group_by(Office.id, Office.office_name, Event.kind, Event.program_area)
             .order_by(Office.office_name, Office.id, Event.kind, Event.program_area))
    return [dict(row._mapping) for row in db.session.execute(query)]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def attendance(filters: Filters, actor=None) -> list[dict]:
    """Per event: people registered (a seat), who came (marked present or late at a session),
    no-shows (a seat, never came) and the rate. One statement."""
    attended_any = (select(AttendanceRecord.registration_id).where(AttendanceRecord.mark.in_(ATTENDED_MARKS))
                    .distinct().subquery())
    came = attended_any.c.registration_id.is_not(None)
    seat = Registration.status.in_(SEAT_STATUSES)
    query = _registrations_of_filtered_cooperatives(
        select(*OFFICE_COLUMNS, Event.title.label("event"), Event.starts_on.label("starts_on"),
               func.sum(case((seat, 1), else_=0)).label("registered"),
               func.sum(case((came, 1), else_=0)).label("attended"),
               func.sum(case((and_(seat, ~came), 1), else_=0)).label("no_shows"))
        .select_from(Registration).join(Event, Event.id == Registration.event_id)
        .join(Office, Office.id == Event.office_id)
        .outerjoin(attended_any, attended_any.c.registration_id == Registration.id)
        .where(Registration.event_id.in_(events_in(filters, actor))),
        filters, actor).group_by(Office.id, Office.office_name, Event.id, Event.title, Event.starts_on).order_by(
        Event.starts_on, Event.id)
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    for row in rows:
        row["rate"] = _rate(row["attended"], row["registered"])
    return rows


def session_attendance(filters: Filters, actor=None) -> list[dict]:
    """Per session of the period's events that someone registered for: the event, the session's
    number in it and its start, people holding a seat, who came to that session (marked present
    or late) and the rate. One statement."""
    events = events_in(filters, actor)
    seats = _registrations_of_filtered_cooperatives(
        select(Registration.event_id.label("event_id"),
               func.sum(case((Registration.status.in_(SEAT_STATUSES), 1), else_=0)).label("registered"))
        .where(Registration.event_id.in_(events)), filters, actor).group_by(Registration.event_id).subquery()
    came = _came(AttendanceRecord.session_id, AttendanceRecord.registration_id, events, filters, actor)
    number = func.row_number().over(partition_by=EventSession.event_id,
                                    order_by=(EventSession.starts_at, EventSession.id))
    rows = (select(*OFFICE_COLUMNS, Event.title.label("event"),
                   EventSession.starts_at.label("starts_at"), number.label("number"),
                   func.count().over(partition_by=EventSession.event_id).label("sessions"),
                   seats.c.registered.label("registered"), func.coalesce(came.c.came, 0).label("attended"))
            .select_from(EventSession).join(Event, Event.id == EventSession.event_id)
            .join(Office, Office.id == Event.office_id)
            .join(seats, seats.c.event_id == EventSession.event_id)
            .outerjoin(came, came.c.key == EventSession.id)
            .order_by(EventSession.starts_at, EventSession.id))
    found = [dict(row._mapping) for row in db.session.execute(rows)]
    for row in found:
        row["rate"] = _rate(row["attended"], row["registered"])
    return found


def no_shows_by_cooperative(filters: Filters, actor=None, limit: int = NO_SHOWS_LISTED) -> list[dict]:
    """The cooperatives with the most seats left empty in the period (a seat, never came)."""
    attended_any = (select(AttendanceRecord.registration_id).where(AttendanceRecord.mark.in_(ATTENDED_MARKS))
                    .distinct().subquery())
    query = (select(*OFFICE_COLUMNS, Cooperative.name.label("cooperative"),
                    func.count(Registration.id).label("no_shows"))
             .select_from(Registration).join(Cooperative, Cooperative.id == Registration.cooperative_id)
             .join(Event, Event.id == Registration.event_id).join(Office, Office.id == Event.office_id)
             .outerjoin(attended_any, attended_any.c.registration_id == Registration.id)
             .where(Registration.event_id.in_(events_in(filters, actor)), Registration.status.in_(SEAT_STATUSES),
                    attended_any.c.registration_id.is_(None)))
    query = (_cooperatives(query, filters, actor)
             .group_by(Office.id, Office.office_name, Cooperative.id, Cooperative.name)
             .order_by(func.count(Registration.id).desc(), Cooperative.name).limit(limit))
    return [dict(row._mapping) for row in db.session.execute(query)]


# The positions in the order reports list them: the board's offices first, then the rest.
POSITIONS = (*BoardPosition, ParticipantPosition.BOARD, ParticipantPosition.STAFF, ParticipantPosition.MEMBER)
_POSITION_OF = {position.value: position for position in POSITIONS}


def participants(filters: Filters, actor=None, by_office: bool = True) -> list[dict]:
    """The people who took part in the period, by position and sex (None where not recorded).
    A person on their cooperative's board list (the same name, in any case) counts under the
    office held there (ketua, sekretaris, bendahara, pengawas), as registration matches people
    to board members; anyone else under the position registered (board, staff, member).
    ``by_office``: per office of the events (a person who came to two offices' events counts in
    each); otherwise across the reader's offices, each person once. One statement."""
    office_held = (select(BoardMember.position).where(
        BoardMember.cooperative_id == Participant.cooperative_id,
        func.lower(BoardMember.full_name) == func.lower(Participant.full_name))
        .order_by(BoardMember.id).limit(1).scalar_subquery())
    position = func.coalesce(office_held, Participant.position, type_=String)  # two enums' values
    offices = OFFICE_COLUMNS if by_office else ()
    query = (select(*offices, position.label("position"), Participant.sex.label("sex"),
                    func.count(func.distinct(Participant.id)).label("people"))
             .select_from(Registration).join(Participant, Participant.id == Registration.participant_id)
             .join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
             .where(Registration.event_id.in_(events_in(filters, actor)), AttendanceRecord.mark.in_(ATTENDED_MARKS)))
    if by_office:
        query = query.join(Event, Event.id == Registration.event_id).join(Office, Office.id == Event.office_id)
    query = _registrations_of_filtered_cooperatives(query, filters, actor).group_by(
        *((Office.id, Office.office_name) if by_office else ()), position, Participant.sex)
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    for row in rows:
        row["position"] = _POSITION_OF[row["position"]]
    order = {position: n for n, position in enumerate(POSITIONS)}
    return sorted(rows, key=lambda r: (r.get("office", ""), r.get("office_id", 0), order[r["position"]],
                                       r["sex"].value if r["sex"] else "~"))
