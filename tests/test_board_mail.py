"""One email per board member per action: a sign-up of three people, a change of schedule or a
cancellation is one message listing everyone it concerns; each participant with an address
still gets their own."""

from collections import Counter
from datetime import time

from icalendar import Calendar

from portal.events import services as event_services
from portal.events.models import EventStatus
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.registrations import services as registrations
from tests.invitation_fixtures import IN_THREE_WEEKS

NAMES = ["Ani Nope", "Budi Tefa", "Citra Bani"]


def _delivered(smtp) -> dict[str, list]:
    send_pending("test")
    by_address: dict[str, list] = {}
    for received in smtp.received:
        by_address.setdefault(received.rcpt_tos[0], []).append(received)
    smtp.reset()
    return by_address


def test_a_board_member_gets_one_email_per_action_listing_everyone(
        smtp, board_of, make_people, make_event, organiser):
    event = make_event(sessions=((IN_THREE_WEEKS, time(9), time(12)),), status=EventStatus.PUBLISHED)
    cooperative, board = board_of()
    people = [person for n, name in enumerate(NAMES)
              for person in make_people(cooperative, 1, full_name=name, email=f"orang{n}@example.org")]
    registrations.sign_up(board, event.id, [p.id for p in people])
    db.session.commit()

    signed_up = _delivered(smtp)
    assert Counter({address: len(mails) for address, mails in signed_up.items()}) == Counter(
        {board.email: 1, "orang0@example.org": 1, "orang1@example.org": 1, "orang2@example.org": 1})
    [to_board] = signed_up[board.email]
    assert all(name in to_board.body("plain") and name in to_board.body("html") for name in NAMES)

    session = event.sessions[0]
    event_services.reschedule_session(organiser, event, session, IN_THREE_WEEKS, time(13), time(16), session.venue_id)
    db.session.commit()
    [changed] = _delivered(smtp)[board.email]
    assert "13.00" in changed.body("plain")

    event_services.cancel_event(organiser, event, "Banjir")
    db.session.commit()
    told = _delivered(smtp)
    [cancelled] = told[board.email]
    assert all(name in cancelled.body("plain") for name in NAMES)
    calendar = Calendar.from_ical(cancelled.attachments()["event.ics"])
    assert {str(entry["STATUS"]) for entry in calendar.walk("VEVENT")} == {"CANCELLED"}
    assert all(len(told[f"orang{n}@example.org"]) == 1 for n in range(3))
