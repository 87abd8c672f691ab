"""Read-only queries for revival's pages. Every query on cooperatives, RAT records and contacts
that a page runs is here, so a rule that narrows what an office may read (one office's
cooperatives) is added in one place: ``cooperatives_in_scope``, the office scope of
``portal/offices/scope.py``. ``actor=None`` reads every office's (the command line, tests)."""

from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import STAFF_ROLES, User
from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType
from portal.extensions import db
from portal.offices.scope import scoped
from portal.revival.models import Contact, RatRecord, RatStatus
from portal.revival.services import recent_book_years


def cooperatives_in_scope(query, actor=None, write: bool = False):
    """``query`` (which selects or joins cooperatives) narrowed to the cooperatives of the
    offices ``actor`` reads (or changes, with ``write``)."""
    return scoped(query, Cooperative, actor, write=write)


def rat_records_of(cooperative_id: int) -> list[RatRecord]:
    """A cooperative's RAT records, newest book year first (one a year: a short list)."""
    return list(db.session.scalars(
        select(RatRecord).where(RatRecord.cooperative_id == cooperative_id)
        .options(joinedload(RatRecord.document), joinedload(RatRecord.reactivation),
                 joinedload(RatRecord.recorded_by), joinedload(RatRecord.verified_by))
        .order_by(RatRecord.book_year.desc())))


def _verified_held(years: tuple[int, ...] | None = None):
    condition = and_(RatRecord.cooperative_id == Cooperative.id, RatRecord.status == RatStatus.VERIFIED,
                     RatRecord.is_held)
    if years is not None:
        condition = and_(condition, RatRecord.book_year.in_(years))
    return exists().where(condition)


def _filtered(query, district_ids=None, type=None, status=None, actor=None, write: bool = False):
    if district_ids is not None:
        query = query.where(Cooperative.district_id.in_(district_ids))
    if type:
        query = query.where(Cooperative.type == CooperativeType(type))
    if status:
        query = query.where(Cooperative.status == CooperativeStatus(status))
    return cooperatives_in_scope(query, actor, write)


def pending_rats_query(actor=None):
    """Boards' submissions waiting for the office, oldest first."""
    query = (select(RatRecord).join(RatRecord.cooperative)
             .options(joinedload(RatRecord.cooperative).joinedload(Cooperative.district))
             .where(RatRecord.status == RatStatus.SUBMITTED).order_by(RatRecord.recorded_at, RatRecord.id))
    return cooperatives_in_scope(query, actor)


def without_recent_rat_query(today: date, district_ids=None, type=None, actor=None):
    """The reverse list: active cooperatives with no verified RAT held for either of the last two
    book years, which may have slipped into inactivity."""
    query = (select(Cooperative).options(joinedload(Cooperative.district))
             .where(Cooperative.status == CooperativeStatus.ACTIVE, ~_verified_held(recent_book_years(today)))
             .order_by(Cooperative.last_rat_year.asc().nulls_first(), Cooperative.name, Cooperative.id))
    return _filtered(query, district_ids, type, actor=actor)


def eligible_for_reactivation_query(today: date, actor=None):
    """Inactive cooperatives with a verified RAT of one of the last two book years: each is
    offered "aktifkan kembali"."""
    query = (select(Cooperative).options(joinedload(Cooperative.district))
             .where(Cooperative.status == CooperativeStatus.INACTIVE, _verified_held(recent_book_years(today)))
             .order_by(Cooperative.name, Cooperative.id))
    return _filtered(query, actor=actor)


def without_verified_rat_query(book_year: int, district_ids=None, type=None, status=None, actor=None,
                                write: bool = False):
    """The RAT season's list for book year N: cooperatives with no verified RAT of that year."""
    query = (select(Cooperative).options(joinedload(Cooperative.district))
             .where(~_verified_held((book_year,))).order_by(Cooperative.name, Cooperative.id))
    return _filtered(query, district_ids, type, status, actor, write)


def open_steps_query(until: date | None = None, officer_id: int | None = None, district_ids=None, actor=None):
    """The "tindak lanjut" list: next steps not yet done, the most urgent first; ``until`` keeps
    those due by then."""
    query = (select(Contact).join(Contact.cooperative)
             .options(joinedload(Contact.cooperative).joinedload(Cooperative.district), joinedload(Contact.officer))
             .where(Contact.next_step.is_not(None), Contact.next_step_done_at.is_(None))
             .order_by(Contact.next_step_due, Contact.id))
    if until is not None:
        query = query.where(Contact.next_step_due <= until)
    if officer_id is not None:
        query = query.where(Contact.officer_id == officer_id)
    return _filtered(query, district_ids, actor=actor)


def staff_officers(actor=None):
    """The staff of the offices ``actor`` reads, for the list's officer filter."""
    return list(db.session.scalars(scoped(select(User), User, actor).where(User.role.in_(STAFF_ROLES))
                                   .order_by(User.full_name)))


OPEN_STEPS_SHOWN = 10


def open_steps_of(cooperative_id: int, limit: int = OPEN_STEPS_SHOWN) -> list[Contact]:
    """A cooperative's next steps not yet done, the most urgent first, a few (the timeline and the
    "tindak lanjut" list hold the rest)."""
    return list(db.session.scalars(
        select(Contact).options(joinedload(Contact.officer))
        .where(Contact.cooperative_id == cooperative_id, Contact.next_step.is_not(None),
               Contact.next_step_done_at.is_(None)).order_by(Contact.next_step_due, Contact.id).limit(limit)))
