"""Finding attendance for the sheet, the event's tab, the exports and the cooperative page. Each
loads in a fixed number of queries, however many people there are."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.attendance.models import ATTENDED_MARKS, AttendanceMark, AttendanceRecord
from portal.cooperatives.models import Cooperative
from portal.events.models import Event, EventSession, GuestListEntry
from portal.extensions import db
from portal.registrations.models import ATTENDING_STATUSES, Participant, Registration, RegistrationStatus


@dataclass
class Counts:
    """A session's marks: how many present, late, excused, absent and not yet marked."""

    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    unmarked: int = 0

    @property
    def total(self) -> int:
        return self.present + self.late + self.excused + self.absent + self.unmarked

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def rate(self) -> float | None:
        """Attended over everyone on the sheet; None for an empty sheet."""
        return self.attended / self.total if self.total else None

    def as_dict(self) -> dict:
        return {"present": self.present, "late": self.late, "excused": self.excused, "absent": self.absent,
                "unmarked": self.unmarked, "total": self.total, "attended": self.attended}


class SheetRow(NamedTuple):
    """One person on a session's sheet, as plain values: what a slim row shows."""

    registration_id: int
    full_name: str
    affiliation: str
    is_walk_in: bool
    mark: AttendanceMark | None
    arrived_at: datetime | None
    check_in_code: str | None = None  # the ticket's code: the offline sheet finds a typed code on the phone


def _sort_key(registration: Registration):
    return registration.participant.full_name.casefold(), registration.id


def attending(event_id: int) -> list[Registration]:
    """Everyone expected at the event (seats and walk-ins), with person and cooperative, by name."""
    query = (select(Registration).where(Registration.event_id == event_id,
                                        Registration.status.in_(ATTENDING_STATUSES))
             .options(joinedload(Registration.participant).joinedload(Participant.cooperative),
                      joinedload(Registration.cooperative)))
    return sorted(db.session.scalars(query).unique(), key=_sort_key)


def records_query(event_id: int, session_id: int | None = None):
    """The marks of the event's sessions (one session's with ``session_id``); the caller orders
    and pages (the JSON API)."""
    query = (select(AttendanceRecord).join(EventSession, EventSession.id == AttendanceRecord.session_id)
             .where(EventSession.event_id == event_id))
    return query if session_id is None else query.where(AttendanceRecord.session_id == session_id)


def sheet_query(event_id: int, session_id: int):
    """Everyone expected as plain values, with their mark at the session: read through the
    registrations' event index and the marks' unique (registration, session) key."""
    own = aliased(Cooperative)
    record = aliased(AttendanceRecord)
    return (select(Registration.id, Participant.full_name, func.coalesce(own.name, Participant.organisation_name),
                    Registration.status, record.mark, record.arrived_at, Registration.check_in_code)
             .join(Participant, Participant.id == Registration.participant_id)
             .outerjoin(own, own.id == Participant.cooperative_id)
             .outerjoin(record, (record.registration_id == Registration.id) & (record.session_id == session_id))
             .where(Registration.event_id == event_id, Registration.status.in_(ATTENDING_STATUSES)))


def sheet(event_id: int, session_id: int) -> tuple[list[SheetRow], Counts]:
    """The session's sheet: one row per person expected, by name, with their mark, and the counts."""
    rows = sorted((SheetRow(registration_id, name, affiliation or "", status == RegistrationStatus.WALK_IN, mark,
                            arrived_at, code)
                   for registration_id, name, affiliation, status, mark, arrived_at, code in db.session.execute(
                       sheet_query(event_id, session_id))),
                  key=lambda row: (row.full_name.casefold(), row.registration_id))
    counts = Counts()
    for row in rows:
        key = row.mark.value if row.mark else "unmarked"
        setattr(counts, key, getattr(counts, key) + 1)
    return rows, counts


def matches(row: SheetRow, text: str) -> bool:
    """Whether the person's name or cooperative contains ``text`` (any case)."""
    text = text.casefold().strip()
    return not text or text in row.full_name.casefold() or text in row.affiliation.casefold()


def session_counts(event: Event) -> dict[int, Counts]:
    """Counts per session of ``event`` in two queries: the people expected, and the marks."""
    expected = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ATTENDING_STATUSES)))
    marks = db.session.execute(
        select(AttendanceRecord.session_id, AttendanceRecord.mark, func.count())
        .join(Registration, Registration.id == AttendanceRecord.registration_id)
        .where(Registration.event_id == event.id, Registration.status.in_(ATTENDING_STATUSES))
        .group_by(AttendanceRecord.session_id, AttendanceRecord.mark))
    counts = {session.id: Counts() for session in event.sessions}
    for session_id, mark, number in marks:
        setattr(counts[session_id], mark.value, number)
    for item in counts.values():
        item.unmarked = expected - (item.present + item.late + item.excused + item.absent)
    return counts


def export_query(event_id: int, session_ids: list[int]):
    """Everyone expected at the event as plain rows for the export, by name, in one query that can
    be read in batches: name, the person's cooperative and organisation, position, phone, state,
    then the mark of each of ``session_ids`` (None where there is none)."""
    own = aliased(Cooperative)
    records = [aliased(AttendanceRecord) for _ in session_ids]
    query = (select(Participant.full_name, own.name, Participant.organisation_name, Participant.position,
                    Participant.phone, Registration.status, *(record.mark for record in records))
             .join(Participant, Participant.id == Registration.participant_id)
             .outerjoin(own, own.id == Participant.cooperative_id))
    for record, session_id in zip(records, session_ids, strict=True):
        query = query.outerjoin(record, (record.registration_id == Registration.id)
                                & (record.session_id == session_id))
    return (query.where(Registration.event_id == event_id, Registration.status.in_(ATTENDING_STATUSES))
            .order_by(func.lower(Participant.full_name), Registration.id))


def marks_by_registration(event_id: int) -> dict[int, dict[int, AttendanceMark]]:
    """``{registration_id: {session_id: mark}}`` for the whole event, in one query."""
    result: dict[int, dict[int, AttendanceMark]] = {}
    rows = db.session.execute(select(AttendanceRecord.registration_id, AttendanceRecord.session_id,
                                     AttendanceRecord.mark)
                              .join(EventSession, EventSession.id == AttendanceRecord.session_id)
                              .where(EventSession.event_id == event_id))
    for registration_id, session_id, mark in rows:
        result.setdefault(registration_id, {})[session_id] = mark
    return result


def attended_count(marks: dict[int, AttendanceMark]) -> int:
    return sum(1 for mark in marks.values() if mark in ATTENDED_MARKS)


@dataclass
class AttendedEvent:
    """An event some of a cooperative's people attended, and how many sessions each came to."""

    event: Event
    people: list[tuple[str, int]] = field(default_factory=list)


def attended_events(cooperative_id: int) -> list[AttendedEvent]:
    """The events the cooperative's people attended (at least one session present or late),
    latest first, in two queries."""
    rows = db.session.execute(
        select(Registration.event_id, Registration.id, Participant.full_name, func.count(AttendanceRecord.id))
        .join(Participant, Participant.id == Registration.participant_id)
        .join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
        .where(Registration.cooperative_id == cooperative_id, AttendanceRecord.mark.in_(ATTENDED_MARKS))
        .group_by(Registration.event_id, Registration.id, Participant.full_name)).all()
    if not rows:
        return []
    events = db.session.scalars(select(Event).where(Event.id.in_({row[0] for row in rows}))
                                .options(selectinload(Event.sessions))
                                .order_by(Event.starts_on.desc(), Event.id.desc()))
    found = {event.id: AttendedEvent(event) for event in events}
    for event_id, _registration_id, name, sessions in sorted(rows, key=lambda row: row[2].casefold()):
        found[event_id].people.append((name, sessions))
    return list(found.values())


def affiliation_suggestions(event_id: int) -> list[str]:
    """Names offered on the walk-in form: the cooperatives on the event's registrations or guest
    list, and the outside organisations registered."""
    names = set(db.session.scalars(select(Cooperative.name).join(
        Registration, Registration.cooperative_id == Cooperative.id).where(Registration.event_id == event_id)))
    names |= set(db.session.scalars(select(Cooperative.name).join(
        GuestListEntry, GuestListEntry.cooperative_id == Cooperative.id).where(GuestListEntry.event_id == event_id)))
    names |= set(db.session.scalars(select(Participant.organisation_name).join(
        Registration, Registration.participant_id == Participant.id).where(
        Registration.event_id == event_id, Participant.organisation_name.is_not(None))))
    return sorted(names, key=str.casefold)
