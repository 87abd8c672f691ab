"""Which cooperatives came: every cooperative invited or registered for an event, and how far it
went, counted by hand on a fixture; filtered by district and stage; paginated in a fixed number of
queries; exported as CSV and XLSX and read back."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest

from portal.attendance.models import ATTENDED_MARKS, AttendanceMark, AttendanceRecord, MarkSource
from portal.events.models import EventKind
from portal.extensions import db
from portal.invitations.models import AnswerChannel, InvitationAnswer
from portal.registrations.models import Participant, ParticipantPosition, Registration, RegistrationStatus
from portal.reports import turnout
from tests.invitation_fixtures import invitations_of

ANSWERED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _register(event, cooperative, status=RegistrationStatus.CONFIRMED, marks=()):
    """One person of ``cooperative`` on ``event``; ``marks`` are (session index, mark)."""
    person = Participant(cooperative_id=cooperative.id, full_name=f"Orang {cooperative.name}",
                         position=ParticipantPosition.STAFF)
    registration = Registration(event_id=event.id, participant=person, cooperative_id=cooperative.id, status=status)
    db.session.add(registration)
    db.session.flush()
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    for index, mark in marks:
        db.session.add(AttendanceRecord(registration_id=registration.id, session_id=sessions[index].id, mark=mark,
                                        source=MarkSource.SHEET,
                                        arrived_at=ANSWERED if mark in ATTENDED_MARKS else None))
    return registration


@pytest.fixture
def rakor(invitable_event, make_invitee, invite):
    """A two-day meeting. By hand:
    A invited, no answer; B declined by phone; C accepted by WhatsApp, names owed;
    D accepted by its link, 2 registered, nobody came; E accepted by letter (Semau), 3 registered,
    one present at session 1, one late at session 2, one absent; F not invited, walked in at session 1
    (Semau); G invited, its only registration cancelled."""
    event = invitable_event(kind=EventKind.MEETING, days=2)
    names = "ABCDEG"
    cooperatives = {n: make_invitee(name=f"KSP {n}", district_name="Semau" if n == "E" else "Kupang Timur")
                    for n in names}
    invite(event, cooperatives=list(cooperatives.values()))
    by_cooperative = {i.cooperative_id: i for i in invitations_of(event)}
    for n, answer, channel in (("B", InvitationAnswer.DECLINED, AnswerChannel.PHONE),
                               ("C", InvitationAnswer.ACCEPTED, AnswerChannel.WHATSAPP),
                               ("D", InvitationAnswer.ACCEPTED, AnswerChannel.LINK),
                               ("E", InvitationAnswer.ACCEPTED, AnswerChannel.LETTER)):
        invitation = by_cooperative[cooperatives[n].id]
        invitation.answer, invitation.answer_channel, invitation.answered_at = answer, channel, ANSWERED
    cooperatives["F"] = make_invitee(name="KSP F", district_name="Semau")
    for _ in range(2):
        _register(event, cooperatives["D"])
    _register(event, cooperatives["E"], marks=[(0, AttendanceMark.PRESENT), (1, AttendanceMark.ABSENT)])
    _register(event, cooperatives["E"], marks=[(0, AttendanceMark.EXCUSED), (1, AttendanceMark.LATE)])
    _register(event, cooperatives["E"], marks=[(0, AttendanceMark.ABSENT)])
    _register(event, cooperatives["F"], status=RegistrationStatus.WALK_IN, marks=[(0, AttendanceMark.PRESENT)])
    _register(event, cooperatives["G"], status=RegistrationStatus.CANCELLED)
    db.session.commit()
    return event, cooperatives


EXPECTED = {  # name: (invited, answer, channel, registered, attended, sessions, stage)
    "KSP A": (True, None, None, 0, 0, [], turnout.Stage.INVITED),
    "KSP B": (True, InvitationAnswer.DECLINED, AnswerChannel.PHONE, 0, 0, [], turnout.Stage.DECLINED),
    "KSP C": (True, InvitationAnswer.ACCEPTED, AnswerChannel.WHATSAPP, 0, 0, [], turnout.Stage.ACCEPTED),
    "KSP D": (True, InvitationAnswer.ACCEPTED, AnswerChannel.LINK, 2, 0, [], turnout.Stage.REGISTERED),
    "KSP E": (True, InvitationAnswer.ACCEPTED, AnswerChannel.LETTER, 3, 2, [1, 2], turnout.Stage.ATTENDED),
    "KSP F": (False, None, None, 0, 1, [1], turnout.Stage.ATTENDED),
    "KSP G": (True, None, None, 0, 0, [], turnout.Stage.INVITED),
}


def test_each_cooperative_has_its_path_counted_by_hand(app, rakor):
    event, _ = rakor
    rows = turnout.all_rows(event)
    assert {row.name: (row.invited, row.answer, row.channel, row.registered, row.attended, row.sessions, row.stage)
            for row in rows} == EXPECTED
    assert [row.name for row in rows] == sorted(EXPECTED)
    assert turnout.stage_counts(event.id) == {"invited": 2, "declined": 1, "accepted": 1, "registered": 1,
                                              "attended": 2}


def test_filters_by_stage_and_district(app, rakor):
    event, cooperatives = rakor
    assert [r.name for r in turnout.all_rows(event, stage="attended")] == ["KSP E", "KSP F"]
    semau = cooperatives["E"].district_id
    assert [r.name for r in turnout.all_rows(event, district_ids=[semau])] == ["KSP E", "KSP F"]
    assert [r.name for r in turnout.all_rows(event, district_ids=[semau], stage="invited")] == []


def test_the_page_shows_the_rows_in_a_fixed_number_of_queries(app, client, login, organiser, rakor,
                                                               make_invitee, invite, count_queries):
    event, _ = rakor
    login(client, organiser)
    url = f"/organiser/events/{event.id}/cooperatives"
    client.get(url)
    with count_queries() as few:
        html = client.get(url).get_data(as_text=True)
    assert html.count('data-testid="turnout-row"') == 7
    assert f'data-cooperative="{rakor[1]["E"].id}" data-stage="attended"' in html
    invite(event, cooperatives=[make_invitee() for _ in range(8)])
    with count_queries() as more:
        html = client.get(url).get_data(as_text=True)
    assert html.count('data-testid="turnout-row"') == 15
    assert len(more) == len(few)
    app.config["PER_PAGE"] = 5
    html = client.get(url + "?stage=invited&page=2").get_data(as_text=True)
    assert html.count('data-testid="turnout-row"') == 5


def test_the_tab_links_to_it(client, login, organiser, rakor):
    event, _ = rakor
    login(client, organiser)
    html = client.get(f"/organiser/events/{event.id}/attendance").get_data(as_text=True)
    assert f'href="/organiser/events/{event.id}/cooperatives"' in html


def test_csv_and_xlsx_read_back(client, login, organiser, rakor):
    event, _ = rakor
    login(client, organiser)
    with_header = list(csv.reader(io.StringIO(
        client.get(f"/organiser/events/{event.id}/cooperatives.csv").data.decode("utf-8-sig")), delimiter=";"))
    rows = {row[0]: row for row in with_header[1:]}
    assert len(with_header) == 8
    assert rows["KSP E"][1] == "Semau"
    assert rows["KSP E"][5:8] == ["3", "2", "1, 2"]
    assert rows["KSP F"][2] == "Tidak"
    assert rows["KSP B"][4] and rows["KSP A"][3:5] == ["", ""]  # the channel read as its label
    response = client.get(f"/organiser/events/{event.id}/cooperatives.xlsx?stage=attended")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in values[1:]] == ["KSP E", "KSP F"]
    assert values[1][5:8] == [3, 2, "1, 2"]  # numbers stay numbers
    assert values[2][5:8] == [0, 1, "1"]


def test_refused_to_a_board_member_and_to_a_visitor(client, login, rakor, board_of):
    event, _ = rakor
    assert client.get(f"/organiser/events/{event.id}/cooperatives").status_code in (302, 401, 403)
    _, board = board_of()
    login(client, board)
    assert client.get(f"/organiser/events/{event.id}/cooperatives.csv").status_code == 403
