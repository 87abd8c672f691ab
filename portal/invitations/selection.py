"""Choosing the cooperatives to invite: by filter or by hand, always in SQL, so choosing 5,000
costs what choosing 5 does."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType
from portal.events.models import Event
from portal.events.services import local_today
from portal.extensions import db
from portal.invitations.models import Invitation
from portal.invitations.recipients import has_address
from portal.offices.scope import offices_read_by
from portal.registrations.models import ACTIVE_STATUSES, Registration

BY_FILTER = "filter"
BY_HAND = "hand"


@dataclass
class Selection:
    """What an organiser chose. ``mode`` BY_FILTER takes every cooperative that matches the
    criteria (none given: all of them); BY_HAND takes ``cooperative_ids``."""

    mode: str = BY_FILTER
    district_ids: list[int] = field(default_factory=list)
    types: list[CooperativeType] = field(default_factory=list)
    status: CooperativeStatus | None = None
    not_invited: bool = True
    without_registration_this_year: bool = False
    cooperative_ids: list[int] = field(default_factory=list)

    def as_record(self) -> dict:
        """JSON-safe, for the round's record."""
        if self.mode == BY_HAND:
            return {"mode": BY_HAND, "cooperative_ids": sorted(set(self.cooperative_ids))}
        return {"mode": BY_FILTER, "district_ids": sorted(set(self.district_ids)),
                "types": sorted(t.value for t in self.types), "status": self.status.value if self.status else None,
                "not_invited": self.not_invited, "without_registration_this_year": self.without_registration_this_year}


def _already_invited(event_id: int):
    return exists().where(Invitation.event_id == event_id, Invitation.cooperative_id == Cooperative.id)


def _registered_this_year(today: date):
    """The cooperative has someone signed up (not cancelled or rejected) for an event this year."""
    return (exists().where(Registration.cooperative_id == Cooperative.id, Registration.status.in_(ACTIVE_STATUSES))
            .where(Registration.event_id == Event.id, Event.starts_on >= today.replace(month=1, day=1),
                   Event.starts_on <= today.replace(month=12, day=31)))


def chosen_cooperatives(event_id: int, selection: Selection, *, include_invited: bool = False, today=None):
    """``SELECT cooperatives.id`` of the chosen cooperatives; those already invited to the event
    are left out unless ``include_invited`` (the preview shows them, sending never does)."""
    office_id = db.session.scalar(select(Event.office_id).where(Event.id == event_id))
    query = select(Cooperative.id).where(Cooperative.office_id.in_(sorted(offices_read_by(office_id))))
    if selection.mode == BY_HAND:
        query = query.where(Cooperative.id.in_(selection.cooperative_ids or [-1]))
    else:
        if selection.district_ids:
            query = query.where(Cooperative.district_id.in_(selection.district_ids))
        if selection.types:
            query = query.where(Cooperative.type.in_(selection.types))
        if selection.status:
            query = query.where(Cooperative.status == selection.status)
        if selection.without_registration_this_year:
            query = query.where(~_registered_this_year(today or local_today()))
    if not include_invited:
        query = query.where(~_already_invited(event_id))
    return query


@dataclass
class Preview:
    """Who a send would reach, before it is sent."""

    count: int
    already_invited: int
    without_address: int
    sample: list[Cooperative]


def preview(event_id: int, selection: Selection, limit: int = 50) -> Preview:
    """How many and who: the count that a send would invite, those skipped because already
    invited, those without any email address, and the first ``limit`` by name."""
    new = chosen_cooperatives(event_id, selection).subquery()
    count = db.session.scalar(select(func.count()).select_from(new))
    show_invited = selection.mode == BY_HAND or not selection.not_invited
    invited = 0
    if show_invited:
        everyone = chosen_cooperatives(event_id, selection, include_invited=True).subquery()
        invited = db.session.scalar(select(func.count()).select_from(everyone)) - count
    without_address = db.session.scalar(select(func.count()).select_from(Cooperative).where(
        Cooperative.id.in_(select(new.c.id)), ~has_address()))
    sample = list(db.session.scalars(select(Cooperative).where(Cooperative.id.in_(select(new.c.id)))
                                     .options(selectinload(Cooperative.district))
                                     .order_by(Cooperative.name, Cooperative.id).limit(limit)))
    return Preview(count=count, already_invited=invited, without_address=without_address, sample=sample)
