"""Venues: where sessions take place, in a district (which is how events are found by district)."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import District
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events.models import EventSession, Venue
from portal.extensions import db
from portal.offices.scope import may_change, office_id_of

VENUE_FIELDS = ["name", "address", "district_id", "capacity"]


def _venue_values(actor, name: str, address: str | None, district_id: int, capacity: int | None) -> dict:
    if not (name or "").strip():
        raise RuleViolation("name", _("Enter the venue's name."))
    district = db.session.get(District, district_id)
    if district is None or not may_change(actor, office_id_of(district)):
        raise RuleViolation("district_id", _("Choose districts from the list."))
    if capacity is not None and capacity < 1:
        raise RuleViolation("capacity", _("An event needs at least one seat."))
    return {"name": name.strip(), "address": (address or "").strip() or None, "district_id": district_id,
            "capacity": capacity}


def create_venue(actor, name: str, address: str | None, district_id: int, capacity: int | None) -> Venue:
    venue = Venue(**_venue_values(actor, name, address, district_id, capacity))
    db.session.add(venue)
    db.session.flush()
    record_change(actor, "venue.created", venue, after=snapshot(venue, VENUE_FIELDS))
    return venue


def update_venue(actor, venue: Venue, name: str, address: str | None, district_id: int,
                 capacity: int | None) -> bool:
    before = snapshot(venue, VENUE_FIELDS)
    values = _venue_values(actor, name, address, district_id, capacity)
    if all(getattr(venue, key) == value for key, value in values.items()):
        return False
    place_changed = (venue.name, venue.address) != (values["name"], values["address"])
    for key, value in values.items():
        setattr(venue, key, value)
    if place_changed:
        _raise_sequence_of_upcoming_sessions_at(venue)
    db.session.flush()
    record_change(actor, "venue.updated", venue, before=before, after=snapshot(venue, VENUE_FIELDS))
    return True


def _raise_sequence_of_upcoming_sessions_at(venue: Venue) -> None:
    """A session's place is its venue's name and address: calendars must learn of a change."""
    sessions = db.session.scalars(select(EventSession).options(selectinload(EventSession.event))
                                  .where(EventSession.venue_id == venue.id, EventSession.ends_at > utcnow()))
    for session in sessions:
        session.sequence += 1
        session.event.sequence += 1
