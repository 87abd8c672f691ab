"""Self check-in: the door's rotating code, once per person per session, only in the session's
window, recorded as ``self`` and confirmed or undone by an organiser; forged, stale or foreign
codes refused with nothing changed; the door pages for organisers only."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.attendance import self_check_in
from portal.attendance.models import AttendanceRecord, MarkSource
from portal.errors import RuleViolation
from portal.extensions import db
from tests.attendance_fixtures import FIRST_DAY, wita


def _records():
    db.session.commit()
    return list(db.session.scalars(sa.select(AttendanceRecord)))


@pytest.fixture
def meeting(training, organiser):
    done = training(people=2, cooperative_name="KSP Meeting")
    session = done.sessions[0]
    self_check_in.set_enabled(organiser, session, True)
    db.session.commit()
    return done


def test_a_participant_checks_in_once_and_it_is_recorded_as_self(meeting):
    session, person = meeting.sessions[0], meeting.registrations[0]
    now = wita(FIRST_DAY, 8, 50)
    code = self_check_in.door_code(session, now)
    record = self_check_in.check_in_self(session, code.window, code.signature, person.check_in_code, now)
    db.session.commit()
    assert record.source == MarkSource.SELF and record.mark.value == "present" and record.confirmed_at is None
    assert record.marked_by_id is None and record.arrived_at == now
    with pytest.raises(RuleViolation, match="sudah tercatat"):
        self_check_in.check_in_self(session, code.window, code.signature, person.check_in_code.lower(), now)
    db.session.rollback()
    assert len(_records()) == 1


@pytest.mark.parametrize("minutes", [-31, 181])
def test_only_in_the_sessions_window(meeting, minutes):
    session, person = meeting.sessions[0], meeting.registrations[0]
    now = wita(FIRST_DAY, 9) + timedelta(minutes=minutes)
    code = self_check_in.door_code(session, now)
    with pytest.raises(RuleViolation, match="30"):
        self_check_in.check_in_self(session, code.window, code.signature, person.check_in_code, now)
    db.session.rollback()
    assert _records() == []


def test_a_forged_stale_or_foreign_code_is_refused(meeting, training, organiser):
    session, person = meeting.sessions[0], meeting.registrations[0]
    now = wita(FIRST_DAY, 9, 10)
    code = self_check_in.door_code(session, now)
    other_session = meeting.sessions[1]
    self_check_in.set_enabled(organiser, other_session, True)
    stale = self_check_in.door_code(session, now - timedelta(minutes=3))
    for window, signature in ((code.window, "0" * 20), (stale.window, stale.signature), ("x", code.signature),
                              (code.window + 1, code.signature)):
        with pytest.raises(RuleViolation, match="kedaluwarsa"):
            self_check_in.check_in_self(session, window, signature, person.check_in_code, now)
    # A code made for another session does not open this one.
    other = self_check_in.door_code(other_session, now)
    with pytest.raises(RuleViolation):
        self_check_in.check_in_self(session, other.window, other.signature, person.check_in_code, now)
    # A ticket of another event is not found on this one.
    stranger = training(people=1, cooperative_name="KSU Lain").registrations[0]
    with pytest.raises(RuleViolation):
        self_check_in.check_in_self(session, code.window, code.signature, stranger.check_in_code, now)
    db.session.rollback()
    assert _records() == []


def test_a_code_scanned_just_before_it_changed_still_works(meeting):
    session, person = meeting.sessions[0], meeting.registrations[0]
    now = wita(FIRST_DAY, 9, 10)
    earlier = self_check_in.door_code(session, now - timedelta(seconds=self_check_in.WINDOW_SECONDS))
    self_check_in.check_in_self(session, earlier.window, earlier.signature, person.check_in_code, now)
    assert len(_records()) == 1


def test_a_session_without_self_check_in_refuses(meeting):
    session, person = meeting.sessions[1], meeting.registrations[0]
    now = wita(FIRST_DAY + timedelta(days=1), 9, 10)
    code = self_check_in.door_code(session, now)
    with pytest.raises(RuleViolation, match="tidak dibuka"):
        self_check_in.check_in_self(session, code.window, code.signature, person.check_in_code, now)


def test_an_organiser_confirms_or_undoes(meeting, organiser, make_user):
    from portal.accounts.models import Role

    session = meeting.sessions[0]
    now = wita(FIRST_DAY, 9, 10)
    code = self_check_in.door_code(session, now)
    first, second = (self_check_in.check_in_self(session, code.window, code.signature, r.check_in_code, now)
                     for r in meeting.registrations)
    db.session.commit()
    assert [r.id for r in self_check_in.awaiting_confirmation(session)] == [first.id, second.id]
    with pytest.raises(RuleViolation):
        self_check_in.confirm(make_user(Role.BOARD), session, first.id, now)
    self_check_in.confirm(organiser, session, first.id, now)
    self_check_in.undo(organiser, session, second.id)
    db.session.commit()
    [kept] = _records()
    assert kept.id == first.id and kept.confirmed_by_id == organiser.id and kept.confirmed_at == now
    assert self_check_in.awaiting_confirmation(session) == []
    with pytest.raises(RuleViolation):
        self_check_in.undo(organiser, meeting.sessions[1], first.id)


def test_the_door_page_and_the_participants_page(client, meeting, organiser, login, clock):
    session, person = meeting.sessions[0], meeting.registrations[0]
    clock.set(FIRST_DAY, 8, 45)
    door = f"/organiser/events/{meeting.event.id}/attendance/{session.id}/door"
    assert client.get(door).status_code == 302  # to the login page
    login(client, organiser)
    page = client.get(door)
    assert page.status_code == 200 and 'data-refresh="30"' in page.text and "<svg" in page.text
    code = self_check_in.door_code(session, wita(FIRST_DAY, 8, 45))
    client.post("/logout")
    url = f"/self-check-in/{session.id}"
    opened = client.get(url, query_string={"w": code.window, "s": code.signature})
    assert opened.status_code == 200 and _records() == []  # opening marks nobody
    forged = client.post(url, data={"w": code.window, "s": "f" * 20, "code": person.check_in_code})
    assert forged.status_code == 409 and _records() == []
    done = client.post(url, data={"w": code.window, "s": code.signature, "code": person.check_in_code})
    assert done.status_code == 200 and 'data-result="new"' in done.text
    again = client.post(url, data={"w": code.window, "s": code.signature, "code": person.check_in_code})
    assert again.status_code == 409
    [record] = _records()
    assert record.source == MarkSource.SELF
    login(client, organiser)
    assert person.participant.full_name in client.get(door).text
    confirmed = client.post(f"{door}/{record.id}/confirm")
    assert confirmed.status_code == 302
    assert _records()[0].confirmed_by_id == organiser.id
    assert client.get(f"/self-check-in/{meeting.sessions[1].id}").status_code == 404  # not open there


def test_the_door_pages_are_for_organisers(client, meeting, logged_in):
    from portal.accounts.models import Role

    logged_in(Role.BOARD)
    session = meeting.sessions[0]
    base = f"/organiser/events/{meeting.event.id}/attendance/{session.id}/door"
    assert client.get(base).status_code == 403
    assert client.post(f"{base}/self-check-in", data={"enabled": "0"}).status_code == 403
    db.session.refresh(session)
    assert session.self_check_in is True


# -- "Saya hadir" on the participant's own ticket page ---------------------------------------------


def test_the_ticket_page_offers_i_am_here_only_in_the_window_and_marks_once_as_self(client, meeting, clock):
    session, person = meeting.sessions[0], meeting.registrations[0]
    ticket = f"/tickets/{person.token}"
    post = f"/tickets/{person.token}/self-check-in/{session.id}"
    clock.set(FIRST_DAY, 8, 20)  # 40 minutes before: not yet
    assert 'data-testid="ticket-self-check-in"' not in client.get(ticket).text
    early = client.post(post)
    assert early.status_code == 409 and "hanya dibuka mulai 30 menit sebelum sesi" in early.text
    assert _records() == []
    clock.set(FIRST_DAY, 8, 45)
    page = client.get(ticket)
    assert 'data-testid="ticket-self-check-in-button"' in page.text and "Saya hadir" in page.text
    assert f'data-session="{meeting.sessions[1].id}"' not in page.text  # no self check-in there
    done = client.post(post)
    assert done.status_code == 200 and 'data-result="new"' in done.text
    [record] = _records()
    assert (record.registration_id, record.session_id, record.source, record.confirmed_at) == (
        person.id, session.id, MarkSource.SELF, None)
    assert record.arrived_at == wita(FIRST_DAY, 8, 45) and record.marked_by_id is None
    again = client.post(post)
    assert again.status_code == 409 and "sudah tercatat" in again.text
    assert len(_records()) == 1
    after = client.get(ticket).text
    assert 'data-testid="self-checked-in"' in after and 'data-testid="ticket-self-check-in-button"' not in after
    clock.set(FIRST_DAY, 12, 5)  # after the end
    other = meeting.registrations[1]
    assert 'data-testid="ticket-self-check-in"' not in client.get(f"/tickets/{other.token}").text
    late = client.post(f"/tickets/{other.token}/self-check-in/{session.id}")
    assert late.status_code == 409 and len(_records()) == 1


def test_the_ticket_check_in_reuses_the_door_rules(meeting, training):
    session, person = meeting.sessions[0], meeting.registrations[0]
    closed = meeting.sessions[1]
    with pytest.raises(RuleViolation):
        self_check_in.check_in_from_ticket(closed, person, wita(FIRST_DAY, 9))
    stranger = training(people=1, cooperative_name="KSU Lain").registrations[0]
    with pytest.raises(RuleViolation):
        self_check_in.check_in_from_ticket(session, stranger, wita(FIRST_DAY, 9))
    db.session.rollback()
    assert _records() == []
    self_check_in.check_in_from_ticket(session, person, wita(FIRST_DAY, 9))
    code = self_check_in.door_code(session, wita(FIRST_DAY, 9, 5))
    with pytest.raises(RuleViolation, match="sudah tercatat"):  # once per person and session, whichever way
        self_check_in.check_in_self(session, code.window, code.signature, person.check_in_code, wita(FIRST_DAY, 9, 5))
    db.session.rollback()


def test_a_ticket_cannot_check_in_to_another_events_session(client, meeting, training, clock, organiser):
    other = training(people=1, cooperative_name="KSU Lain")
    self_check_in.set_enabled(organiser, other.sessions[0], True)
    db.session.commit()
    clock.set(FIRST_DAY, 9)
    person = meeting.registrations[0]
    assert client.post(f"/tickets/{person.token}/self-check-in/{other.sessions[0].id}").status_code == 404
    assert client.post(f"/tickets/not-a-token/self-check-in/{meeting.sessions[0].id}").status_code == 404
    assert _records() == []
