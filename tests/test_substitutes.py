"""Substitutes ("Ganti peserta"): another person of the same cooperative takes a registration's
place, seat, queue number and state included; at the door a walk-in can be recorded as one."""

from datetime import time

import pytest
from sqlalchemy import select

from portal.attendance.models import AttendanceRecord
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.registrations import services
from portal.registrations.models import Registration, RegistrationStatus
from portal.registrations.substitutes import substitute_participant


@pytest.fixture
def full_event(open_event, board_of, make_people):
    """Two seats, both held by cooperative A's people; cooperative B's person waits."""
    event = open_event(seats=2)
    cooperative, board = board_of(name="KSP Harapan Baru Oelamasi")
    other, other_board = board_of(name="KSU Lain")
    seated = services.sign_up(board, event.id, [p.id for p in make_people(cooperative, 2)])
    [waiting] = services.sign_up(other_board, event.id, [p.id for p in make_people(other, 1)])
    db.session.commit()
    return event, cooperative, board, seated, waiting, other


def sent_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_email == address)))


def test_a_substitute_keeps_the_seat_on_a_full_event_and_the_waiting_person_is_not_promoted(full_event):
    event, cooperative, board, [first, second], waiting, _other = full_event
    before = (first.id, first.status, first.queue_number, first.token, first.check_in_code)
    replaced_email = first.participant.email
    replaced = substitute_participant(board, first, new_person={
        "full_name": "Budi Santoso", "position": "staff", "email": "budi@example.org", "phone": None})
    db.session.commit()
    assert replaced.email == replaced_email
    assert (first.id, first.status, first.queue_number) == before[:3]
    assert first.participant.full_name == "Budi Santoso" and first.participant.cooperative_id == cooperative.id
    assert first.token != before[3], "the old ticket no longer opens anything"
    assert waiting.status == RegistrationStatus.WAITLISTED, "the waiting person is not promoted"
    assert db.session.scalar(select(Registration).where(Registration.token == before[3])) is None
    [ticket] = sent_to("budi@example.org")
    assert first.token in ticket.body_text
    notice = [m for m in sent_to(replaced_email) if "substituted" in m.template]
    assert len(notice) == 1 and "Budi Santoso" in notice[0].body_text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.substituted"))
    assert entry.actor_id == board.id and entry.before["participant"] == replaced.full_name
    assert entry.after["participant"] == "Budi Santoso"


def test_a_waiting_registration_keeps_its_place_in_the_queue(full_event, make_people):
    event, _cooperative, _board, _seated, waiting, other = full_event
    [person] = make_people(other, 1, full_name="Rina Nope")
    queue = waiting.queue_number
    substitute_participant(None, waiting, participant_id=person.id, vouched=True)
    assert (waiting.status, waiting.queue_number, waiting.participant_id) == (
        RegistrationStatus.WAITLISTED, queue, person.id)


def test_a_substitute_from_another_cooperative_or_for_a_cancelled_registration_is_refused(full_event, make_people,
                                                                                           organiser):
    event, cooperative, board, [first, second], waiting, other = full_event
    with pytest.raises(RuleViolation) as refused:
        substitute_participant(board, first, participant_id=waiting.participant_id)
    assert refused.value.field == "participants"
    db.session.rollback()
    with pytest.raises(RuleViolation):
        substitute_participant(board, waiting, new_person={"full_name": "Orang Lain", "position": "staff"})
    db.session.rollback()
    services.cancel_registration(organiser, second)
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        substitute_participant(organiser, second, new_person={"full_name": "Budi", "position": "staff"})
    assert "no longer active" in refused.value.message or "tidak aktif" in refused.value.message
    db.session.rollback()
    with pytest.raises(RuleViolation):
        substitute_participant(board, first, participant_id=first.participant_id)


def test_a_person_whose_own_sign_up_was_cancelled_can_come_as_substitute(full_event, organiser):
    event, cooperative, board, [first, second], waiting, _other = full_event
    services.cancel_registration(organiser, second)  # the seat goes to the waiting person
    db.session.commit()
    person = second.participant
    substitute_participant(board, first, participant_id=person.id)
    db.session.commit()
    assert first.participant_id == person.id and first.status == RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, second.id) is None


def test_board_and_organiser_pages_substitute_and_other_boards_get_nothing(app, client, login, full_event,
                                                                         organiser):
    event, cooperative, board, [first, second], waiting, other = full_event
    login(client, board)
    mine = client.get("/my-cooperative/events")
    assert f"/registrations/{first.id}/substitute" in mine.text
    page = client.get(f"/registrations/{first.id}/substitute")
    assert page.status_code == 200 and 'name="substitute"' in page.text
    member = cooperative.board_members[0]
    done = client.post(f"/registrations/{first.id}/substitute", data={"substitute": f"member:{member.id}"})
    assert done.status_code == 302
    db.session.refresh(first)
    assert first.participant.full_name == member.full_name and first.status == RegistrationStatus.CONFIRMED
    assert client.get(f"/registrations/{waiting.id}/substitute").status_code == 404, "another cooperative's"
    empty = client.post(f"/registrations/{second.id}/substitute", data={})
    assert empty.status_code == 400
    client = app.test_client()
    login(client, organiser)
    tab = client.get(f"/organiser/events/{event.id}/registrations")
    assert f"/registrations/{second.id}/substitute" in tab.text
    done = client.post(f"/registrations/{second.id}/substitute", data={"full_name": "Yakobus Tefa",
                                                                        "position": "staff"})
    assert done.status_code == 302
    db.session.refresh(second)
    assert second.participant.full_name == "Yakobus Tefa"


def test_the_walk_in_form_finds_a_cooperative_by_part_of_its_name_or_legal_number_and_records_a_substitute(
        client, login, organiser, training, clock):
    t = training(people=2, seats=2, cooperative_name="KSP Sehati Oelamasi")
    login(client, organiser)
    clock.set(t.day(1), 9, 5)
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}/walk-in"
    by_name = client.get(url, query_string={"q": "sehati oel"})
    assert by_name.status_code == 200 and "KSP Sehati Oelamasi" in by_name.text
    by_number = client.get(url, query_string={"q": t.cooperative.legal_number[:5].lower()})
    assert "KSP Sehati Oelamasi" in by_number.text
    chosen = client.get(url, query_string={"cooperative_id": t.cooperative.id})
    replaced = t.registrations[0]
    assert f'value="{replaced.id}"' in chosen.text and replaced.participant.full_name in chosen.text
    done = client.post(url, data={"cooperative_id": t.cooperative.id, "full_name": "Agustina Nalle",
                                  "position": "staff", "substitute_for": replaced.id})
    assert done.status_code == 200, done.text
    db.session.refresh(replaced)
    assert replaced.participant.full_name == "Agustina Nalle" and replaced.status == RegistrationStatus.CONFIRMED
    [record] = db.session.scalars(select(AttendanceRecord)).all()
    assert record.registration_id == replaced.id
    seats = db.session.scalars(select(Registration).where(Registration.event_id == t.event.id)).all()
    assert len(seats) == 2, "no seat more, no walk-in row"


def test_a_walk_in_substitute_must_be_of_the_registrations_cooperative(client, login, organiser, training, clock,
                                                                       make_cooperative):
    t = training(people=1, seats=1)
    other = make_cooperative(name="KSU Sawah Indah")
    login(client, organiser)
    clock.set(t.day(1), 9, 5)
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}/walk-in"
    refused = client.post(url, data={"cooperative_id": other.id, "full_name": "Agustina Nalle", "position": "staff",
                                     "substitute_for": t.registrations[0].id})
    assert refused.status_code == 400
    assert db.session.scalars(select(AttendanceRecord)).all() == []
    _ = time


def test_a_person_substituted_back_gets_the_new_ticket(full_event):
    """A takes B's place, then B takes it back: B's old ticket no longer opens, so B is sent the
    new one (its email was once taken for a repeat of the first and not sent)."""
    _event, _cooperative, board, [first, _second], _waiting, _other = full_event
    original = first.participant
    substitute_participant(board, first, new_person={
        "full_name": "Budi Santoso", "position": "staff", "email": "budi@example.org", "phone": None})
    db.session.commit()
    substitute_participant(board, first, participant_id=original.id)
    db.session.commit()
    tickets = [m for m in sent_to(original.email) if first.token in m.body_text]
    assert len(tickets) == 1


def test_naming_no_one_new_after_registration_closed_changes_nothing_and_is_not_refused(full_event):
    from portal.registrations.services import sign_up_named

    event, cooperative, board, _seated, _waiting, _other = full_event
    from datetime import UTC, datetime

    event.registration_closes_at = datetime(2000, 1, 1, tzinfo=UTC)
    assert sign_up_named(board, event.id, [], cooperative, vouched=True) == []
