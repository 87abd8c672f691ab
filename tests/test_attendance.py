"""The attendance rules, called through the services."""

from datetime import UTC

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from portal.attendance import queries, services
from portal.attendance.models import AttendanceMark, AttendanceRecord, MarkSource
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.events import services as event_services
from portal.extensions import db
from portal.registrations import services as registrations
from portal.registrations.models import Registration, RegistrationStatus
from tests.attendance_fixtures import wita
from tests.concurrency import run_together


def records(registration=None) -> list[AttendanceRecord]:
    query = select(AttendanceRecord).order_by(AttendanceRecord.id)
    if registration is not None:
        query = query.where(AttendanceRecord.registration_id == registration.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def test_one_record_per_person_and_session_whatever_is_tapped(training, organiser):
    t = training(people=1)
    person, session = t.registrations[0], t.sessions[0]
    arrived = wita(t.day(1), 9, 3)
    services.mark_attendance(organiser, person.id, session.id, "present", arrived)
    late = services.mark_attendance(organiser, person.id, session.id, AttendanceMark.LATE, wita(t.day(1), 9, 40))
    assert late.arrived_at == arrived, "present to late keeps the time the person came"
    excused = services.mark_attendance(organiser, person.id, session.id, "excused", wita(t.day(1), 10))
    db.session.commit()
    assert excused.arrived_at is None
    assert [(r.mark, r.source) for r in records()] == [(AttendanceMark.EXCUSED, MarkSource.SHEET)]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "attendance.marked")) == 3


def test_late_counts_as_attended_and_excused_does_not(training, organiser):
    t = training(people=4)
    first = t.sessions[0]
    for registration, mark in zip(t.registrations, ("present", "late", "excused", "absent"), strict=True):
        services.mark_attendance(organiser, registration.id, first.id, mark, wita(t.day(1), 9))
    db.session.commit()
    counts = queries.session_counts(t.event)[first.id]
    assert (counts.present, counts.late, counts.excused, counts.absent, counts.unmarked) == (1, 1, 1, 1, 0)
    assert counts.attended == 2 and counts.rate == 0.5
    assert queries.session_counts(t.event)[t.sessions[1].id].unmarked == 4


def test_a_mark_must_be_one_of_the_four(training, organiser):
    t = training(people=1)
    with pytest.raises(RuleViolation) as refused:
        services.mark_attendance(organiser, t.registrations[0].id, t.sessions[0].id, "sick", wita(t.day(1), 9))
    assert refused.value.field == "mark"


def test_checking_in_twice_says_already_with_the_first_time(training, organiser):
    t = training(people=1)
    person, session = t.registrations[0], t.sessions[0]
    first = services.check_in(organiser, person, session, wita(t.day(1), 9, 3))
    again = services.check_in(organiser, person, session, wita(t.day(1), 9, 20))
    db.session.commit()
    assert first.is_new and not again.is_new
    assert again.record.arrived_at == wita(t.day(1), 9, 3)
    assert len(records()) == 1


def test_someone_marked_absent_who_turns_up_is_checked_in(training, organiser):
    t = training(people=2)
    session = t.sessions[0]
    services.mark_attendance(organiser, t.registrations[0].id, session.id, "present", wita(t.day(1), 9))
    assert services.mark_remaining_absent(organiser, t.event.id, session.id, wita(t.day(1), 10)) == 1
    result = services.check_in(organiser, t.registrations[1], session, wita(t.day(1), 10, 15))
    assert result.is_new and result.record.mark == AttendanceMark.PRESENT
    assert result.record.arrived_at == wita(t.day(1), 10, 15)


def test_mark_remaining_absent_leaves_marked_people_alone(training, organiser):
    t = training(people=4)
    session = t.sessions[1]
    services.mark_attendance(organiser, t.registrations[0].id, session.id, "late", wita(t.day(2), 9, 30))
    services.mark_attendance(organiser, t.registrations[1].id, session.id, "excused", wita(t.day(2), 9))
    assert services.mark_remaining_absent(organiser, t.event.id, session.id, wita(t.day(2), 12)) == 2
    assert services.mark_remaining_absent(organiser, t.event.id, session.id, wita(t.day(2), 12)) == 0
    db.session.commit()
    counts = queries.session_counts(t.event)[session.id]
    assert (counts.late, counts.excused, counts.absent, counts.unmarked) == (1, 1, 2, 0)
    assert queries.session_counts(t.event)[t.sessions[0].id].unmarked == 4


def test_the_session_is_chosen_by_the_time_in_wita(training):
    t = training(people=0)
    day1, day2, day3 = t.sessions
    # 07.45 WITA on day 2 is still day 1 in UTC: the office's day decides, not UTC's.
    early = wita(t.day(2), 7, 45)
    assert early.astimezone(UTC).date() == t.day(1)
    assert services.current_session(t.event, early) == day2
    assert services.current_session(t.event, wita(t.day(1), 11, 59)) == day1
    assert services.current_session(t.event, wita(t.day(3), 9, 30)) == day3
    assert services.current_session(t.event, wita(t.day(2), 12, 0)) is None, "the day's session has ended"
    assert services.current_session(t.event, wita(t.day(1), 0, 30)) == day1
    assert services.current_session(t.event, wita(t.day(0), 23, 30)) is None, "the evening before"


def test_a_tampered_or_swapped_check_in_link_finds_nobody(training, organiser):
    t, other = training(people=1), training(people=1)
    token = services.check_in_token(t.registrations[0])
    assert services.registration_for_token(token) == t.registrations[0]
    tampered = token[:-2] + ("AB" if token[-2:] != "AB" else "CD")
    swapped = services._serializer().dumps([t.registrations[0].id, other.event.id])
    for bad in (tampered, swapped, "x", token.replace(".", "")):
        with pytest.raises(RuleViolation):
            services.registration_for_token(bad)
    forged = URLSafeSerializer("another-key", salt=services.CHECK_IN_SALT).dumps([t.registrations[0].id, t.event.id])
    with pytest.raises(RuleViolation):
        services.registration_for_token(forged)


def test_a_ticket_for_another_event_is_not_checked_in_here(training, organiser):
    t, other = training(people=1), training(people=1)
    with pytest.raises(RuleViolation, match=other.event.title):
        services.check_in(organiser, other.registrations[0], t.sessions[0], wita(t.day(1), 9))
    assert records() == []


def test_only_organisers_take_attendance(training):
    t = training(people=1)
    with pytest.raises(RuleViolation):
        services.check_in(t.board, t.registrations[0], t.sessions[0], wita(t.day(1), 9))
    with pytest.raises(RuleViolation):
        services.mark_attendance(t.board, t.registrations[0].id, t.sessions[0].id, "present", wita(t.day(1), 9))
    with pytest.raises(RuleViolation):
        services.check_in(None, t.registrations[0], t.sessions[0], wita(t.day(1), 9))
    assert records() == []


def test_a_cancelled_registration_is_not_checked_in(training, organiser):
    t = training(people=1)
    registrations.cancel_registration(organiser, t.registrations[0])
    with pytest.raises(RuleViolation):
        services.check_in(organiser, t.registrations[0], t.sessions[0], wita(t.day(1), 9))


def test_no_attendance_for_a_cancelled_event(training, organiser):
    t = training(people=1)
    event_services.cancel_event(organiser, t.event, "Banjir")
    with pytest.raises(RuleViolation):
        services.check_in(organiser, t.registrations[0], t.sessions[0], wita(t.day(1), 9))


def test_the_typed_code_is_unique_in_the_event_and_forgiving_to_type(training, organiser):
    t = training(people=12)
    codes = [r.check_in_code for r in t.registrations]
    assert len(set(codes)) == 12 and all(len(code) == 6 for code in codes)
    assert not set("".join(codes)) & set("0O1IL25S8B")
    code = codes[3]
    typed = f" {code[:3].lower()}-{code[3:]} "
    result = services.check_in_by_code(organiser, t.sessions[0], typed, wita(t.day(1), 9, 5))
    assert result.registration == t.registrations[3] and result.record.source == MarkSource.CODE
    with pytest.raises(RuleViolation) as unknown:
        services.check_in_by_code(organiser, t.sessions[0], "AAAAAA" if code != "AAAAAA" else "CCCCCC",
                                  wita(t.day(1), 9, 5))
    assert unknown.value.field == "code"


def test_a_walk_in_takes_no_seat_and_is_marked_like_anyone(training, organiser, make_cooperative):
    t = training(people=2, seats=2)
    sawah = make_cooperative(name="KSU Sawah Indah")
    result = services.record_walk_in(organiser, t.sessions[0], "Yakobus Tefa", "ksu sawah indah", "member",
                                     "0812 3456 7890", wita(t.day(1), 9, 10))
    db.session.commit()
    walk_in = result.registration
    assert walk_in.status == RegistrationStatus.WALK_IN and walk_in.cooperative_id == sawah.id
    assert result.is_new and result.record.source == MarkSource.WALK_IN
    assert event_services.seats_taken([t.event.id]) == {t.event.id: 2}
    rows, counts = queries.sheet(t.event.id, t.sessions[0].id)
    assert [row.is_walk_in for row in rows if row.full_name == "Yakobus Tefa"] == [True]
    assert (counts.present, counts.unmarked, counts.total) == (1, 2, 3)
    services.mark_attendance(organiser, walk_in.id, t.sessions[1].id, "late", wita(t.day(2), 9, 30))
    guest = services.record_walk_in(organiser, t.sessions[0], "Maria Bria", "Bank NTT Cabang Oelamasi", "staff",
                                    None, wita(t.day(1), 9, 12))
    assert guest.registration.participant.organisation_name == "Bank NTT Cabang Oelamasi"
    assert guest.registration.cooperative_id is None


def test_a_walk_in_typed_twice_is_one_person(training, organiser):
    t = training(people=0)
    first = services.record_walk_in(organiser, t.sessions[0], "Yakobus Tefa", "Dinas Pertanian", "staff", None,
                                    wita(t.day(1), 9, 10))
    again = services.record_walk_in(organiser, t.sessions[0], "yakobus  tefa", "Dinas Pertanian", "staff", None,
                                    wita(t.day(1), 9, 11))
    assert again.registration == first.registration and not again.is_new
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_two_walk_ins_giving_the_office_phone_are_two_people(training, organiser):
    t = training(people=0)
    first = services.record_walk_in(organiser, t.sessions[0], "Yohanes Bani", "Dinas Pertanian", "staff",
                                    "0380 821234", wita(t.day(1), 9, 10))
    second = services.record_walk_in(organiser, t.sessions[0], "Maria Kolo", "Dinas Pertanian", "staff",
                                     "0380 821234", wita(t.day(1), 9, 11))
    assert second.is_new and second.registration != first.registration
    assert second.registration.participant.full_name == "Maria Kolo"


def test_someone_who_cancelled_and_comes_anyway_becomes_a_walk_in(training, organiser):
    t = training(people=1, cooperative_name="KSP Sehati")
    registration = t.registrations[0]
    registrations.cancel_registration(organiser, registration)
    result = services.record_walk_in(organiser, t.sessions[0], registration.participant.full_name, "KSP Sehati",
                                     "staff", None, wita(t.day(1), 9))
    assert result.registration == registration and registration.status == RegistrationStatus.WALK_IN


def test_a_walk_in_needs_a_cooperative_or_organisation(training, organiser):
    t = training(people=0)
    with pytest.raises(RuleViolation) as refused:
        services.record_walk_in(organiser, t.sessions[0], "Yakobus", "  ", "staff", None, wita(t.day(1), 9))
    assert refused.value.field == "affiliation"


@pytest.mark.postgres
def test_twenty_devices_checking_in_one_person_at_once_leave_one_record(app, training, organiser, is_postgres):
    """On PostgreSQL the threads really overlap: the losers' INSERT waits for the winner's commit,
    then does nothing, and they read the winner's time. On SQLite writers take turns."""
    t = training(people=1)
    registration_id, session_id, organiser_id = t.registrations[0].id, t.sessions[0].id, organiser.id

    def scan(i):
        from portal.accounts.models import User
        from portal.events.models import EventSession

        result = services.check_in(db.session.get(User, organiser_id), db.session.get(Registration, registration_id),
                                   db.session.get(EventSession, session_id), wita(t.day(1), 9, i))
        return result.is_new, result.record.arrived_at

    results = run_together(app, 20, scan)
    assert [r for r in results if isinstance(r, Exception)] == []
    winners = [arrived for is_new, arrived in results if is_new]
    assert len(winners) == 1
    assert {arrived for _is_new, arrived in results} == {winners[0]}, "the others are told when it was done"
    assert len(records()) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "attendance.checked_in")) == 1
