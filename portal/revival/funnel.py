"""The office's funnel for the cooperatives that were inactive at the start of a year: of those,
which were invited that year, answered, took part, held a RAT, and became active again.

Each stage is a condition on a cooperative (an EXISTS), so the counts of every stage are one
query and each stage's list is a page of one query, however many invitations and sign-ups the
year holds. The stages are not required to follow each other: a cooperative may take part
without an invitation; the list of each stage says who reached it. (The reports issue reads
``stage_query`` for its tables.)"""

from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select

from portal.attendance.models import ATTENDED_MARKS, AttendanceRecord
from portal.cooperatives.models import Cooperative, CooperativeStatus, StatusChange
from portal.events.models import EventSession
from portal.extensions import db
from portal.invitations.models import Invitation
from portal.offices.scope import scoped
from portal.pagination import bounded_count
from portal.registrations.models import Registration
from portal.revival.models import RatRecord, RatStatus

STAGES = (
    ("invited", _l("Invited")),
    ("answered", _l("Answered")),
    ("took_part", _l("Took part")),
    ("rat_held", _l("RAT held")),
    ("active_again", _l("Active again")),
)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def inactive_at_start(year: int):
    """Inactive on 1 January of ``year``: the last status change before that day says so. With
    none before then, the first change after it changed the status, so the status was the other
    one; with no change at all, the status it has."""
    start = date(year, 1, 1)
    latest = (select(StatusChange.status).where(StatusChange.cooperative_id == Cooperative.id,
                                                StatusChange.effective_date < start)
              .order_by(StatusChange.effective_date.desc(), StatusChange.id.desc()).limit(1).scalar_subquery())
    first = (select(StatusChange.status).where(StatusChange.cooperative_id == Cooperative.id)
             .order_by(StatusChange.effective_date, StatusChange.id).limit(1).scalar_subquery())
    before_first = case((first == CooperativeStatus.ACTIVE.value, CooperativeStatus.INACTIVE.value),
                        (first == CooperativeStatus.INACTIVE.value, CooperativeStatus.ACTIVE.value))
    return func.coalesce(latest, before_first, Cooperative.status) == CooperativeStatus.INACTIVE.value


def stage_condition(stage: str, year: int):
    begins, ends = _year_bounds(year)
    if stage == "invited":
        return exists().where(Invitation.cooperative_id == Cooperative.id, Invitation.created_at >= begins,
                              Invitation.created_at < ends)
    if stage == "answered":
        return exists().where(Invitation.cooperative_id == Cooperative.id, Invitation.answered_at >= begins,
                              Invitation.answered_at < ends)
    if stage == "took_part":
        return exists().where(Registration.cooperative_id == Cooperative.id,
                              AttendanceRecord.registration_id == Registration.id,
                              AttendanceRecord.session_id == EventSession.id,
                              AttendanceRecord.mark.in_(ATTENDED_MARKS),
                              EventSession.starts_at >= begins, EventSession.starts_at < ends)
    if stage == "rat_held":
        return exists().where(RatRecord.cooperative_id == Cooperative.id, RatRecord.status == RatStatus.VERIFIED,
                              RatRecord.is_held, or_(and_(RatRecord.held_on >= date(year, 1, 1),
                                                          RatRecord.held_on < date(year + 1, 1, 1)),
                                                     RatRecord.book_year == year - 1))
    if stage == "active_again":
        return exists().where(StatusChange.cooperative_id == Cooperative.id,
                              StatusChange.status == CooperativeStatus.ACTIVE,
                              StatusChange.effective_date >= date(year, 1, 1),
                              StatusChange.effective_date < date(year + 1, 1, 1))
    raise ValueError(stage)


def cohort_query(year: int, actor=None):
    """The cooperatives of the offices ``actor`` reads that were inactive at the start of ``year``."""
    return scoped(select(Cooperative.id), Cooperative, actor).where(inactive_at_start(year))


def stage_query(year: int, stage: str | None, actor=None):
    """The cohort's cooperatives at ``stage`` (all of the cohort for None), by name."""
    query = scoped(select(Cooperative), Cooperative, actor).where(inactive_at_start(year))
    if stage:
        query = query.where(stage_condition(stage, year))
    return query.order_by(Cooperative.name, Cooperative.id)


def funnel_counts(year: int, actor=None) -> dict[str, int]:
    """The cohort and each stage, counted in one query (each count bounded)."""
    cohort = cohort_query(year, actor)
    counts = [bounded_count(cohort)] + [bounded_count(cohort.where(stage_condition(stage, year)))
                                        for stage, _label in STAGES]
    values = db.session.execute(select(*counts)).one()
    return dict(zip(["cohort", *(stage for stage, _label in STAGES)], values, strict=True))
