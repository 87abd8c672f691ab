"""Finding registrations for the pages and the exports."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.cooperatives.models import Cooperative, District
from portal.events import queries as event_queries
from portal.events.models import Event, GuestListEntry
from portal.extensions import db
from portal.pagination import bounded_count
from portal.registrations.eligibility import audience_admits, is_open_for_registration
from portal.registrations.models import Participant, Registration, RegistrationStatus


def registrations_query(event_id: int, status: str | None = None, district_ids: list[int] | None = None,
                        name: str | None = None):
    """An event's registrations in queue order, by state, districts (None: any) and part of the
    participant's name or of their cooperative's or organisation's; the caller paginates."""
    query = (select(Registration)
             .options(selectinload(Registration.participant).selectinload(Participant.cooperative),
                      selectinload(Registration.cooperative).selectinload(Cooperative.district)))
    return _filtered(query, event_id, status, district_ids, name)


def export_query(event_id: int, status: str | None = None, district_ids: list[int] | None = None,
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
    return _filtered(query, event_id, status, district_ids, name)


def _filtered(query, event_id: int, status: str | None, district_ids: list[int] | None, name: str | None):
    query = query.where(Registration.event_id == event_id).order_by(Registration.queue_number, Registration.id)
    if status:
        query = query.where(Registration.status == RegistrationStatus(status))
    if district_ids is not None:
        query = query.where(Registration.cooperative_id.in_(
            select(Cooperative.id).where(Cooperative.district_id.in_(district_ids))))
    name = " ".join((name or "").split())
    if name:
        # Joined rather than ``IN (SELECT … ILIKE)``: the event's registrations (an index) are read
        # and their people and cooperatives looked up, never the whole country's people.
        person, registering, own = aliased(Participant), aliased(Cooperative), aliased(Cooperative)
        query = (query.join(person, person.id == Registration.participant_id)
                 .outerjoin(own, own.id == person.cooperative_id)
                 .outerjoin(registering, registering.id == Registration.cooperative_id)
                 .where(or_(*(column.icontains(name, autoescape=True) for column in (
                     person.full_name, person.organisation_name, own.name, registering.name)))))
    return query


def summary(event_id: int) -> dict[str, int]:
    """Counts per state, plus how many cooperatives have someone confirmed or waiting for approval,
    in one query; each stops past the count limit (``portal/pagination.py``)."""
    of_event = select(Registration.id).where(Registration.event_id == event_id)
    counts = {status.value: bounded_count(of_event.where(Registration.status == status))
              for status in RegistrationStatus}
    counts["cooperatives"] = bounded_count(
        select(Registration.cooperative_id).distinct().where(
            Registration.event_id == event_id, Registration.cooperative_id.is_not(None),
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING))))
    values = db.session.execute(select(*counts.values())).one()
    return dict(zip(counts, values, strict=True))


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
