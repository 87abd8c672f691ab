"""Invitation mail received at a real SMTP server: the bodies, the .ics, the answer links, and
the update and cancellation that follow a change of the event."""

import re
from datetime import time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from portal.accounts.models import Role
from portal.events import services as event_services
from portal.events.calendar import session_uid
from portal.extensions import db
from portal.invitations.models import InvitationAnswer
from portal.mail.delivery import send_pending
from tests.conftest import csrf_token_from
from tests.invitation_fixtures import IN_THREE_WEEKS, invitations_of

WITA = ZoneInfo("Asia/Makassar")
LINK = re.compile(r"https?://[^\s\"<>]+/events/(\d+)/invitation/([\w-]+)\?answer=(accepted|declined)")


def _deliver(smtp) -> dict:
    send_pending("test")
    return {r.rcpt_tos[0]: r for r in smtp.received}


def _vevents(received) -> list:
    calendar = Calendar.from_ical(received.attachments()["invitation.ics"])
    assert str(calendar["METHOD"]) == "PUBLISH"
    entries = list(calendar.walk("VEVENT"))
    for entry in entries:
        assert "ORGANIZER" not in entry and "ATTENDEE" not in entry, "answers come through the portal"
    return entries


def _links(text: str) -> dict[str, str]:
    return {answer: url for url, (_event, _token, answer) in
            ((m.group(0), m.groups()) for m in LINK.finditer(text))}


@pytest.fixture
def sent(invitable_event, make_invitee, invite, smtp):
    """A two-day training, one cooperative invited and its mail delivered."""
    event = invitable_event(days=2, title="Pelatihan Pembukuan Koperasi", seats=30, seats_per_cooperative=3)
    cooperative = make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org",
                               board=(("Yohanes Bani", "yohanes@example.org"),))
    invite(event, [cooperative], what_to_bring="Laporan RAT 2023 dan laptop")
    return event, cooperative, _deliver(smtp)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_invitation_arrives_personal_with_ics_and_its_link_answers_only_with_the_button(sent, client):
    event, cooperative, received = sent
    assert sorted(received) == ["sehati@example.org", "yohanes@example.org"]
    mail = received["yohanes@example.org"]
    assert mail.message["To"] == "Yohanes Bani <yohanes@example.org>"
    assert event.title in mail.message["Subject"]
    text, html = mail.body("plain"), mail.body("html")
    assert '<html lang="id">' in html
    for body in (text, html):
        assert "KSP Sehati Oelamasi" in body and "Pelatihan Pembukuan Koperasi" in body
        assert body.count("09.00–12.00 WITA") == 2, "each session's day, time and place"
        assert "Kupang Timur" in body and "Laporan RAT 2023 dan laptop" in body
        assert "Maria Penyelenggara" in body and "+6281234567890" in body
    links = _links(text)
    assert set(links) == {"accepted", "declined"} and all(url in html for url in links.values())
    [invitation] = invitations_of(event)
    assert links["accepted"].split("/invitation/")[1].startswith(invitation.token)

    entries = _vevents(mail)
    assert [str(e["UID"]) for e in entries] == [session_uid(s) for s in event.sessions]
    assert [int(e["SEQUENCE"]) for e in entries] == [0, 0]
    starts = [e.decoded("DTSTART") for e in entries]
    assert [s.astimezone(WITA).time() for s in starts] == [time(9), time(9)]
    assert starts[0].astimezone(WITA).date() == IN_THREE_WEEKS
    assert _vevents(received["sehati@example.org"])[0]["UID"] == entries[0]["UID"]

    for url in links.values():  # what a mail scanner does: follow every link
        page = client.get(urlsplit(url).path + "?" + urlsplit(url).query)
        assert page.status_code == 200 and 'data-testid="accept-form"' in page.text
    db.session.refresh(invitation)
    assert invitation.answer is None, "a GET answers nothing"

    path = urlsplit(links["accepted"]).path
    refused = client.post(path, data={"answer": "accepted"})
    assert refused.status_code == 400, "no CSRF token, no answer"
    page = client.get(path)
    response = client.post(path, data={"answer": "accepted", "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302 and response.headers["Location"].endswith(path + "/participants")
    db.session.refresh(invitation)
    assert invitation.answer == InvitationAnswer.ACCEPTED and invitation.answered_by_id is None


def test_an_account_that_prefers_english_gets_the_invitation_in_english(invitable_event, make_invitee, invite,
                                                                        make_user, smtp):
    event = invitable_event()
    make_user(Role.BOARD, email="ann@example.org", full_name="Ann", preferred_language="en")
    invite(event, [make_invitee(email="kontak@example.org", board=(("Ann", "Ann@Example.org"),))])
    received = _deliver(smtp)
    english, indonesian = received["ann@example.org"], received["kontak@example.org"]
    assert '<html lang="en">' in english.body("html") and "09:00–12:00 WITA" in english.body("plain")
    assert '<html lang="id">' in indonesian.body("html") and "09.00–12.00 WITA" in indonesian.body("plain")


def test_rescheduling_sends_everyone_invited_an_update_with_sequence_up(sent, organiser, smtp):
    event, _cooperative, first = sent
    smtp.reset()
    session = event.sessions[1]
    uid = session_uid(session)
    event_services.reschedule_session(organiser, event, session, session.starts_at.astimezone(WITA).date(),
                                      time(13, 30), time(16), session.venue_id)
    db.session.commit()
    received = _deliver(smtp)
    assert sorted(received) == ["sehati@example.org", "yohanes@example.org"]
    update = received["yohanes@example.org"]
    assert "13.30–16.00 WITA" in update.body("plain") and "13.30–16.00 WITA" in update.body("html")
    assert set(_links(update.body("plain"))) == {"accepted", "declined"}
    moved = {str(e["UID"]): e for e in _vevents(update)}[uid]
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART").astimezone(WITA).time() == time(13, 30)
    assert str(moved["STATUS"]) == "CONFIRMED"

    smtp.reset()
    event_services.reschedule_session(organiser, event, session, session.starts_at.astimezone(WITA).date(),
                                      time(14), time(16), session.venue_id)
    db.session.commit()
    again = _deliver(smtp)["yohanes@example.org"]
    assert int({str(e["UID"]): e for e in _vevents(again)}[uid]["SEQUENCE"]) == 2


def test_cancelling_sends_everyone_invited_a_cancellation(sent, organiser, smtp, make_invitee, invite):
    event, _cooperative, _first = sent
    invite(event, [make_invitee(email="lain@example.org", board=())])
    [_, declined] = invitations_of(event)
    from portal.invitations.services import answer_invitation

    answer_invitation(None, declined, "declined", reason="Panen")
    db.session.commit()
    smtp.reset()
    event_services.cancel_event(organiser, event, "Banjir di Oelamasi")
    db.session.commit()
    received = _deliver(smtp)
    assert sorted(received) == ["lain@example.org", "sehati@example.org", "yohanes@example.org"]
    cancellation = received["yohanes@example.org"]
    assert "Banjir di Oelamasi" in cancellation.body("plain") and "Banjir di Oelamasi" in cancellation.body("html")
    assert _links(cancellation.body("plain")) == {}, "nothing left to answer"
    entries = _vevents(cancellation)
    assert {str(e["STATUS"]) for e in entries} == {"CANCELLED"}
    assert [int(e["SEQUENCE"]) for e in entries] == [1, 1]
    assert [str(e["UID"]) for e in entries] == [session_uid(s) for s in event.sessions]


def test_answering_again_replaces_the_answer_and_says_so(sent, client):
    event, _cooperative, _received = sent
    [invitation] = invitations_of(event)
    path = f"/events/{event.id}/invitation/{invitation.token}"
    client.post(path, data={"answer": "accepted"})
    page = client.post(path, data={"answer": "declined", "reason": "Rapat anggota"}, follow_redirects=True)
    with force_locale("id"):
        before, after = str(InvitationAnswer.ACCEPTED.label), str(InvitationAnswer.DECLINED.label)
    assert f"({before})" in page.text and after in page.text
    assert 'data-answer="declined"' in page.text and "Rapat anggota" in page.text
    db.session.refresh(invitation)
    assert (invitation.answer, invitation.decline_reason) == (InvitationAnswer.DECLINED, "Rapat anggota")


def test_each_invitation_carries_its_own_name_and_links_escaped_for_html(invitable_event, make_invitee, invite,
                                                                          smtp):
    event = invitable_event()
    first = make_invitee(name='KSP "Maju" <Bersama> & Co', email="maju@example.org", board=())
    second = make_invitee(name="KSU Sasando", email="sasando@example.org", board=())
    invite(event, [first, second])
    received = _deliver(smtp)
    tokens = {i.cooperative_id: i.token for i in invitations_of(event)}
    maju, sasando = received["maju@example.org"], received["sasando@example.org"]
    assert 'KSP "Maju" <Bersama> & Co' in maju.body("plain")
    assert "KSP &#34;Maju&#34; &lt;Bersama&gt; &amp; Co" in maju.body("html") and "<Bersama>" not in maju.body("html")
    assert tokens[first.id] in maju.body("html") and tokens[second.id] not in maju.body("plain")
    assert "KSU Sasando" in sasando.body("html") and tokens[second.id] in sasando.body("plain")
    assert "Maju" not in sasando.body("plain")
