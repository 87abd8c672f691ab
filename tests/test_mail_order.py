"""Order: a message that names the one it must not overtake waits for it, with several workers
claiming in parallel, and is cancelled with the reason if that one fails for good; an invitation
sent when a reminder is already due is that reminder."""

from datetime import time, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.database import utcnow
from portal.events import services as event_services
from portal.events.models import EventStatus
from portal.extensions import db
from portal.invitations import reminders
from portal.invitations.emails import GUEST_REMINDER_TEMPLATE, INVITATION_TEMPLATE
from portal.invitations.models import ReminderRun
from portal.mail.delivery import DeliveryPolicy, send_pending
from portal.mail.models import MessageStatus, OutboxMessage
from portal.mail.services import queue_email
from tests.invitation_fixtures import IN_THREE_WEEKS
from tests.test_mail_workers import _env, _flask

TEST_TEMPLATE = "mail/email/test_message_to_user"


def _pairs(n: int) -> None:
    """``n`` invitations, each with a reminder that must follow it; the reminders are due first,
    as when an invitation waits out a back-off while its reminder is queued."""
    now = utcnow()
    for i in range(n):
        first = queue_email(f"peserta{i}@example.org", TEST_TEMPLATE, _l("Test message"), body=f"undangan {i}",
                            headers={"X-Kind": "invitation"})
        db.session.flush()
        queue_email(f"peserta{i}@example.org", TEST_TEMPLATE, _l("Test message"), body=f"pengingat {i}",
                    headers={"X-Kind": "reminder"}, after=first.id)
    db.session.commit()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.after_message_id.is_(None))
                       .values(next_attempt_at=now - timedelta(minutes=1)))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.after_message_id.is_not(None))
                       .values(next_attempt_at=now - timedelta(minutes=2)))
    db.session.commit()


def _order(smtp) -> dict[str, list[str]]:
    arrived: dict[str, list[str]] = {}
    for received in smtp.received:
        arrived.setdefault(received.rcpt_tos[0], []).append(received.message["X-Kind"])
    return arrived


def test_a_message_waits_for_the_one_it_must_follow(app, smtp):
    _pairs(3)
    send_pending("test", policy=DeliveryPolicy(batch_size=1))  # a batch is sent in id order; claims go by due time
    assert _order(smtp) == {f"peserta{i}@example.org": ["invitation", "reminder"] for i in range(3)}


@pytest.mark.postgres
def test_with_two_workers_no_reminder_overtakes_its_invitation(app, smtp, database_url):
    _pairs(300)
    env = _env(database_url, smtp, MAIL_BATCH_SIZE=10)
    workers = [_flask("mail", "send-pending", env=env) for _ in range(2)]
    outputs = [worker.communicate(timeout=180)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert _order(smtp) == {f"peserta{i}@example.org": ["invitation", "reminder"] for i in range(300)}
    db.session.rollback()
    assert len({m.claimed_by for m in db.session.scalars(select(OutboxMessage))}) == 2, "both workers took part"


def test_when_the_first_fails_for_good_the_one_after_it_is_cancelled_with_the_reason(app, smtp):
    _pairs(1)
    smtp.answers.append("550 5.1.1 No such user")
    send_pending("test")
    assert smtp.received == []
    db.session.rollback()
    first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    assert first.status == MessageStatus.FAILED
    assert second.status == MessageStatus.CANCELLED and "must follow" in second.last_error


def test_reminders_and_change_notices_name_the_invitation_they_follow(
        invitable_event, make_invitee, invite, organiser):
    event = invitable_event()
    invite(event, [make_invitee(email="sehati@example.org", board=())])
    [invitation_mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == INVITATION_TEMPLATE))
    db.session.execute(update(OutboxMessage).values(status=MessageStatus.SENDING))  # a worker has it
    db.session.commit()
    reminders.remind_non_responders(organiser, event, None, utcnow())
    session = event.sessions[0]
    event_services.reschedule_session(organiser, event, session, IN_THREE_WEEKS, time(13), time(16), session.venue_id)
    db.session.commit()
    later = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id != invitation_mail.id)))
    assert {m.template for m in later} >= {GUEST_REMINDER_TEMPLATE}
    assert len(later) == 2 and all(m.after_message_id == invitation_mail.id for m in later)


def test_an_invitation_sent_when_a_reminder_is_due_counts_as_that_reminder(
        make_event, make_invitee, invite):
    soon = utcnow().date() + timedelta(days=2)
    event = make_event(sessions=((soon, time(9), time(12)),), status=EventStatus.PUBLISHED, reminder_days=[3, 1])
    invite(event, [make_invitee(email="sehati@example.org", board=())])
    assert set(db.session.scalars(select(ReminderRun.days_before).where(ReminderRun.event_id == event.id))) == {3}
    assert reminders.send_due_reminders(utcnow()) == 0, "no reminder right behind the invitation"
