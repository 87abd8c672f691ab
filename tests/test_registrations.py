"""The registration rules, called through the services."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.cooperatives.models import BoardAccountStatus, CooperativeStatus
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events import services as event_services
from portal.events.models import Audience, AudienceStatus
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.registrations import participants, seats, services, waitlist
from portal.registrations.models import ParticipantPosition, Registration, RegistrationStatus


def statuses(event):
    return [r.status for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                                 .order_by(Registration.id))]


def sign(board, event, people):
    result = services.sign_up(board, event.id, [p.id for p in people])
    db.session.commit()
    return result


def test_seats_then_waiting_list_in_order(open_event, board_of, make_people):
    event = open_event(seats=2)
    cooperative, board = board_of()
    people = make_people(cooperative, 4)
    sign(board, event, people)
    assert statuses(event) == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITLISTED] * 2
    waiting = seats.waitlist(event.id)
    assert [seats.waitlist_position(r) for r in waiting] == [1, 2]
    assert event_services.seats_taken([event.id]) == {event.id: 2}


def test_same_person_is_not_created_twice(app, make_cooperative):
    cooperative = make_cooperative()
    first = participants.find_or_create_participant(None, cooperative, "Maria Tefa", ParticipantPosition.BOARD,
                                                phone="0812-3456-789")
    again = participants.find_or_create_participant(None, cooperative, "Maria", ParticipantPosition.BOARD,
                                                phone="+62 812 3456 789")
    by_email = participants.find_or_create_participant(None, cooperative, "A", "staff", email="X@Example.org")
    assert again.id == first.id
    same = participants.find_or_create_participant(None, cooperative, "B", "staff", email="x@example.org")
    assert same.id == by_email.id
    other = participants.find_or_create_participant(None, make_cooperative(), "Maria", "board", phone="081234567 89")
    assert other.id != first.id


def test_no_person_twice_on_one_event(open_event, board_of, make_people):
    event = open_event()
    cooperative, board = board_of()
    person = make_people(cooperative)
    sign(board, event, person)
    with pytest.raises(RuleViolation) as refused:
        services.sign_up(board, event.id, [person[0].id])
    assert refused.value.field == "participants"


def test_seats_per_cooperative(open_event, board_of, make_people):
    event = open_event(seats=10, seats_per_cooperative=2)
    cooperative, board = board_of()
    people = make_people(cooperative, 3)
    sign(board, event, people[:2])
    with pytest.raises(RuleViolation):
        services.sign_up(board, event.id, [people[2].id])


def test_only_approved_board_of_an_eligible_cooperative(open_event, board_of, make_people, make_board_user,
                                                       make_cooperative, make_guest_cooperative):
    event = open_event(audience_status=AudienceStatus.ACTIVE)
    inactive, inactive_board = board_of(status=CooperativeStatus.INACTIVE)
    with pytest.raises(RuleViolation, match="."):
        services.sign_up(inactive_board, event.id, [make_people(inactive)[0].id])
    pending_board = make_board_user(make_cooperative(), status=BoardAccountStatus.PENDING)
    with pytest.raises(RuleViolation):
        services.sign_up(pending_board, event.id, [1])
    # the guest list lets an inactive cooperative in
    guest_event = open_event(audience=Audience.GUEST_LIST)
    with pytest.raises(RuleViolation):
        services.sign_up(inactive_board, guest_event.id, [make_people(inactive)[0].id])
    from portal.events.guest_lists import add_guest_cooperatives
    add_guest_cooperatives(None, guest_event, [inactive.id])
    db.session.commit()
    assert sign(inactive_board, guest_event, make_people(inactive))[0].status == RegistrationStatus.CONFIRMED


def test_people_of_another_cooperative_are_refused(open_event, board_of, make_people):
    event = open_event()
    _mine, board = board_of()
    theirs, _other = board_of()
    with pytest.raises(RuleViolation):
        services.sign_up(board, event.id, [make_people(theirs)[0].id])


def test_registration_window_and_status(open_event, make_event, board_of, make_people):
    cooperative, board = board_of()
    person = make_people(cooperative)[0]
    draft = make_event()
    with pytest.raises(RuleViolation):
        services.sign_up(board, draft.id, [person.id])
    later = open_event(registration_opens_on=utcnow().date() + timedelta(days=3))
    with pytest.raises(RuleViolation):
        services.sign_up(board, later.id, [person.id])


def test_cancellation_promotes_first_waiting_once_with_one_email(open_event, board_of, make_people):
    event = open_event(seats=1)
    cooperative, board = board_of()
    first, second, third = make_people(cooperative, 3)
    sign(board, event, [first, second, third])
    registration = db.session.scalar(select(Registration).where(Registration.participant_id == first.id))
    promoted = services.cancel_registration(board, registration)
    db.session.commit()
    assert [r.participant_id for r in promoted] == [second.id]
    assert statuses(event) == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED,
                               RegistrationStatus.WAITLISTED]
    keys = db.session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.like("promoted:%")))
    assert sorted(keys) == sorted([f"promoted:{promoted[0].id}:{second.email}",
                                   f"promoted:{promoted[0].id}:{board.email}"])
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.promoted")) == 1


def test_board_cannot_cancel_after_deadline_but_organiser_can(open_event, board_of, make_people, make_user):
    event = open_event()
    cooperative, board = board_of()
    registration = sign(board, event, make_people(cooperative))[0]
    event.cancellation_deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.cancel_registration(board, registration)
    db.session.rollback()
    services.cancel_registration(make_user(), registration)
    assert registration.status == RegistrationStatus.CANCELLED


def test_approval_and_rejection_free_the_seat(open_event, board_of, make_people, make_user):
    organiser = make_user()
    event = open_event(seats=2, requires_approval=True)
    cooperative, board = board_of()
    a, b, c = sign(board, event, make_people(cooperative, 3))
    assert [a.status, b.status, c.status] == [RegistrationStatus.PENDING, RegistrationStatus.PENDING,
                                              RegistrationStatus.WAITLISTED]
    assert services.approve_registrations(organiser, event.id, [a.id]) == 1
    with pytest.raises(RuleViolation):
        services.reject_registrations(organiser, event.id, [b.id], " ")
    assert services.reject_registrations(organiser, event.id, [b.id], "Bukan pengurus") == 1
    db.session.commit()
    assert [a.status, b.status, c.status] == [RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED,
                                              RegistrationStatus.PENDING]
    with pytest.raises(RuleViolation):
        services.approve_registrations(board, event.id, [c.id])


def test_raising_seats_promotes_and_lowering_below_taken_is_refused(open_event, board_of, make_people, make_user):
    event = open_event(seats=1)
    cooperative, board = board_of()
    sign(board, event, make_people(cooperative, 3))
    details = event_services.EventDetails(kind=event.kind, program_area=event.program_area, title=event.title,
                                          seats=3, starts_on=event.starts_on, ends_on=event.ends_on)
    event_services.update_event(make_user(), event, details)
    db.session.commit()
    assert statuses(event) == [RegistrationStatus.CONFIRMED] * 3
    details.seats = 2
    with pytest.raises(RuleViolation) as refused:
        event_services.update_event(make_user(), event, details)
    assert refused.value.field == "seats" and "3" in refused.value.message and "2" in refused.value.message


def test_organiser_adds_guest_promotes_and_moves_by_hand(open_event, board_of, make_people, make_user):
    organiser = make_user()
    event = open_event(seats=1)
    cooperative, board = board_of()
    _a, b, c = sign(board, event, make_people(cooperative, 3))
    waitlist.move_on_waitlist(organiser, c, 1)
    assert [r.id for r in seats.waitlist(event.id)] == [c.id, b.id]
    guest = participants.find_or_create_participant(organiser, None, "Ibu Bank", "staff", organisation_name="Bank NTT")
    assert services.register_guest(organiser, event.id, guest).status == RegistrationStatus.WAITLISTED
    with pytest.raises(RuleViolation):
        waitlist.promote_registration(organiser, b)
    event.seats = 2
    waitlist.promote_registration(organiser, b)
    db.session.commit()
    assert b.status == RegistrationStatus.CONFIRMED
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "registrations")))
    assert {"registration.created", "registration.moved", "registration.promoted_by_hand"} <= actions


def test_event_signals_notify_participants(open_event, board_of, make_people):
    event = open_event()
    cooperative, board = board_of()
    sign(board, event, make_people(cooperative, 2))
    event_services.cancel_event(None, event, "Banjir")
    db.session.commit()
    recipients = set(db.session.scalars(select(OutboxMessage.recipient_email).where(
        OutboxMessage.idempotency_key.like("event-cancelled:%"))))
    assert board.email in recipients and len(recipients) == 3


def test_event_cancelled_status_stops_sign_ups(open_event, board_of, make_people):
    event = open_event()
    cooperative, board = board_of()
    event_services.cancel_event(None, event, "Banjir")
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.sign_up(board, event.id, [make_people(cooperative)[0].id])


def test_rescheduling_tells_everyone_with_a_fresh_calendar_entry(open_event, board_of, make_people):
    from datetime import time

    event = open_event(seats=1)
    cooperative, board = board_of()
    sign(board, event, make_people(cooperative, 2))
    session = event.sessions[0]
    local_day = session.starts_at.date()
    event_services.reschedule_session(None, event, session, local_day, time(13), time(16), session.venue_id)
    db.session.commit()
    messages = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.idempotency_key.like("rescheduled:%"))))
    assert len(messages) == 3  # each participant, and the board member once for both (issue 14)
    with_seat = [m for m in messages if m.attachments]
    assert len(with_seat) == 2 and with_seat[0].attachments[0].filename == "event.ics"


def test_a_cancelled_person_can_be_signed_up_again_at_the_end_of_the_queue(open_event, board_of, make_people):
    event = open_event(seats=1)
    cooperative, board = board_of()
    first, second = make_people(cooperative, 2)
    sign(board, event, [first, second])
    registration = db.session.scalar(select(Registration).where(Registration.participant_id == first.id))
    services.cancel_registration(board, registration)
    db.session.commit()
    [again] = services.sign_up(board, event.id, [first.id])
    db.session.commit()
    assert again.id == registration.id and again.status == RegistrationStatus.WAITLISTED
    assert seats.waitlist_position(again) == 1, "the promoted second person kept the seat"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.idempotency_key.like(f"waitlisted:{again.id}:%"))) == 2, "participant and board member"
    with pytest.raises(RuleViolation):
        services.sign_up(board, event.id, [first.id])
