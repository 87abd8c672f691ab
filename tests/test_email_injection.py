"""Every email template with a hostile corpus in every field a user controls: the HTML part that
reaches the SMTP server carries the text as text, never as markup (no tag, no attribute, no
``javascript:`` link of the sender's making)."""

from datetime import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.accounts import emails as account_emails
from portal.accounts.models import Role
from portal.certificates.services import issue_certificates
from portal.cooperatives import services as cooperatives
from portal.cooperatives.models import BoardAccountStatus, BoardPosition
from portal.database import utcnow
from portal.events import services as events
from portal.events.models import EventStatus
from portal.extensions import db
from portal.invitations import emails as invitation_emails
from portal.invitations.reminders import remind_non_responders
from portal.mail.delivery import send_pending
from portal.mail.models import OutboxMessage
from portal.mail.services import queue_test_message
from portal.registrations import participants
from portal.registrations import services as registrations
from portal.settings.services import get_office_settings
from tests.invitation_fixtures import IN_THREE_WEEKS

ROOT = Path(__file__).resolve().parent.parent
# Tags, attribute breakers (both quotes), an event handler, and a javascript: link, in one value.
HOSTILE = """"'><script>evil()</script><img src=x onerror=evil()><a href="javascript:evil()">klik</a>"""
# For the short fields (phone numbers): still breaks an attribute and opens a tag.
HOSTILE_SHORT = '"><i onclick=evil()>'
SAFE_LINK_PREFIXES = ("http://127.0.0.1:5000/", "cid:", "mailto:")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def assert_inert(html: str, where: str) -> None:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    for tag, attrs in reader.elements:
        assert tag not in {"script", "iframe", "object", "embed", "form", "svg", "i"}, (where, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, name)
            if name in ("href", "src"):
                assert (value or "").startswith(SAFE_LINK_PREFIXES), (where, tag, name, value)
    text = "".join(reader.text)
    assert HOSTILE in text or HOSTILE_SHORT in text, f"{where}: no user field reached the body"


def email_templates() -> set[str]:
    """Every email a capability sends: templates/<feature>/email/<what>_to_<audience>.html."""
    return {str(path.relative_to(ROOT / "templates").with_suffix(""))
            for path in (ROOT / "templates").glob("*/email/*_to_*.html")}


def deliver_and_check(smtp) -> set[str]:
    """Deliver the outbox; check each received HTML part; return the templates that arrived."""
    send_pending("test")
    by_id = {m.message_id: m.template for m in db.session.scalars(select(OutboxMessage))}
    assert smtp.received, "nothing was delivered"
    seen = set()
    for received in smtp.received:
        template = by_id[received.message_id]
        assert_inert(received.body("html"), f"{template} to {received.rcpt_tos[0]}")
        seen.add(template)
    return seen


@pytest.fixture
def hostile_office(app):
    settings = get_office_settings()
    settings.office_name, settings.phone, settings.email = HOSTILE, HOSTILE_SHORT, "dinas@example.org"
    db.session.commit()
    return settings


@pytest.fixture
def hostile_event(hostile_office, make_venue, make_event):
    def factory(day=IN_THREE_WEEKS, **details):
        venue = make_venue(name=HOSTILE, address=HOSTILE)
        details.setdefault("status", EventStatus.PUBLISHED)
        return make_event(title=HOSTILE, description=HOSTILE, facilitator=HOSTILE, contact_name=HOSTILE[:120],
                          contact_phone=HOSTILE_SHORT, venue=venue, seats=5,
                          sessions=((day, time(9), time(12)),), **details)

    return factory


def _hostile_board(make_cooperative, make_board_user, status=BoardAccountStatus.APPROVED, email=None):
    cooperative = make_cooperative(name=HOSTILE, board=(HOSTILE[:120],))
    return cooperative, make_board_user(cooperative, status=status, full_name=HOSTILE[:120], email=email)


ACCOUNT_TEMPLATES = {"accounts/email/password_reset_to_user", "accounts/email/verify_email_to_user",
                     "accounts/email/guessing_warning_to_user",
                     "cooperatives/email/account_exists_to_user", "cooperatives/email/claim_approved_to_board",
                     "cooperatives/email/claim_rejected_to_board", "cooperatives/email/claim_revoked_to_board",
                     "mail/email/test_message_to_user"}


def test_account_and_claim_emails_carry_names_and_reasons_as_text(hostile_office, make_cooperative, make_board_user,
                                                                  make_user, smtp):
    admin = make_user(Role.ORGANISER, full_name=HOSTILE[:120])
    account_emails.send_password_reset(admin, "token")
    account_emails.send_email_verification(admin, "token")
    account_emails.send_guessing_warning(admin, 7)
    cooperative, approved = _hostile_board(make_cooperative, make_board_user, BoardAccountStatus.PENDING)
    cooperatives.approve_claim(admin, cooperatives.board_account_of(approved))
    _, rejected = _hostile_board(make_cooperative, make_board_user, BoardAccountStatus.PENDING)
    cooperatives.reject_claim(admin, cooperatives.board_account_of(rejected), HOSTILE)
    cooperatives.revoke_board_account(admin, cooperatives.board_account_of(approved), HOSTILE)
    cooperatives.register_board_member(HOSTILE[:120], approved.email, None, BoardPosition.CHAIR.value,
                                       cooperative.legal_number, "a-long-password")
    queue_test_message("admin@example.org")
    db.session.commit()
    assert deliver_and_check(smtp) == ACCOUNT_TEMPLATES


REGISTRATION_TEMPLATES = {"registrations/email/status_to_participant", "registrations/email/status_to_board",
                          "registrations/email/event_changed_to_participant",
                          "registrations/email/event_changed_to_board"}


def test_registration_emails_carry_names_titles_and_reasons_as_text(hostile_event, make_cooperative,
                                                                    make_board_user, make_user, smtp):
    organiser = make_user(Role.ORGANISER)
    event = hostile_event(requires_approval=True)
    cooperative, board = _hostile_board(make_cooperative, make_board_user)
    people = [participants.find_or_create_participant(None, cooperative, f"{HOSTILE[:110]} {n}", "staff",
                                                      email=f"peserta{n}@example.org") for n in range(2)]
    signed = registrations.sign_up(board, event.id, [person.id for person in people])
    registrations.approve_registrations(organiser, event.id, [signed[0].id])
    registrations.reject_registrations(organiser, event.id, [signed[1].id], HOSTILE)
    session = event.sessions[0]
    events.reschedule_session(organiser, event, session, IN_THREE_WEEKS, time(13), time(15),
                              session.venue_id)
    events.cancel_event(organiser, event, HOSTILE)
    db.session.commit()
    assert deliver_and_check(smtp) == REGISTRATION_TEMPLATES


INVITATION_TEMPLATES = {"invitations/email/invitation_to_guest", "invitations/email/reminder_to_guest",
                        "invitations/email/reminder_to_participant", "invitations/email/event_changed_to_guest"}


def test_invitation_emails_carry_names_titles_and_reasons_as_text(hostile_event, make_invitee, invite, organiser,
                                                                  smtp):
    event = hostile_event()
    cooperative = make_invitee(name=HOSTILE, board=((HOSTILE[:120], "auto"),))
    invite(event, [cooperative], organisations=[(HOSTILE, "mitra@example.org")], what_to_bring=HOSTILE)
    remind_non_responders(organiser, event, None)
    invitation_emails.queue_participant_reminders(
        event, [(1, "ticket-token", HOSTILE[:120], "peserta@example.org", "id")], "reminder-test")
    db.session.commit()
    delivered = deliver_and_check(smtp)  # before the event changes: what is still queued then is replaced
    session = event.sessions[0]
    events.reschedule_session(organiser, event, session, IN_THREE_WEEKS, time(13), time(15),
                              session.venue_id)
    events.cancel_event(organiser, event, HOSTILE)
    db.session.commit()
    assert delivered | deliver_and_check(smtp) == INVITATION_TEMPLATES


CERTIFICATE_TEMPLATES = {"certificates/email/issued_to_participant"}


def test_certificate_email_carries_names_and_titles_as_text(hostile_office, finished_training, organiser, smtp):
    finished = finished_training([["present", "present"]], min_sessions=1, title=HOSTILE, cooperative_name=HOSTILE)
    finished.registrations[0].participant.full_name = HOSTILE[:120]
    issue_certificates(organiser, finished.event.id, utcnow())
    db.session.commit()
    assert deliver_and_check(smtp) >= CERTIFICATE_TEMPLATES, "the registration emails come along"


MAIL_TROUBLE_TEMPLATES = {"accounts/email/mail_trouble_to_admin"}


def test_the_mail_trouble_summary_carries_names_as_text(hostile_office, make_user, smtp):
    from portal.accounts.emails import send_mail_trouble_summary
    from portal.database import utcnow
    from portal.mail.models import MessageStatus

    make_user(Role.ADMIN, full_name=HOSTILE[:120])
    failed = queue_test_message("gagal@example.org")
    failed.status = MessageStatus.FAILED
    db.session.flush()
    send_mail_trouble_summary(utcnow())
    db.session.commit()
    assert deliver_and_check(smtp) == MAIL_TROUBLE_TEMPLATES


REVIVAL_TEMPLATES = {"revival/email/rat_reminder_to_cooperative"}


def test_the_rat_reminder_carries_names_as_text(hostile_office, make_cooperative, make_user, smtp):
    from datetime import date

    from portal.revival.campaign import send_reminder_letters

    make_cooperative(name=HOSTILE, email="koperasi@example.org", address=HOSTILE)
    send_reminder_letters(make_user(Role.ORGANISER, full_name=HOSTILE[:120]), 2025, date(2026, 1, 15))
    db.session.commit()
    assert deliver_and_check(smtp) == REVIVAL_TEMPLATES


SUBSTITUTE_AND_NAMES_TEMPLATES = {"registrations/email/substituted_to_participant",
                                  "invitations/email/names_owed_to_guest"}


def test_substitute_and_names_owed_emails_carry_names_and_titles_as_text(hostile_event, make_cooperative,
                                                                         make_board_user, make_invitee, invite, smtp):
    from portal.invitations import services as invitations
    from portal.invitations.emails import queue_names_reminders
    from portal.invitations.models import Invitation
    from portal.invitations.recipients import addressees
    from portal.registrations.substitutes import substitute_participant

    event = hostile_event()
    cooperative, board = _hostile_board(make_cooperative, make_board_user)
    person = participants.find_or_create_participant(None, cooperative, HOSTILE[:120], "staff",
                                                     email="peserta@example.org")
    [signed] = registrations.sign_up(board, event.id, [person.id])
    substitute_participant(board, signed, new_person={"full_name": HOSTILE[:110] + " 2", "position": "staff",
                                                      "email": "pengganti@example.org"})
    invitee = make_invitee(name=HOSTILE, board=((HOSTILE[:120], "auto"),))
    invite(event, [invitee])
    invitation = db.session.scalar(select(Invitation).where(Invitation.cooperative_id == invitee.id))
    invitations.answer_invitation(None, invitation, "accepted", attendee_count=3)
    queue_names_reminders(event, addressees(Invitation.id == invitation.id), "names-test")
    db.session.commit()
    assert deliver_and_check(smtp) >= SUBSTITUTE_AND_NAMES_TEMPLATES


SURVEY_TEMPLATES = {"surveys/email/link_to_participant"}


def test_the_evaluation_link_email_carries_names_and_titles_as_text(hostile_office, finished_training, organiser,
                                                                    smtp):
    from portal.surveys import services as surveys

    finished = finished_training([["present", "present"]], min_sessions=1, title=HOSTILE, cooperative_name=HOSTILE)
    finished.registrations[0].participant.full_name = HOSTILE[:120]
    surveys.send_links(organiser, surveys.survey_of(finished.event.id))
    db.session.commit()
    assert deliver_and_check(smtp) >= SURVEY_TEMPLATES


DATA_REQUEST_TEMPLATES = {"certificates/email/data_request_to_participant"}


def test_a_personal_data_request_email_carries_the_name_and_the_request_as_text(hostile_office, finished_training,
                                                                                smtp):
    from portal.certificates.data_requests import request_about
    from portal.privacy.models import DataRequestKind

    finished = finished_training([["present", "present"]], min_sessions=1, title=HOSTILE, cooperative_name=HOSTILE)
    person = finished.registrations[0].participant
    person.full_name = HOSTILE[:120]
    request_about(None, person, DataRequestKind.CORRECTION, HOSTILE, utcnow())
    db.session.commit()
    assert deliver_and_check(smtp) >= DATA_REQUEST_TEMPLATES


def test_a_correction_applied_from_a_request_tells_the_corrected_name_as_text(hostile_office, finished_training,
                                                                             organiser, smtp):
    from portal.certificates.data_requests import apply_correction, request_about
    from portal.privacy.models import DataRequestKind

    finished = finished_training([["present", "present"]], min_sessions=1, title=HOSTILE, cooperative_name=HOSTILE)
    person = finished.registrations[0].participant
    request = request_about(None, person, DataRequestKind.CORRECTION, HOSTILE, utcnow())
    apply_correction(organiser, request, {"full_name": HOSTILE[:120], "position": "member", "email": person.email,
                                          "phone": None, "sex": None}, HOSTILE[:1000], utcnow())
    db.session.commit()
    assert deliver_and_check(smtp) >= DATA_REQUEST_TEMPLATES


def test_the_hostile_corpus_covers_every_email_template():
    covered = (ACCOUNT_TEMPLATES | REGISTRATION_TEMPLATES | INVITATION_TEMPLATES | CERTIFICATE_TEMPLATES
               | MAIL_TROUBLE_TEMPLATES | REVIVAL_TEMPLATES | SUBSTITUTE_AND_NAMES_TEMPLATES | SURVEY_TEMPLATES
               | DATA_REQUEST_TEMPLATES)
    assert email_templates() == covered


def test_the_check_catches_markup_from_a_field():
    """The control: an unescaped value is caught."""
    with pytest.raises(AssertionError):
        assert_inert(f"<p>{HOSTILE}</p>", "control")
    assert_inert(f"<p>{HOSTILE.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>", "escaped")
