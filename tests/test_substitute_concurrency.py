"""Substitutes and sign-ups at once never oversell: real threads, each with its own connection
and session, released together by a barrier (PostgreSQL: the event's row lock)."""

import pytest
from sqlalchemy import text

from portal.accounts.models import Role, User
from portal.errors import RuleViolation
from portal.events.models import EventKind
from portal.extensions import db
from portal.invitations import services as invitations
from portal.invitations.models import Invitation
from portal.registrations import services
from portal.registrations.models import Registration
from portal.registrations.substitutes import substitute_participant
from tests.concurrency import run_together
from tests.test_registration_concurrency import counts, unexpected


@pytest.mark.postgres
def test_concurrent_substitutes_sign_ups_and_answers_never_oversell(app, open_event, board_of, make_people,
                                                                     make_user, make_invitee, invite):
    event = open_event(seats=10, kind=EventKind.MEETING, program_area=None)
    seated_coop, board = board_of(name="KSP Kursi Penuh")
    seated = services.sign_up(board, event.id, [p.id for p in make_people(seated_coop, 5)])
    substitutes = make_people(seated_coop, 20)
    others, _other_board = board_of(name="KSU Daftar Kantor")
    office_people = make_people(others, 20)
    answering = make_invitee(name="KSP Jawab Serentak")
    invite(event, [answering])
    organiser = make_user(Role.ORGANISER)
    db.session.commit()
    ids = {"board": board.id, "organiser": organiser.id, "event": event.id, "others": others.id,
           "seated": [r.id for r in seated], "substitutes": [p.id for p in substitutes],
           "office": [p.id for p in office_people],
           "invitation": db.session.scalar(text("SELECT id FROM invitations WHERE cooperative_id = :c"),
                                           {"c": answering.id})}

    def work(i: int):
        if i < 20:  # four substitutes race for each of the five seated registrations
            registration = db.session.get(Registration, ids["seated"][i % 5])
            return substitute_participant(db.session.get(User, ids["board"]), registration,
                                          participant_id=ids["substitutes"][i])
        if i < 40:  # the office signs people up for another cooperative, one each
            return services.sign_up_for_cooperative(db.session.get(User, ids["organiser"]), ids["event"],
                                                    ids["others"], [ids["office"][i - 20]], [])
        invitation = db.session.get(Invitation, ids["invitation"])  # answers naming 1 to 4 people
        names = "\n".join(f"Peserta Jawaban {n}" for n in range(1 + i % 4))
        return invitations.answer_invitation(None, invitation, "accepted", attendee_names=names)

    results = run_together(app, 48, work)
    assert unexpected(results) == []
    outcome = counts(event.id)
    assert outcome["confirmed"] == 10, outcome
    seated_now = db.session.execute(text(
        "SELECT id, participant_id, status, queue_number FROM registrations WHERE id = ANY(:ids) ORDER BY id"),
        {"ids": ids["seated"]}).all()
    assert [row.status for row in seated_now] == ["confirmed"] * 5, "substitutes keep the seats"
    assert [row.queue_number for row in seated_now] == [r.queue_number for r in seated]
    assert all(row.participant_id in ids["substitutes"] for row in seated_now)
    assert len({row.participant_id for row in seated_now}) == 5
    doubles = db.session.scalar(text("SELECT count(*) FROM (SELECT participant_id FROM registrations WHERE "
                                     "event_id = :e GROUP BY participant_id HAVING count(*) > 1) d"),
                                {"e": event.id})
    assert doubles == 0
    answered = db.session.scalar(text("SELECT count(*) FROM registrations r JOIN invitations i ON "
                                      "i.cooperative_id = r.cooperative_id AND i.event_id = r.event_id WHERE "
                                      "i.id = :i AND r.status IN ('confirmed', 'pending', 'waitlisted')"),
                                 {"i": ids["invitation"]})
    last = db.session.scalar(text("SELECT attendee_count FROM invitations WHERE id = :i"), {"i": ids["invitation"]})
    assert answered == last, "the answer that committed last is the one its registrations say"
    assert not any(isinstance(r, RuleViolation) for r in results[20:40])
    assert sum(not isinstance(r, Exception) for r in results[:20]) >= 5, "substitutes went through, in turn"
    assert sum(not isinstance(r, Exception) for r in results[40:]) >= 1
