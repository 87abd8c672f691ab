"""Seats under concurrent sign-ups: real threads, each with its own connection and session,
released together by a barrier. The outcome is checked with SQL afterwards.

On PostgreSQL the event's row lock serialises the seat count; on SQLite ``BEGIN IMMEDIATE``
does, and writers wait within the busy timeout instead of failing with "database is locked".
"""

import random
import time

import pytest
from sqlalchemy import func, select, text

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.registrations import services
from portal.registrations.models import SEAT_STATUSES, Participant, Registration, RegistrationStatus
from tests.concurrency import run_together


def counts(event_id: int) -> dict[str, int]:
    rows = db.session.execute(text("SELECT status, count(*) FROM registrations WHERE event_id = :id GROUP BY status"),
                              {"id": event_id})
    return dict(rows.all())


def unexpected(results) -> list:
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, RuleViolation)]


def sign_up_as(board_id: int, event_id: int, participant_id: int):
    return services.sign_up(db.session.get(User, board_id), event_id, [participant_id])


def naive_sign_up(board_id: int, event_id: int, participant_id: int):
    """The bug the lock prevents: count, then insert, with nothing held in between."""
    event = db.session.get(services.Event, event_id)
    taken = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(SEAT_STATUSES)))
    time.sleep(0.05)
    participant = db.session.get(Participant, participant_id)
    status = RegistrationStatus.CONFIRMED if taken < event.seats else RegistrationStatus.WAITLISTED
    db.session.add(Registration(event_id=event_id, participant_id=participant_id, status=status,
                                cooperative_id=participant.cooperative_id))
    db.session.flush()


def _last_ten_seats(open_event, board_of, make_people):
    event = open_event(seats=15)
    cooperative, board = board_of()
    services.sign_up(board, event.id, [p.id for p in make_people(cooperative, 5)])
    db.session.commit()
    return event, board, make_people(cooperative, 50)


@pytest.mark.postgres
def test_r1_fifty_concurrent_sign_ups_for_the_last_ten_seats(app, open_event, board_of, make_people):
    event, board, people = _last_ten_seats(open_event, board_of, make_people)
    board_id, event_id, ids = board.id, event.id, [p.id for p in people]
    results = run_together(app, 50, lambda i: sign_up_as(board_id, event_id, ids[i]))
    assert unexpected(results) == []
    assert not any(isinstance(r, RuleViolation) for r in results)
    assert counts(event.id) == {"confirmed": 15, "waitlisted": 40}
    queue = db.session.scalars(text("SELECT queue_number FROM registrations WHERE event_id = :id "
                                    "AND status = 'waitlisted' ORDER BY queue_number"), {"id": event.id}).all()
    assert len(set(queue)) == 40


@pytest.mark.postgres
def test_r1_control_the_harness_catches_a_naive_count_then_insert(app, open_event, board_of, make_people):
    event, board, people = _last_ten_seats(open_event, board_of, make_people)
    board_id, event_id, ids = board.id, event.id, [p.id for p in people]
    results = run_together(app, 50, lambda i: naive_sign_up(board_id, event_id, ids[i]))
    assert unexpected(results) == []
    outcome = counts(event.id)
    print(f"naive count-then-insert: {outcome} for {event.seats} seats")
    assert outcome["confirmed"] > event.seats  # oversold: what R1 would have caught


@pytest.mark.postgres
def test_r2_same_person_submitted_ten_times_at_once(app, open_event, board_of, make_people):
    event = open_event(seats=5)
    cooperative, board = board_of()
    board_id, event_id, person_id = board.id, event.id, make_people(cooperative)[0].id
    results = run_together(app, 10, lambda i: sign_up_as(board_id, event_id, person_id))
    assert unexpected(results) == []
    assert sum(isinstance(r, list) for r in results) == 1
    assert sum(isinstance(r, RuleViolation) for r in results) == 9
    assert counts(event.id) == {"confirmed": 1}


@pytest.mark.postgres
def test_r3_twenty_concurrent_sign_ups_from_one_cooperative_with_a_limit_of_three(app, open_event, board_of,
                                                                                  make_people):
    event = open_event(seats=30, seats_per_cooperative=3)
    cooperative, board = board_of()
    board_id, event_id, ids = board.id, event.id, [p.id for p in make_people(cooperative, 20)]
    results = run_together(app, 20, lambda i: sign_up_as(board_id, event_id, ids[i]))
    assert unexpected(results) == []
    assert db.session.scalar(text("SELECT count(*) FROM registrations WHERE event_id = :id AND cooperative_id = :c"),
                             {"id": event.id, "c": cooperative.id}) == 3
    assert sum(isinstance(r, RuleViolation) for r in results) == 17


@pytest.mark.postgres
def test_r4_mixed_cancellations_and_sign_ups(app, open_event, board_of, make_people):
    seats = 10
    event = open_event(seats=seats)
    cooperative, board = board_of()
    existing = services.sign_up(board, event.id, [p.id for p in make_people(cooperative, 30)])
    db.session.commit()
    existing_ids = [r.id for r in existing]
    newcomers = [p.id for p in make_people(cooperative, 70)]
    jobs = [("cancel", rid) for rid in existing_ids] + [("sign_up", pid) for pid in newcomers]
    random.Random(6).shuffle(jobs)
    board_id, event_id = board.id, event.id

    def work(i):
        kind, target = jobs[i]
        actor = db.session.get(User, board_id)
        if kind == "cancel":
            return services.cancel_registration(actor, db.session.get(Registration, target))
        return services.sign_up(actor, event_id, [target])

    results = run_together(app, len(jobs), work)
    assert unexpected(results) == []
    assert not any(isinstance(r, RuleViolation) for r in results)
    outcome = counts(event.id)
    assert outcome["cancelled"] == 30
    assert outcome["confirmed"] == seats  # 70 still active, so every freed seat was filled
    assert outcome["waitlisted"] == 60
    promoted = db.session.execute(select(AuditEntry.object_id, func.count()).where(
        AuditEntry.action == "registration.promoted").group_by(AuditEntry.object_id)).all()
    assert promoted and all(n == 1 for _id, n in promoted)
    for registration_id, _n in promoted:
        registration = db.session.get(Registration, int(registration_id))
        to_person = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.idempotency_key.like(f"promoted:{registration_id}:%"),
            OutboxMessage.recipient_email == registration.participant.email))
        assert to_person == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.idempotency_key.like("promoted:%"),
        OutboxMessage.recipient_email != board.email)) == len(promoted)
