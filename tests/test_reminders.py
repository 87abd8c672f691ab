"""Reminders before an event, with an injected clock: when they fall due, that each goes once
(also with runs at once), who receives them, and the organiser's "remind now"."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.errors import RuleViolation
from portal.events import services as event_services
from portal.events.services import local_moment
from portal.extensions import db
from portal.invitations import services
from portal.invitations.emails import GUEST_REMINDER_TEMPLATE, PARTICIPANT_REMINDER_TEMPLATE
from portal.invitations.models import InvitationAnswer, ReminderRun
from portal.invitations.reminders import remind_non_responders, send_due_reminders
from portal.mail.delivery import run_periodic_jobs, send_pending
from portal.mail.models import OutboxMessage
from portal.registrations import services as registrations
from portal.registrations.models import Registration, RegistrationStatus
from tests.concurrency import run_together
from tests.conftest import csrf_token_from
from tests.invitation_fixtures import invitations_of

WITA = ZoneInfo("Asia/Makassar")
REMINDERS = (GUEST_REMINDER_TEMPLATE, PARTICIPANT_REMINDER_TEMPLATE)
EVERYONE = ["diam@example.org", "peserta@example.org", "yohanes@example.org"]


def at(event, days_before: int, clock: time):
    """``clock`` office time, ``days_before`` days before the event's first session."""
    day = event.first_session.starts_at.astimezone(WITA).date() - timedelta(days=days_before)
    return local_moment(day, clock)


def reminded() -> list[str]:
    """The addresses reminders are queued for, one entry per message."""
    return sorted(db.session.scalars(select(OutboxMessage.recipient_email)
                                     .where(OutboxMessage.template.in_(REMINDERS))))


def run(now) -> int:
    count = send_due_reminders(now)
    db.session.commit()
    return count


@pytest.fixture
def scene(invitable_event, make_invitee, invite, board_of, make_people):
    """A training in three weeks (reminders 3 and 1 days before): one invitee silent, one that
    declined; a cooperative with a confirmed participant with an address, one without, and one
    on the waiting list."""
    event = invitable_event(title="Pelatihan Pembukuan Koperasi", seats=2)
    silent = make_invitee(name="KSP Diam", email="diam@example.org", board=(("Yohanes Bani", "yohanes@example.org"),))
    answered = make_invitee(name="KSP Jawab", email="jawab@example.org", board=())
    invite(event, [silent, answered])
    services.answer_invitation(None, invitations_of(event)[1], InvitationAnswer.DECLINED)
    cooperative, board = board_of()
    seated = make_people(cooperative, 1, email="peserta@example.org")
    no_address = make_people(cooperative, 1, email=None)
    waiting = make_people(cooperative, 1, email="menunggu@example.org")
    registrations.sign_up(board, event.id, [p.id for p in seated + no_address + waiting])
    db.session.commit()
    return event


def test_reminder_is_due_from_eight_in_the_morning_of_its_day(scene):
    assert run(at(scene, 3, time(7, 59))) == 0
    assert reminded() == []
    assert run(at(scene, 3, time(8, 0))) == 3
    assert reminded() == EVERYONE


def test_reminder_already_sent_is_not_sent_again_and_the_next_offset_goes_on_its_day(scene):
    assert run(at(scene, 3, time(9))) == 3
    assert run(at(scene, 3, time(9, 5))) == 0
    assert run(at(scene, 2, time(12))) == 0
    assert reminded() == EVERYONE
    assert run(at(scene, 1, time(8))) == 3
    assert reminded() == sorted(EVERYONE * 2)
    assert run(at(scene, 1, time(10))) == 0


def test_offsets_that_fall_due_together_send_one_reminder(scene):
    assert run(at(scene, 1, time(9))) == 3
    assert reminded() == EVERYONE
    assert sorted(db.session.scalars(select(ReminderRun.days_before))) == [1, 3]
    assert run(at(scene, 0, time(8, 30))) == 0


@pytest.mark.postgres
def test_two_runs_at_once_send_each_reminder_once(app, scene, is_postgres):
    now = at(scene, 3, time(9))
    results = run_together(app, 4, lambda i: send_due_reminders(now))
    assert sorted(results) == [0, 0, 0, 3]
    assert reminded() == EVERYONE
    assert db.session.scalars(select(ReminderRun.message_count)).all() == [3]


def test_cancelled_event_gets_no_reminder(scene, organiser):
    event_services.cancel_event(organiser, scene, "Hujan deras")
    db.session.commit()
    assert run(at(scene, 1, time(9))) == 0
    assert reminded() == []


def test_no_reminder_once_the_first_session_has_started(scene):
    assert run(scene.first_session.starts_at) == 0
    assert reminded() == []


def test_answered_invitations_and_unconfirmed_registrations_get_nothing(scene):
    run(at(scene, 3, time(9)))
    assert "jawab@example.org" not in reminded()
    assert "menunggu@example.org" not in reminded()


def test_a_cooperative_that_signed_people_up_is_not_asked_to_answer(scene, make_people):
    silent = invitations_of(scene)[0].cooperative
    person = make_people(silent, 1, email=None)
    registrations.sign_up(None, scene.id, [p.id for p in person], cooperative_id=silent.id)
    db.session.commit()
    run(at(scene, 3, time(9)))
    assert reminded() == ["peserta@example.org"]


def test_send_reminders_command_queues_what_is_due_once(runner, invitable_event, make_invitee, invite):
    event = invitable_event(reminder_days=[30, 7])  # three weeks ahead: the 30-day reminder is due
    invite(event, [make_invitee(email="diam@example.org", board=())])
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "1 reminder messages queued" in first.output
    assert runner.invoke(args=["send-reminders"]).output.startswith("0 ")
    assert reminded() == ["diam@example.org"]


def test_each_pass_of_the_mail_worker_sends_due_reminders(scene):
    run_periodic_jobs(at(scene, 3, time(9)))
    run_periodic_jobs(at(scene, 3, time(9, 1)))
    db.session.rollback()  # a fresh snapshot: each job commits in a session (app context) of its own
    assert reminded() == EVERYONE


# -- remind now ---------------------------------------------------------------------------------


@pytest.fixture
def three_invited(invitable_event, make_invitee, invite):
    event = invitable_event()
    invite(event, [make_invitee(name=f"KSP {n}", email=f"k{n}@example.org", board=()) for n in (1, 2, 3)])
    first, second, third = invitations_of(event)
    services.answer_invitation(None, third, InvitationAnswer.ACCEPTED)
    db.session.commit()
    return event, first, second, third


def test_organiser_reminds_the_chosen_non_responders_once_a_day(three_invited, organiser):
    event, first, _second, third = three_invited
    now = at(event, 10, time(9))
    assert remind_non_responders(organiser, event, [first.id, third.id], now) == 1
    assert reminded() == ["k1@example.org"]
    assert remind_non_responders(organiser, event, [first.id], now + timedelta(hours=2)) == 0
    assert remind_non_responders(organiser, event, [first.id], now + timedelta(days=1)) == 1
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "invitations.reminded")).first()
    assert entry.actor_id == organiser.id and entry.after["invitations"] == [first.id]


def test_reminding_everyone_leaves_out_those_who_answered(three_invited, organiser):
    event, *_ = three_invited
    assert remind_non_responders(organiser, event, None, at(event, 10, time(9))) == 2
    assert reminded() == ["k1@example.org", "k2@example.org"]


def test_remind_now_is_refused_for_answered_invitations_a_board_member_and_a_cancelled_event(
        three_invited, organiser, make_user):
    event, first, _second, third = three_invited
    now = at(event, 10, time(9))
    with pytest.raises(RuleViolation):
        remind_non_responders(organiser, event, [third.id], now)
    with pytest.raises(RuleViolation):
        remind_non_responders(make_user(Role.BOARD), event, [first.id], now)
    event_services.cancel_event(organiser, event, "Hujan deras")
    with pytest.raises(RuleViolation):
        remind_non_responders(organiser, event, [first.id], now)
    assert reminded() == []


# -- the page -----------------------------------------------------------------------------------


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_remind_page_lists_non_responders_ticked_and_reminds_the_chosen(three_invited, client, logged_in):
    event, first, second, _third = three_invited
    logged_in(Role.ORGANISER)
    tab = client.get(f"/organiser/events/{event.id}/invitations")
    assert f'/organiser/events/{event.id}/invitations/remind"' in tab.text
    page = client.get(f"/organiser/events/{event.id}/invitations/remind")
    assert page.status_code == 200
    assert page.text.count('name="invitation_id"') == 2 and page.text.count(" checked>") == 2
    assert "KSP 3" not in page.text
    assert " checked>" not in client.get(f"/organiser/events/{event.id}/invitations/remind?select=none").text
    response = client.post(f"/organiser/events/{event.id}/invitations/remind",
                           data={"invitation_id": [str(second.id)], "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.id}/invitations")
    assert reminded() == ["k2@example.org"]
    assert "1 " in client.get(response.headers["Location"]).text


def test_remind_page_refuses_a_board_member(three_invited, client, logged_in):
    event, first, *_ = three_invited
    logged_in(Role.BOARD)
    assert client.get(f"/organiser/events/{event.id}/invitations/remind").status_code == 403
    assert client.post(f"/organiser/events/{event.id}/invitations/remind",
                       data={"invitation_id": [str(first.id)]}).status_code == 403
    assert reminded() == []


def test_reminding_only_answered_invitations_is_refused_with_a_message(three_invited, client, logged_in):
    event, _first, _second, third = three_invited
    logged_in(Role.ORGANISER)
    response = client.post(f"/organiser/events/{event.id}/invitations/remind",
                           data={"invitation_id": [str(third.id)]}, follow_redirects=True)
    assert response.status_code == 200 and 'data-testid="remind-form"' in response.text
    assert reminded() == []


# -- received -----------------------------------------------------------------------------------


def test_reminders_arrive_with_the_ticket_link_and_the_answer_links(scene, smtp):
    send_pending("test")  # the invitations and the registrations' own mail
    smtp.reset()
    run(at(scene, 3, time(9)))
    send_pending("test")
    received = {r.rcpt_tos[0]: r for r in smtp.received}
    assert sorted(received) == EVERYONE
    token = invitations_of(scene)[0].token
    ticket = db.session.scalar(select(Registration.token).where(Registration.status == RegistrationStatus.CONFIRMED,
                                                                Registration.participant.has(email="peserta@example.org")))
    participant, guest = received["peserta@example.org"], received["yohanes@example.org"]
    for body in (participant.body("plain"), participant.body("html")):
        assert "Pelatihan Pembukuan Koperasi" in body and f"/tickets/{ticket}" in body and "Peserta" in body
        assert "invitation/" not in body
    for body in (guest.body("plain"), guest.body("html")):
        assert "KSP Diam" in body and f"/invitation/{token}?answer=accepted" in body
        assert f"/invitation/{token}?answer=declined" in body and "/tickets/" not in body
    assert "Pelatihan Pembukuan Koperasi" in participant.message["Subject"]


def test_a_moved_event_sends_its_reminders_again_on_the_new_days(scene):
    assert run(at(scene, 1, time(9))) == 3
    old_day_before = at(scene, 1, time(10))
    week = timedelta(days=7)
    session = scene.first_session
    day = session.starts_at.astimezone(WITA).date()
    details = event_services.EventDetails(kind=scene.kind, program_area=scene.program_area, title=scene.title,
                                          seats=scene.seats, starts_on=scene.starts_on, ends_on=scene.ends_on + week)
    event_services.update_event(None, scene, details)
    event_services.reschedule_session(None, scene, session, day + week, time(9), time(12), session.venue_id)
    details.starts_on = scene.starts_on + week
    event_services.update_event(None, scene, details)
    db.session.commit()

    assert run(old_day_before) == 0
    assert run(at(scene, 1, time(9))) == 3
    assert reminded() == sorted(EVERYONE * 2)
