"""Finding registrations for the pages and the exports."""

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import aliased, selectinload

from portal.cooperatives.models import Cooperative, District
from portal.events import queries as event_queries
from portal.events.models import Event, GuestListEntry
from portal.extensions import db
from portal.registrations.eligibility import audience_admits, is_open_for_registration
from portal.registrations.models import Participant, Registration, RegistrationStatus


def registrations_query(event_id: int, status: str | None = None, district_id: int | None = None,
                        name: str | None = None):
    """An event's registrations in queue order, by state, district and part of the participant's name."""
    query = (select(Registration)
             .options(selectinload(Registration.participant),
                      selectinload(Registration.cooperative).selectinload(Cooperative.district)))
    return _filtered(query, event_id, status, district_id, name)


def export_query(event_id: int, status: str | None = None, district_id: int | None = None,
                 name: str | None = None):
    """The same registrations as ``registrations_query`` as plain rows for the export, in one
    query that can be read in batches: name, position, the person's cooperative and organisation,
    the registering cooperative's district, email, phone, state, id and sign-up time."""
    own = aliased(Cooperative)
    query = (select(Participant.full_name, Participant.position, own.name, Participant.organisation_name,
                    District.name, Participant.email, Participant.phone, Registration.status, Registration.id,
                    Registration.created_at)
             .join(Participant, Participant.id == Registration.participant_id)
             .outerjoin(own, own.id == Participant.cooperative_id)
             .outerjoin(Cooperative, Cooperative.id == Registration.cooperative_id)
             .outerjoin(District, District.id == Cooperative.district_id))
    return _filtered(query, event_id, status, district_id, name)


def _filtered(query, event_id: int, status: str | None, district_id: int | None, name: str | None):
    query = query.where(Registration.event_id == event_id).order_by(Registration.queue_number, Registration.id)
    if status:
        query = query.where(Registration.status == RegistrationStatus(status))
    if district_id:
        query = query.where(Registration.cooperative_id.in_(
            select(Cooperative.id).where(Cooperative.district_id == district_id)))
    name = " ".join((name or "").split())
    if name:
        query = query.where(Registration.participant_id.in_(
            select(Participant.id).where(Participant.full_name.icontains(name, autoescape=True))))
    return query


def summary(event_id: int) -> dict[str, int]:
    """Counts per state, plus how many cooperatives have someone confirmed or waiting for approval."""
    counts = {status.value: 0 for status in RegistrationStatus}
    rows = db.session.execute(select(Registration.status, func.count()).where(Registration.event_id == event_id)
                              .group_by(Registration.status))
    counts.update({status.value: n for status, n in rows})
    counts["cooperatives"] = db.session.scalar(select(func.count(distinct(Registration.cooperative_id))).where(
        Registration.event_id == event_id,
        Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING))))
    return counts


def waitlist_positions(event_ids) -> dict[int, int]:
    """Each waiting registration's place on its event's list, for several events in one query."""
    rows = db.session.execute(select(Registration.event_id, Registration.id).where(
        Registration.event_id.in_(list(event_ids)), Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.event_id, Registration.queue_number, Registration.id))
    positions, places = {}, {}
    for event_id, registration_id in rows:
        places[event_id] = places.get(event_id, 0) + 1
        positions[registration_id] = places[event_id]
    return positions


def waitlist_length(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED))


def open_events_for(cooperative: Cooperative) -> list[Event]:
    """Upcoming published events this cooperative may sign people up for."""
    guest_of = set(db.session.scalars(select(GuestListEntry.event_id).where(
        GuestListEntry.cooperative_id == cooperative.id)))
    events = db.session.scalars(event_queries.upcoming_query().options(
        selectinload(Event.sessions), selectinload(Event.audience_districts), selectinload(Event.audience_type_rows)))
    return [e for e in events if is_open_for_registration(e)
            and (e.id in guest_of or audience_admits(e, cooperative))]


def cooperative_registrations(cooperative_id: int) -> list[Registration]:
    query = (select(Registration).join(Event).where(Registration.cooperative_id == cooperative_id,
                                                    Event.ends_on >= event_queries.local_today())
             .options(selectinload(Registration.participant), selectinload(Registration.event))
             .order_by(Event.starts_on, Event.id, Registration.id))
    return list(db.session.scalars(query))


def event_registrations_of(event_id: int, cooperative_id: int) -> list[Registration]:
    """Whom a cooperative has signed up for an event, in every state, in the order they came."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.cooperative_id == cooperative_id)
        .options(selectinload(Registration.participant)).order_by(Registration.id)))
