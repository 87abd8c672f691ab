"""Demo data for the reports: this year's completed trainings, one per programme area, each with
cooperatives invited (some answered, some declined), people signed up (their sex recorded for
most, as the office's forms ask), attendance marked and certificates issued; and a leader's
login. Written as it stood on each day. Safe to run again: a year that has them is left alone."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.services import create_user, find_user_by_email
from portal.attendance.models import AttendanceMark, AttendanceRecord, MarkSource
from portal.certificates.models import Certificate
from portal.cooperatives.models import Cooperative, CooperativeStatus
from portal.events.models import Event, EventKind, EventSession, EventStatus, ProgramArea, Venue
from portal.events.services import local_moment
from portal.extensions import db
from portal.invitations.models import AnswerChannel, Invitation, InvitationAnswer, InvitationRound, sort_key
from portal.registrations import tickets
from portal.registrations.models import Participant, ParticipantPosition, Registration, RegistrationStatus, Sex

LEADER = ("pimpinan@demo.portal-koperasi.example.org", "Kepala Dinas Koperasi")
TRAININGS = [
    (ProgramArea.PROMOTION, "Pelatihan Promosi Produk Koperasi", 2, 10),
    (ProgramArea.BUSINESS_NETWORK, "Temu Jejaring Usaha Koperasi dan Mitra", 3, 1),
    (ProgramArea.CAPITAL, "Pelatihan Akses Permodalan bagi Koperasi", 4, 15),
    (ProgramArea.TECHNOLOGY, "Pelatihan Aplikasi Pembukuan Digital", 5, 20),
    (ProgramArea.HR_TRAINING, "Diklat Pengurus dan Pengawas Koperasi", 6, 3),
]
MARKS = [AttendanceMark.PRESENT] * 6 + [AttendanceMark.LATE, AttendanceMark.ABSENT, AttendanceMark.EXCUSED]
FIRST_NAMES = ["Maria", "Yohanes", "Agustina", "Petrus", "Fransiska", "Yakobus", "Elisabeth", "Markus", "Theresia",
               "Paulus", "Magdalena", "Simon"]
LAST_NAMES = ["Bani", "Nenobais", "Tefa", "Manafe", "Lerik", "Sabu", "Ndun", "Tanone", "Bessie", "Kolo"]


def seed_leader(password: str) -> str:
    """The head of office's read-only login; its email."""
    email, name = LEADER
    if find_user_by_email(email) is None:
        create_user(None, email, name, Role.LEADER, password)
    return email


def seed_reports(actor, today: date) -> None:
    """Five two-day trainings of this year already held (those whose month has passed)."""
    year = today.year
    venue = db.session.scalar(select(Venue).order_by(Venue.id))
    if actor is None or venue is None or db.session.scalar(
            select(Event.id).where(Event.title == f"{TRAININGS[0][1]} {year}")) is not None:
        return
    rng = random.Random(year)
    # Active cooperatives only: the revival demo tells the inactive ones' story (portal/revival/demo.py).
    cooperatives = list(db.session.scalars(select(Cooperative).where(Cooperative.status == CooperativeStatus.ACTIVE)
                                           .order_by(Cooperative.id)))
    for area, title, month, day in TRAININGS:
        starts_on = date(year, month, day)
        if starts_on + timedelta(days=1) >= today:
            continue
        _training(actor, venue, rng, rng.sample(cooperatives, min(24, len(cooperatives))), area,
                  f"{title} {year}", starts_on)


def _training(actor, venue, rng, invited, area, title, starts_on) -> None:
    event = Event(office_id=actor.office_id, kind=EventKind.TRAINING, program_area=area, title=title, seats=40,
                  starts_on=starts_on, ends_on=starts_on + timedelta(days=1), status=EventStatus.COMPLETED,
                  facilitator="Dinas Koperasi Kabupaten Kupang")
    db.session.add(event)
    db.session.flush()
    sessions = [EventSession(event_id=event.id, starts_at=local_moment(starts_on + timedelta(days=n), time(9)),
                             ends_at=local_moment(starts_on + timedelta(days=n), time(15)), venue_id=venue.id)
                for n in range(2)]
    db.session.add_all(sessions)
    sent = datetime.combine(starts_on - timedelta(days=21), time(1), tzinfo=sessions[0].starts_at.tzinfo)
    round_ = InvitationRound(event_id=event.id, sent_by_id=actor.id,
                             letter_number=f"{event.id:03d}/KOP/{starts_on.year}")
    db.session.add(round_)
    db.session.flush()
    queue = 0
    for cooperative in invited:
        answer = rng.choice([InvitationAnswer.ACCEPTED] * 3 + [InvitationAnswer.DECLINED, None])
        db.session.add(Invitation(
            event_id=event.id, round_id=round_.id, cooperative_id=cooperative.id, sort_name=sort_key(cooperative.name),
            created_at=sent, answer=answer,
            answered_at=sent + timedelta(days=rng.randint(1, 10)) if answer else None,
            answer_channel=rng.choice(list(AnswerChannel)) if answer else None,
            decline_reason="Bertepatan dengan RAT" if answer == InvitationAnswer.DECLINED else None,
            attendee_count=2 if answer == InvitationAnswer.ACCEPTED else None))
        if answer != InvitationAnswer.ACCEPTED:
            continue
        for position in (ParticipantPosition.BOARD, ParticipantPosition.STAFF)[:rng.randint(1, 2)]:
            queue += 1
            _person(actor, event, sessions, rng, cooperative, position, queue, sent)


def _person(actor, event, sessions, rng, cooperative, position, queue, sent) -> None:
    sex = rng.choice([Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, None])
    board = cooperative.board_members if position == ParticipantPosition.BOARD else []
    # A board member comes as the person on the board list (the participants report counts them
    # as ketua, sekretaris, ...): the same person each time, as registration would match them.
    name = rng.choice(board).full_name if board else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    person = db.session.scalar(select(Participant).where(Participant.cooperative_id == cooperative.id,
                                                         Participant.full_name == name)) if board else None
    if person is None:
        person = Participant(cooperative_id=cooperative.id, full_name=name, position=position, sex=sex,
                             created_by_id=actor.id)
    elif db.session.scalar(select(Registration.id).where(Registration.event_id == event.id,
                                                         Registration.participant_id == person.id)):
        return  # already coming to this event
    registration = Registration(event_id=event.id, participant=person, cooperative_id=cooperative.id,
                                status=RegistrationStatus.CONFIRMED, queue_number=queue, signed_up_by_id=actor.id,
                                confirmed_at=sent + timedelta(days=12))
    tickets.assign_check_in_code(registration)
    db.session.add(registration)
    db.session.flush()
    attended = 0
    for session in sessions:
        mark = rng.choice(MARKS)
        attended += mark in (AttendanceMark.PRESENT, AttendanceMark.LATE)
        db.session.add(AttendanceRecord(
            registration_id=registration.id, session_id=session.id, mark=mark, source=MarkSource.SHEET,
            marked_by_id=actor.id, arrived_at=session.starts_at + timedelta(minutes=35 if mark == AttendanceMark.LATE
                                                                            else -10)
            if mark in (AttendanceMark.PRESENT, AttendanceMark.LATE) else None))
    if attended == len(sessions):
        db.session.add(Certificate(registration_id=registration.id, event_id=event.id, full_name=person.full_name,
                                   affiliation=cooperative.name, sessions_attended=attended,
                                   minutes_attended=attended * 360, issued_by_id=actor.id,
                                   issued_at=sessions[-1].ends_at + timedelta(days=2)))
