"""One message, one truth: an email's body, its .ics and its letter tell the same schedule, place
and signatory, however the event changes between queueing and sending."""

from datetime import time
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select, update

from portal.events import services as event_services
from portal.events.models import EventSession
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.mail.models import MessageStatus, OutboxMessage
from portal.mail.services import SUPERSEDED
from portal.settings.services import get_office_settings
from tests.pdfs import pdf_text

WITA = ZoneInfo("Asia/Makassar")


def _starts(received) -> list[time]:
    calendar = Calendar.from_ical(received.attachments()["invitation.ics"])
    return [entry.decoded("DTSTART").astimezone(WITA).time() for entry in calendar.walk("VEVENT")]


def _letter(received) -> str:
    [data] = [data for name, data in received.attachments().items() if name.endswith(".pdf")]
    return " ".join(pdf_text(data).split())


def test_attachments_are_built_from_what_the_body_was_built_from(
        invitable_event, make_invitee, invite, organiser, smtp):
    event = invitable_event(title="Rapat Koordinasi Koperasi")
    invite(event, [make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org", board=())])
    # Between queueing and sending, the session moves and the signatory changes, by edits that
    # notify nobody: what was queued must still agree with itself.
    session = event.sessions[0]
    db.session.execute(update(EventSession).where(EventSession.id == session.id).values(
        starts_at=session.starts_at.replace(hour=5), ends_at=session.ends_at.replace(hour=8)))
    get_office_settings().signatory_name = "Pejabat Baru"
    db.session.commit()

    send_pending("test")

    [received] = smtp.received
    assert "09.00–12.00 WITA" in received.body("plain")
    assert _starts(received) == [time(9)], "the .ics says what the body says"
    letter = _letter(received)
    assert "09.00–12.00 WITA" in letter and "13.00" not in letter, "and so does the letter"
    assert "Kepala Dinas" in letter and "Pejabat Baru" not in letter, "signed by whom the body was written under"


def test_an_invitation_still_queued_when_its_event_moves_is_replaced_by_one_with_the_new_time(
        invitable_event, make_invitee, invite, organiser, smtp):
    event = invitable_event(title="Rapat Koordinasi Koperasi")
    invite(event, [make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org",
                                board=(("Yohanes Bani", "yohanes@example.org"),))])
    session = event.sessions[0]
    event_services.reschedule_session(organiser, event, session, session.starts_at.astimezone(WITA).date(),
                                      time(13), time(16), session.venue_id)
    db.session.commit()

    send_pending("test")

    received = {r.rcpt_tos[0]: r for r in smtp.received}
    assert sorted(received) == ["sehati@example.org", "yohanes@example.org"], "one message each, no correction"
    for mail in received.values():
        assert mail.message["Subject"].startswith("Undangan"), "an invitation, not a change notice"
        assert "13.00–16.00 WITA" in mail.body("plain") and "09.00" not in mail.body("plain")
        assert _starts(mail) == [time(13)]
        assert "13.00–16.00 WITA" in _letter(mail)
    replaced = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == MessageStatus.CANCELLED)))
    assert len(replaced) == 2 and all(m.last_error == SUPERSEDED for m in replaced)
    assert all(m.idempotency_key is None for m in replaced), "the key goes to the replacement"


def test_who_has_had_the_invitation_gets_the_change_notice_instead(
        invitable_event, make_invitee, invite, organiser, smtp):
    event = invitable_event(title="Rapat Koordinasi Koperasi")
    invite(event, [make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org", board=())])
    send_pending("test")
    smtp.reset()
    session = event.sessions[0]
    event_services.reschedule_session(organiser, event, session, session.starts_at.astimezone(WITA).date(),
                                      time(13), time(16), session.venue_id)
    db.session.commit()

    send_pending("test")

    [notice] = smtp.received
    assert not notice.message["Subject"].startswith("Undangan")
    assert _starts(notice) == [time(13)]
