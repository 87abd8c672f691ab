"""Which cooperatives came: every cooperative invited to an event or registered for it, with how
far it went — invited, answered (and how the answer reached the office), registered (how many),
attended (how many people, which sessions).

One statement gives a page of rows (filtered by district and stage, in SQL), one more the
sessions the page's cooperatives attended: a fixed number of queries however many there are.
The reports read the same query (``turnout_query``), so a cooperative counts the same in both.

The stage is the furthest step reached, from last to first: attended (someone of it was marked
present or late at a session), registered (someone holds a seat or waits for one), accepted (the
invitation was accepted, the names are still owed), declined, invited (no answer yet).
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import case, func, literal, select, union
from sqlalchemy.orm import Session

from portal.attendance.models import ATTENDED_MARKS, AttendanceRecord
from portal.cooperatives.models import Cooperative, District
from portal.enums import LabelledEnum
from portal.events.models import Event
from portal.extensions import db
from portal.inputs import page_number
from portal.invitations.models import AnswerChannel, Invitation, InvitationAnswer
from portal.offices.scope import scoped
from portal.pagination import bounded_count, count_limit
from portal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus

# A person counts as registered in these states (walk-ins came without registering).
REGISTERED_STATUSES = ACTIVE_STATUSES
# The cooperatives on the list: those invited, and those with someone registered or who came.
LISTED_STATUSES = (*ACTIVE_STATUSES, RegistrationStatus.WALK_IN)


class Stage(LabelledEnum):
    """How far a cooperative went for one event: the furthest step."""

    INVITED = "invited", _l("Invited, no answer")
    DECLINED = "declined", _l("Declined")
    ACCEPTED = "accepted", _l("Accepted, names owed")
    REGISTERED = "registered", _l("Registered")
    ATTENDED = "attended", _l("Attended")


@dataclass
class TurnoutRow:
    cooperative_id: int
    name: str
    district: str
    invited: bool
    answer: InvitationAnswer | None
    channel: AnswerChannel | None
    registered: int
    attended: int
    stage: Stage
    sessions: list[int] = field(default_factory=list)  # the numbers (1, 2, ...) of the sessions attended


def _of(column, events):
    """``column`` names one event (an id) or one of ``events`` (a select of event ids)."""
    return column == events if isinstance(events, int) else column.in_(events)


def cooperative_path(events):
    """The per-event cooperative path: for each (event, cooperative) invited to or registered for
    one of ``events`` (an event id, or a select of event ids), the rows (event_id, cooperative_id,
    invited, answer, channel, registered, attended, stage). The event's page and the reports read
    it, so a cooperative counts the same in both."""
    invited = (select(Invitation.event_id.label("event_id"), Invitation.cooperative_id.label("cooperative_id"))
               .where(_of(Invitation.event_id, events), Invitation.cooperative_id.is_not(None)))
    registered_ids = (select(Registration.event_id, Registration.cooperative_id)
                      .where(_of(Registration.event_id, events), Registration.cooperative_id.is_not(None),
                             Registration.status.in_(LISTED_STATUSES)))
    listed = union(invited, registered_ids).subquery()
    registrations = (select(Registration.event_id.label("event_id"),
                            Registration.cooperative_id.label("cooperative_id"),
                            func.count(case((Registration.status.in_(REGISTERED_STATUSES), 1))).label("registered"))
                     .where(_of(Registration.event_id, events), Registration.cooperative_id.is_not(None))
                     .group_by(Registration.event_id, Registration.cooperative_id).subquery())
    came = (select(Registration.event_id.label("event_id"), Registration.cooperative_id.label("cooperative_id"),
                   func.count(func.distinct(AttendanceRecord.registration_id)).label("attended"))
            .join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
            .where(_of(Registration.event_id, events), Registration.cooperative_id.is_not(None),
                   AttendanceRecord.mark.in_(ATTENDED_MARKS))
            .group_by(Registration.event_id, Registration.cooperative_id).subquery())
    registered = func.coalesce(registrations.c.registered, 0)
    attended = func.coalesce(came.c.attended, 0)
    stage_of = case(
        (attended > 0, literal(Stage.ATTENDED.value)),
        (registered > 0, literal(Stage.REGISTERED.value)),
        (Invitation.answer == InvitationAnswer.ACCEPTED, literal(Stage.ACCEPTED.value)),
        (Invitation.answer == InvitationAnswer.DECLINED, literal(Stage.DECLINED.value)),
        else_=literal(Stage.INVITED.value))

    def same(sub):
        return (sub.c.event_id == listed.c.event_id) & (sub.c.cooperative_id == listed.c.cooperative_id)

    return (select(listed.c.event_id.label("event_id"), listed.c.cooperative_id.label("cooperative_id"),
                   Invitation.id.is_not(None).label("invited"), Invitation.answer.label("answer"),
                   Invitation.answer_channel.label("channel"), registered.label("registered"),
                   attended.label("attended"), stage_of.label("stage"))
            .select_from(listed)
            .outerjoin(Invitation, (Invitation.event_id == listed.c.event_id)
                       & (Invitation.cooperative_id == listed.c.cooperative_id))
            .outerjoin(registrations, same(registrations))
            .outerjoin(came, same(came)))


def turnout_query(event_id: int, actor=None, *, district_ids: list[int] | None = None, stage: str | None = None):
    """The event's cooperatives as rows (cooperative_id, name, district, invited, answer, channel,
    registered, attended, stage), by name; ``stage`` is a ``Stage`` value."""
    path = cooperative_path(event_id).subquery()
    rows = (select(Cooperative.id.label("cooperative_id"), Cooperative.name.label("name"),
                   District.name.label("district"), Cooperative.district_id.label("district_id"),
                   path.c.invited, path.c.answer, path.c.channel, path.c.registered, path.c.attended, path.c.stage)
            .select_from(path)
            .join(Cooperative, Cooperative.id == path.c.cooperative_id)
            .join(District, District.id == Cooperative.district_id))
    rows = scoped(rows, Cooperative, actor).subquery()
    query = select(rows.c.cooperative_id, rows.c.name, rows.c.district, rows.c.invited, rows.c.answer,
                   rows.c.channel, rows.c.registered, rows.c.attended, rows.c.stage)
    if district_ids:
        query = query.where(rows.c.district_id.in_(district_ids))
    if stage:
        query = query.where(rows.c.stage == stage)
    return query.order_by(rows.c.name, rows.c.cooperative_id)


def _row(values) -> TurnoutRow:
    (cooperative_id, name, district, invited, answer, channel, registered, attended, stage) = values
    return TurnoutRow(cooperative_id, name, district, bool(invited), answer, channel, registered, attended,
                      Stage(stage))


def sessions_attended(event: Event, cooperative_ids: list[int] | None = None) -> dict[int, list[int]]:
    """For each cooperative (those given, or all), the numbers of the event's sessions someone of
    it attended, in order."""
    numbers = {session.id: n for n, session in
               enumerate(sorted(event.sessions, key=lambda s: (s.starts_at, s.id)), start=1)}
    query = (select(Registration.cooperative_id, AttendanceRecord.session_id).distinct()
             .join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
             .where(Registration.event_id == event.id, Registration.cooperative_id.is_not(None),
                    AttendanceRecord.mark.in_(ATTENDED_MARKS)))
    if cooperative_ids is not None:
        if not cooperative_ids:
            return {}
        query = query.where(Registration.cooperative_id.in_(cooperative_ids))
    found: dict[int, list[int]] = {}
    for cooperative_id, session_id in db.session.execute(query):
        if session_id in numbers:
            found.setdefault(cooperative_id, []).append(numbers[session_id])
    return {key: sorted(value) for key, value in found.items()}


class _RowsPagination(SelectPagination):
    """A page of plain rows (``SelectPagination`` keeps only the first column)."""

    def _query_items(self) -> list:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        session: Session = self._query_args["session"]
        return [_row(values) for values in session.execute(query)]


def page(event: Event, actor=None, **filters):
    """One page of the event's cooperatives, with the sessions each attended; its total a bounded
    count (``portal.pagination``)."""
    query = turnout_query(event.id, actor, **filters)
    result = _RowsPagination(select=query, session=db.session, page=page_number(),
                             per_page=current_app.config["PER_PAGE"], error_out=False, count=False)
    result.total = db.session.scalar(select(bounded_count(query)))
    result.is_total_capped = result.total > count_limit()
    attended = sessions_attended(event, [row.cooperative_id for row in result.items])
    for row in result.items:
        row.sessions = attended.get(row.cooperative_id, [])
    return result


def stage_counts(event_id: int, actor=None) -> dict[str, int]:
    """How many of the event's cooperatives reached each stage (one statement)."""
    rows = turnout_query(event_id, actor).subquery()
    counts = {stage.value: 0 for stage in Stage}
    for stage, n in db.session.execute(select(rows.c.stage, func.count()).group_by(rows.c.stage)):
        counts[stage] = n
    return counts


def all_rows(event: Event, actor=None, **filters) -> list[TurnoutRow]:
    """Every row, for the exports (two statements)."""
    rows = [_row(values) for values in db.session.execute(turnout_query(event.id, actor, **filters))]
    attended = sessions_attended(event)
    for row in rows:
        row.sessions = attended.get(row.cooperative_id, [])
    return rows


def table(rows: list[TurnoutRow]):
    """The header and rows of the export: numbers as numbers, the sessions attended as their
    numbers joined ("1, 3"), labels in the reader's language."""
    header = [_("Cooperative"), _("District"), _("Invited"), _("Answer"), _("Answered by"), _("Registered"),
              _("Attended"), _("Sessions attended"), _("Stage")]
    yes, no = _("Yes"), _("No")
    return header, [[row.name, row.district, yes if row.invited else no,
                     str(row.answer.label) if row.answer else None, str(row.channel.label) if row.channel else None,
                     row.registered, row.attended, ", ".join(str(n) for n in row.sessions) or None,
                     str(row.stage.label)] for row in rows]
