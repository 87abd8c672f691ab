"""Each cooperative's path on one timeline: status changes, invitations and answers, sign-ups and
attendance, certificates, RAT records and contacts, newest first, a page at a time.

One UNION ALL query orders every kind of item by when it happened and pages them in SQL, giving
only ``(kind, id)``; the page's items are then loaded with one query per kind on the page, so a
page costs the same number of queries for a cooperative with ten items as with thousands."""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import literal_column, select, union_all
from sqlalchemy.orm import joinedload

from portal.attendance.models import AttendanceRecord
from portal.certificates.models import Certificate
from portal.cooperatives.models import StatusChange
from portal.events.models import EventSession
from portal.extensions import db
from portal.i18n import to_local
from portal.invitations.models import Invitation
from portal.pagination import bounded_count
from portal.registrations.models import Registration
from portal.revival.models import Contact, RatRecord

KINDS = ("status", "invitation", "answer", "registration", "attendance", "certificate", "rat", "contact")


def _branch(kind: str, id_column, at_column, *where, join=None):
    query = select(literal_column(f"'{kind}'").label("kind"), id_column.label("item_id"), at_column.label("at"))
    if join is not None:
        query = query.select_from(join)
    return query.where(*where)


def _union(cooperative_id: int):
    of_cooperative = Registration.cooperative_id == cooperative_id
    registration_join = AttendanceRecord.__table__.join(
        Registration.__table__, AttendanceRecord.registration_id == Registration.id).join(
        EventSession.__table__, AttendanceRecord.session_id == EventSession.id)
    certificate_join = Certificate.__table__.join(Registration.__table__,
                                                  Certificate.registration_id == Registration.id)
    return union_all(
        _branch("status", StatusChange.id, StatusChange.effective_date, StatusChange.cooperative_id == cooperative_id),
        _branch("invitation", Invitation.id, Invitation.created_at, Invitation.cooperative_id == cooperative_id),
        _branch("answer", Invitation.id, Invitation.answered_at, Invitation.cooperative_id == cooperative_id,
                Invitation.answered_at.is_not(None)),
        _branch("registration", Registration.id, Registration.created_at, of_cooperative),
        _branch("attendance", AttendanceRecord.id, EventSession.starts_at, of_cooperative,
                join=registration_join),
        _branch("certificate", Certificate.id, Certificate.issued_at, of_cooperative,
                join=certificate_join),
        _branch("rat", RatRecord.id, RatRecord.recorded_at, RatRecord.cooperative_id == cooperative_id),
        _branch("contact", Contact.id, Contact.contacted_on, Contact.cooperative_id == cooperative_id),
    ).subquery()


LOADERS = {
    "status": (StatusChange, [joinedload(StatusChange.changed_by)]),
    "invitation": (Invitation, [joinedload(Invitation.event)]),
    "answer": (Invitation, [joinedload(Invitation.event)]),
    "registration": (Registration, [joinedload(Registration.event), joinedload(Registration.participant)]),
    "attendance": (AttendanceRecord, [joinedload(AttendanceRecord.session).joinedload(EventSession.event),
                                      joinedload(AttendanceRecord.registration).joinedload(Registration.participant)]),
    "certificate": (Certificate, [joinedload(Certificate.event)]),
    "rat": (RatRecord, []),
    "contact": (Contact, [joinedload(Contact.officer)]),
}


@dataclass
class TimelineItem:
    kind: str
    item: object

    @property
    def day(self) -> date:
        """The day it happened, in the office's zone."""
        when = self._when()
        return to_local(when).date() if isinstance(when, datetime) else when

    def _when(self) -> date | datetime:
        item = self.item
        return {"status": lambda: item.effective_date, "invitation": lambda: item.created_at,
                "answer": lambda: item.answered_at, "registration": lambda: item.created_at,
                "attendance": lambda: item.session.starts_at, "certificate": lambda: item.issued_at,
                "rat": lambda: item.recorded_at, "contact": lambda: item.contacted_on}[self.kind]()


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    page: int
    has_next: bool
    total: int


MAX_PAGE = 10_000


def cooperative_timeline(cooperative_id: int, page: int = 1, per_page: int | None = None) -> TimelinePage:
    per_page = per_page or current_app.config["PER_PAGE"]
    page = min(max(page, 1), MAX_PAGE)  # ?timeline= is typed by anyone: never a negative or huge OFFSET
    union = _union(cooperative_id)
    rows = db.session.execute(
        select(union.c.kind, union.c.item_id).order_by(union.c.at.desc(), union.c.kind, union.c.item_id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)).all()
    has_next, rows = len(rows) > per_page, rows[:per_page]
    total = db.session.scalar(select(bounded_count(select(union.c.item_id))))
    loaded = {}
    for kind in {kind for kind, _id in rows}:
        model, options = LOADERS[kind]
        ids = [item_id for row_kind, item_id in rows if row_kind == kind]
        loaded[kind] = {item.id: item for item in db.session.scalars(
            select(model).options(*options).where(model.id.in_(ids)))}
    return TimelinePage([TimelineItem(kind, loaded[kind][item_id]) for kind, item_id in rows], page, has_next, total)
