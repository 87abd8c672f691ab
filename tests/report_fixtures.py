"""A small office year counted by hand for the reports (tests/test_reports.py)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.attendance.models import ATTENDED_MARKS, AttendanceMark, AttendanceRecord, MarkSource
from portal.certificates.models import Certificate
from portal.cooperatives.models import CooperativeStatus, CooperativeType
from portal.events.models import EventKind, EventStatus, ProgramArea
from portal.extensions import db
from portal.invitations.models import AnswerChannel, Invitation, InvitationAnswer, InvitationRound, sort_key
from portal.registrations.models import Participant, ParticipantPosition, Registration, RegistrationStatus, Sex

YEAR = 2025
TRAINING_DAY = date(YEAR, 6, 10)
MEETING_DAY = date(YEAR, 9, 2)
LAST_YEAR_DAY = date(YEAR - 1, 11, 5)
ANSWERED = datetime(YEAR, 6, 1, 2, 0, tzinfo=UTC)


@dataclass
class OfficeYear:
    training: object
    meeting: object
    last_year: object
    cooperatives: dict


def register(event, cooperative, *, position=ParticipantPosition.STAFF, sex=None, marks=(),
             status=RegistrationStatus.CONFIRMED, name=None):
    """One person of ``cooperative`` on ``event``; ``marks`` are (session index, mark)."""
    person = Participant(cooperative_id=cooperative.id, full_name=name or f"Orang {cooperative.name}",
                         position=position, sex=sex)
    registration = Registration(event_id=event.id, participant=person, cooperative_id=cooperative.id, status=status)
    db.session.add(registration)
    db.session.flush()
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    for index, mark in marks:
        db.session.add(AttendanceRecord(registration_id=registration.id, session_id=sessions[index].id, mark=mark,
                                        source=MarkSource.SHEET,
                                        arrived_at=ANSWERED if mark in ATTENDED_MARKS else None))
    return registration


def invite_to(event, cooperatives, answers=None):
    round_ = InvitationRound(event_id=event.id, letter_number=f"00{event.id}/KOP/{YEAR}")
    db.session.add(round_)
    db.session.flush()
    for cooperative in cooperatives:
        answer = (answers or {}).get(cooperative.name)
        sent = datetime.combine(event.starts_on, time(1), tzinfo=UTC) - timedelta(days=20)
        db.session.add(Invitation(event_id=event.id, round_id=round_.id, cooperative_id=cooperative.id, answer=answer,
                                  sort_name=sort_key(cooperative.name), created_at=sent,
                                  answer_channel=AnswerChannel.LINK if answer else None,
                                  answered_at=ANSWERED if answer else None))


@pytest.fixture
def office_year(make_event, make_invitee):
    """By hand, in ``YEAR``:
    - A (Kupang Timur, KSP, active): invited to the training, accepted; two people registered: a
      woman of the board present on both days (certificate), a staff member who never came.
    - B (Kupang Timur, KSU, inactive): invited to the training, no answer.
    - C (Semau, KSP, inactive): not invited; one man of its staff registered, late on day 1.
    - D (Semau, consumer, active): invited only to last year's meeting: never reached this year.
    - E (Semau, KSP, active): invited to the meeting (September), declined.
    The training (HR, 20 seats, two days in June), the meeting (one day in September), last year's
    meeting (November of the year before)."""
    names = {"A": ("Kupang Timur", CooperativeType.SAVINGS_AND_LOAN, CooperativeStatus.ACTIVE),
             "B": ("Kupang Timur", CooperativeType.MULTI_PURPOSE, CooperativeStatus.INACTIVE),
             "C": ("Semau", CooperativeType.SAVINGS_AND_LOAN, CooperativeStatus.INACTIVE),
             "D": ("Semau", CooperativeType.CONSUMER, CooperativeStatus.ACTIVE),
             "E": ("Semau", CooperativeType.SAVINGS_AND_LOAN, CooperativeStatus.ACTIVE)}
    cooperatives = {n: make_invitee(name=f"Koperasi {n}", district_name=district, type=kind, status=status)
                    for n, (district, kind, status) in names.items()}
    training = make_event(title="Pelatihan Pembukuan", seats=20, status=EventStatus.PUBLISHED,
                          program_area=ProgramArea.HR_TRAINING,
                          sessions=((TRAINING_DAY, time(9), time(12)), (date(YEAR, 6, 11), time(9), time(12))))
    meeting = make_event(title="Rakor Koperasi", kind=EventKind.MEETING, program_area=None,
                         status=EventStatus.PUBLISHED, sessions=((MEETING_DAY, time(9), time(12)),))
    last_year = make_event(title="Rakor Lama", kind=EventKind.MEETING, program_area=None,
                           status=EventStatus.PUBLISHED, sessions=((LAST_YEAR_DAY, time(9), time(12)),))
    invite_to(training, [cooperatives["A"], cooperatives["B"]], {"Koperasi A": InvitationAnswer.ACCEPTED})
    invite_to(meeting, [cooperatives["E"]], {"Koperasi E": InvitationAnswer.DECLINED})
    invite_to(last_year, [cooperatives["D"]])
    woman = register(training, cooperatives["A"], position=ParticipantPosition.BOARD, sex=Sex.FEMALE,
                     marks=[(0, AttendanceMark.PRESENT), (1, AttendanceMark.PRESENT)], name="Maria")
    register(training, cooperatives["A"], marks=[(0, AttendanceMark.ABSENT)], name="Yakobus")
    register(training, cooperatives["C"], sex=Sex.MALE, marks=[(0, AttendanceMark.LATE)], name="Petrus")
    db.session.add(Certificate(registration_id=woman.id, event_id=training.id, full_name="Maria",
                               affiliation="Koperasi A", sessions_attended=2, minutes_attended=360))
    db.session.commit()
    return OfficeYear(training, meeting, last_year, cooperatives)
