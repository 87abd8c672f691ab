"""Finding invitations for the organisers' tab: each one's delivery (from the counts of its
messages kept on it) and answer, counts, filters, and the progress of the mail; a fixed number of
queries per page, none of them reading the outbox."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from portal.cooperatives.models import BoardMember, Cooperative
from portal.events.models import Event, EventKind
from portal.extensions import db
from portal.invitations import tracking
from portal.invitations.models import NAMES_OWED, NO_ANSWER, Delivery, Invitation, InvitationAnswer, InvitationRound
from portal.registrations import queries as registration_queries
from portal.registrations.models import ACTIVE_STATUSES, Participant, Registration
from portal.registrations.participants import others_than_board, phone_key


def invitations_query(event_id: int, delivery: str | None = None, answer: str | None = None,
                      district_ids: list[int] | None = None, search: str | None = None):
    """The event's invitations, filtered, by name; the caller paginates. Delivery comes from the
    counts kept on each invitation (``tracking.py``), not from the outbox."""
    # By the name kept on each invitation, as ix_invitations_event_sort_name holds them: a page
    # is read in order from the index, without sorting (or joining) the event's invitations.
    query = (select(Invitation).where(Invitation.event_id == event_id)
             .options(selectinload(Invitation.cooperative).selectinload(Cooperative.district))
             .order_by(Invitation.sort_name, Invitation.id))
    if delivery:
        query = query.where(tracking.delivery() == Delivery(delivery).value)
    if answer == NO_ANSWER:
        query = query.where(Invitation.answer.is_(None))
    elif answer == NAMES_OWED:
        query = query.where(owing_names())
    elif answer:
        query = query.where(Invitation.answer == InvitationAnswer(answer))
    if district_ids is not None:
        query = query.where(Invitation.cooperative_id.in_(
            select(Cooperative.id).where(Cooperative.district_id.in_(district_ids))))
    if search:
        query = query.where(Invitation.sort_name.ilike(f"%{search.strip()}%"))
    return query


def delivery_of(event_id: int, invitation_ids) -> dict[int, tuple[Delivery, int]]:
    """Each invitation's delivery and its number of failed messages."""
    rows = db.session.execute(select(Invitation.id, tracking.delivery(), Invitation.messages_failed).where(
        Invitation.event_id == event_id, Invitation.id.in_(list(invitation_ids))))
    return {invitation_id: (Delivery(state), failed) for invitation_id, state, failed in rows}


def counts(event_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """How many invitations per delivery and per answer, and the progress of the mail (the
    invitation messages by state: queued or being sent, sent, failed, cancelled), in one query
    over the event's invitations and the counts kept on them. On PostgreSQL the counts come from
    ix_invitations_event_answer alone (it carries them); the names owed read a meeting's accepted
    invitations once (a training's not at all), not every invitation for every row."""
    delivery = tracking.delivery().label("delivery")
    meeting = select(Event.id).where(Event.id == event_id, Event.kind == EventKind.MEETING).exists()
    owed = (select(func.count()).select_from(Invitation).where(
        meeting, Invitation.event_id == event_id, Invitation.answer == InvitationAnswer.ACCEPTED, owing_names())
        .correlate(None).scalar_subquery())
    rows = db.session.execute(
        select(delivery, Invitation.answer, func.count(), func.sum(Invitation.messages_total),
               func.sum(Invitation.messages_sent), func.sum(Invitation.messages_pending),
               func.sum(Invitation.messages_failed), owed)
        .where(Invitation.event_id == event_id).group_by(delivery, Invitation.answer))
    result = dict.fromkeys([*(d.value for d in Delivery), *(a.value for a in InvitationAnswer), NO_ANSWER,
                            NAMES_OWED, "all"], 0)
    progress = {"queued": 0, "sent": 0, "failed": 0, "cancelled": 0}
    for delivery, answer, n, total, sent, pending, failed, owed in rows:
        result[delivery] += n
        result[answer.value if answer else NO_ANSWER] += n
        result[NAMES_OWED] = owed
        result["all"] += n
        progress["queued"] += pending or 0
        progress["sent"] += sent or 0
        progress["failed"] += failed or 0
        progress["cancelled"] += (total or 0) - (sent or 0) - (pending or 0) - (failed or 0)
    return result, progress


def _named():
    """How many people the invitation's invitee has signed up (seat, approval or waiting list)."""
    return (select(func.count()).select_from(Registration)
            .join(Participant, Registration.participant_id == Participant.id)
            .where(Registration.event_id == Invitation.event_id, Registration.status.in_(ACTIVE_STATUSES),
                   or_(Registration.cooperative_id == Invitation.cooperative_id,
                       and_(Invitation.cooperative_id.is_(None), Registration.cooperative_id.is_(None),
                            func.lower(Participant.organisation_name) == func.lower(Invitation.organisation_name))))
            .correlate(Invitation).scalar_subquery())


def owing_names():
    """An accepted meeting's invitations that announced more people than they have named."""
    meeting = select(Event.id).where(Event.id == Invitation.event_id, Event.kind == EventKind.MEETING).exists()
    return and_(Invitation.answer == InvitationAnswer.ACCEPTED, Invitation.attendee_count.is_not(None), meeting,
                Invitation.attendee_count > _named())


def names_owed_count(event_id: int) -> int:
    """How many invitees still owe names (bounded by the event's invitations)."""
    return db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.event_id == event_id, owing_names()))


def people_coming(event_id: int, cooperative_ids) -> dict[int, int]:
    """How many each cooperative has signed up (seat, approval or waiting list): a training's
    "accepted, with how many"."""
    rows = db.session.execute(select(Registration.cooperative_id, func.count()).where(
        Registration.event_id == event_id, Registration.cooperative_id.in_(list(cooperative_ids)),
        Registration.status.in_(ACTIVE_STATUSES)).group_by(Registration.cooperative_id))
    return dict(rows.all())


def rounds(event_id: int) -> list[InvitationRound]:
    return list(db.session.scalars(select(InvitationRound).where(InvitationRound.event_id == event_id)
                                   .options(selectinload(InvitationRound.sent_by))
                                   .order_by(InvitationRound.created_at.desc(), InvitationRound.id.desc())))


def cooperative_registrations(event_id: int, cooperative_id: int) -> list[Registration]:
    """Who this cooperative has signed up for the event, for the answer page."""
    return registration_queries.event_registrations_of(event_id, cooperative_id)


def not_signed_up(cooperative: Cooperative, signed_up: list[Registration]
                  ) -> tuple[list[BoardMember], list[Participant]]:
    """The cooperative's board members and earlier participants who are not (or no longer)
    signed up for the event: what the form offers. A board member is the same person as a
    participant with their email or phone, as when they are signed up."""
    active = [r.participant for r in signed_up if r.status in ACTIVE_STATUSES]
    emails = {p.email for p in active if p.email}
    phones = {p.phone_key for p in active if p.phone_key}
    members = [m for m in cooperative.board_members
               if (m.email or "").strip().lower() not in emails and phone_key(m.phone) not in phones]
    taken = {p.id for p in active}
    return members, [p for p in others_than_board(cooperative) if p.id not in taken]


def cooperative_invitations_query(cooperative_id: int):
    """The invitations a cooperative received, latest event first; the caller paginates."""
    return (select(Invitation).join(Event, Invitation.event_id == Event.id)
            .where(Invitation.cooperative_id == cooperative_id)
            .options(selectinload(Invitation.event).selectinload(Event.sessions),
                     selectinload(Invitation.round))
            .order_by(Event.starts_on.desc(), Invitation.id.desc()))
