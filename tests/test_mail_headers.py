"""What the recipient's mail program sees: every kind of email, as received by the SMTP server
and parsed with ``email.policy.strict``, has well-formed headers, a person to reply to, says it
was sent automatically and in which language."""

from datetime import time
from email.utils import getaddresses

from sqlalchemy import select

from portal.accounts import emails as account_emails
from portal.accounts.models import Role
from portal.certificates import services as certificates
from portal.database import utcnow
from portal.events import services as event_services
from portal.extensions import db
from portal.invitations.reminders import remind_non_responders
from portal.mail.delivery import send_pending
from portal.mail.models import OutboxMessage
from portal.mail.services import queue_test_message
from portal.registrations import services as registrations
from portal.settings.services import get_office_settings
from tests.invitation_fixtures import IN_THREE_WEEKS

AWKWARD_NAME = 'Siti "Ibu" Bani, S.E.'
LONG_TITLE = "Pelatihan Pembukuan dan Tata Kelola Koperasi Simpan Pinjam bagi Pengurus dan Pengawas — Angkatan Ke-2"


def _check_every_message(smtp, reply_to) -> set[str]:
    """Deliver, parse each message strictly, check its headers; return the templates seen."""
    send_pending("test")
    db.session.rollback()
    rows = {m.message_id: m for m in db.session.scalars(select(OutboxMessage))}
    seen = set()
    for received in smtp.received:
        parsed = received.strict()
        row = rows[parsed["Message-ID"]]
        where = f"{row.template} to {row.recipient_email}"
        assert parsed["Subject"] == row.subject, f"{where}: the subject arrives as it was written"
        [(name, address)] = getaddresses([parsed["To"]])
        assert (name or None, address) == (row.recipient_name, row.recipient_email), where
        assert parsed["Auto-Submitted"] == "auto-generated", where
        assert parsed["Content-Language"] in ("id", "en"), where
        assert parsed["Reply-To"] == reply_to(row), where
        assert parsed["From"] and parsed["Date"], where
        seen.add(row.template)
    return seen


def test_every_kind_of_email_arrives_with_strictly_well_formed_headers(
        app, smtp, invitable_event, make_invitee, invite, organiser, board_of, make_people, finished_training,
        make_user):
    get_office_settings().email = "dinas@example.org"
    db.session.commit()
    event = invitable_event(title=LONG_TITLE, contact_email="maria@example.org")
    invite(event, [make_invitee(name="KSP Sehati, Oelamasi", board=((AWKWARD_NAME, "siti@example.org"),))])
    remind_non_responders(organiser, event, None, utcnow())
    cooperative, board = board_of(name="KSP Maju")
    people = [person for address in ("ani@example.org", "budi@example.org")
              for person in make_people(cooperative, 1, email=address)]
    registrations.sign_up(board, event.id, [p.id for p in people])
    training = finished_training([["present", "present"]], min_sessions=2, contact_email="pelatihan@example.org")
    certificates.issue_certificates(organiser, training.event.id, utcnow())
    user = make_user(Role.ORGANISER, full_name=AWKWARD_NAME, email="siti.staf@example.org")
    account_emails.send_password_reset(user, "token")
    queue_test_message("uji@example.org")
    db.session.commit()

    about_event = {"koperasi1@example.org", "siti@example.org", "ani@example.org", "budi@example.org", board.email}

    def reply_to(row):
        if row.recipient_email in about_event:
            return "maria@example.org"  # the event's contact
        if row.recipient_email in ("peserta1@example.org", organiser.email):
            return "pelatihan@example.org"  # the training's (the organiser signed its participant up)
        return "dinas@example.org"  # the office's

    seen = _check_every_message(smtp, reply_to)
    assert seen >= {"invitations/email/invitation_to_guest", "invitations/email/reminder_to_guest",
                    "registrations/email/status_to_participant", "registrations/email/status_to_board",
                    "certificates/email/issued_to_participant", "accounts/email/password_reset_to_user",
                    "mail/email/test_message_to_user"}

    smtp.reset()
    session = event.sessions[0]
    event_services.reschedule_session(organiser, event, session, IN_THREE_WEEKS, time(13), time(16), session.venue_id)
    event_services.cancel_event(organiser, event, "Banjir")
    db.session.commit()
    seen = _check_every_message(smtp, lambda _row: "maria@example.org")
    assert seen >= {"invitations/email/event_changed_to_guest", "registrations/email/event_changed_to_participant",
                    "registrations/email/event_changed_to_board"}


def test_without_a_contact_or_an_office_address_there_is_no_reply_to(app, smtp):
    get_office_settings().email = None
    queue_test_message("uji@example.org")
    db.session.commit()
    assert _check_every_message(smtp, lambda _row: None) == {"mail/email/test_message_to_user"}


def test_the_check_in_code_sits_beside_the_html_in_multipart_related(smtp, board_of, make_people, make_event):
    from portal.events.models import EventStatus

    event = make_event(sessions=((IN_THREE_WEEKS, time(9), time(12)),), status=EventStatus.PUBLISHED)
    cooperative, board = board_of()
    [person] = make_people(cooperative, 1, email="peserta@example.org")
    registrations.sign_up(board, event.id, [person.id])
    db.session.commit()
    send_pending("test")
    mail = next(r for r in smtp.received if r.rcpt_tos == ["peserta@example.org"]).strict()
    alternative = next(part for part in mail.walk() if part.get_content_type() == "multipart/alternative")
    related = next(part for part in alternative.iter_parts() if part.get_content_type() == "multipart/related")
    html, image = list(related.iter_parts())
    assert html.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    assert f"cid:{image['Content-ID'].strip('<>')}" in html.get_content()
    text = mail.get_body(("plain",)).get_content()
    assert len(text.split()) > 30, "enough text beside the image"


def _statuses(received) -> set[str]:
    from icalendar import Calendar

    calendar = Calendar.from_ical(received.attachments()["event.ics"])
    return {str(entry["STATUS"]) for entry in calendar.walk("VEVENT")}


def test_cancellations_to_participants_and_boards_carry_the_cancelled_calendar_entry(
        smtp, board_of, make_people, make_event, organiser):
    from portal.events.models import EventStatus

    event = make_event(sessions=((IN_THREE_WEEKS, time(9), time(12)),), status=EventStatus.PUBLISHED)
    cooperative, board = board_of()
    people = [person for address in ("ani@example.org", "budi@example.org")
              for person in make_people(cooperative, 1, email=address)]
    first, _second = registrations.sign_up(board, event.id, [p.id for p in people])
    db.session.commit()
    send_pending("test")
    smtp.reset()
    registrations.cancel_registration(board, first)
    db.session.commit()
    send_pending("test")
    cancelled = {r.rcpt_tos[0]: r for r in smtp.received}
    assert sorted(cancelled) == sorted(["ani@example.org", board.email])
    assert all(_statuses(r) == {"CANCELLED"} for r in cancelled.values())

    smtp.reset()
    event_services.cancel_event(organiser, event, "Banjir")
    db.session.commit()
    send_pending("test")
    told = {r.rcpt_tos[0]: r for r in smtp.received}
    assert "budi@example.org" in told and board.email in told
    assert all(_statuses(r) == {"CANCELLED"} for r in told.values())
