"""The office acts for cooperatives without an account: it records an answer received by phone,
WhatsApp, letter or in person, and signs people up for a cooperative found by name or legal number."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.events.models import EventKind
from portal.extensions import db
from portal.invitations.models import AnswerChannel, InvitationAnswer
from portal.registrations.models import Registration
from tests.invitation_fixtures import invitations_of


def registrations_of(event, cooperative) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.cooperative_id == cooperative.id).order_by(Registration.id)))


@pytest.fixture
def offline_invitee(make_invitee):
    """A cooperative without any account and without an email address: the office reaches it by phone."""
    return make_invitee(name="KSP Sumber Rejeki Oelnasi", email=None,
                        board=(("Maria Tefa", None), ("Yosef Nalle", None)))


def test_an_organiser_records_a_phone_answer_with_names_for_a_cooperative_without_an_account(
        client, logged_in, invitable_event, invite, offline_invitee):
    event = invitable_event(kind=EventKind.MEETING, title="Rapat Koordinasi Koperasi")
    invite(event, [offline_invitee])
    [invitation] = invitations_of(event)
    organiser = logged_in(Role.ORGANISER)
    tab = client.get(f"/organiser/events/{event.id}/invitations")
    assert f"/organiser/invitations/{invitation.id}/answer" in tab.text
    page = client.get(f"/organiser/invitations/{invitation.id}/answer")
    assert page.status_code == 200 and 'name="channel"' in page.text
    response = client.post(f"/organiser/invitations/{invitation.id}/answer", data={
        "answer": "accepted", "channel": "phone", "answered_by_name": "Ibu Maria Tefa, ketua",
        "attendee_names": "Maria Tefa\nAgus Lake"})
    assert response.status_code == 302, response.text
    db.session.refresh(invitation)
    assert (invitation.answer, invitation.answer_channel) == (InvitationAnswer.ACCEPTED, AnswerChannel.PHONE)
    assert invitation.answered_by_name == "Ibu Maria Tefa, ketua" and invitation.answered_by_id == organiser.id
    assert [r.participant.full_name for r in registrations_of(event, offline_invitee)] == ["Maria Tefa", "Agus Lake"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.answered_for"))
    assert entry.actor_id == organiser.id and entry.after["channel"] == "phone"
    tab = client.get(f"/organiser/events/{event.id}/invitations")
    assert 'data-testid="answer-channel"' in tab.text and "Ibu Maria Tefa, ketua" in tab.text


def test_an_office_answer_needs_who_answered_and_no_future_time_and_changes_nothing_when_refused(
        client, logged_in, invitable_event, invite, offline_invitee):
    event = invitable_event(kind=EventKind.MEETING)
    invite(event, [offline_invitee])
    [invitation] = invitations_of(event)
    logged_in(Role.ORGANISER)
    url = f"/organiser/invitations/{invitation.id}/answer"
    missing = client.post(url, data={"answer": "accepted", "channel": "whatsapp", "attendee_names": "Agus"})
    assert missing.status_code == 400 and "is-invalid" in missing.text
    tomorrow = (event.first_session.starts_at + timedelta(days=1)).date().isoformat()
    future = client.post(url, data={"answer": "accepted", "channel": "letter", "answered_by_name": "Pak Yosef",
                                    "answered_on": tomorrow, "attendee_names": "Agus"})
    assert future.status_code == 400 and "masa depan" in future.text
    no_names = client.post(url, data={"answer": "accepted", "channel": "in_person", "answered_by_name": "Pak Yosef"})
    assert no_names.status_code == 400 and "satu per baris" in no_names.text
    db.session.refresh(invitation)
    assert invitation.answer is None and registrations_of(event, offline_invitee) == []


def test_an_answer_after_the_event_is_refused(client, app, logged_in, invitable_event, invite, offline_invitee):
    event = invitable_event(kind=EventKind.MEETING)
    invite(event, [offline_invitee])
    [invitation] = invitations_of(event)
    logged_in(Role.ORGANISER)
    ended = event.sessions[-1].ends_at + timedelta(hours=1)
    app.config["PORTAL_CLOCK"] = lambda: ended
    try:
        refused = client.post(f"/organiser/invitations/{invitation.id}/answer", data={
            "answer": "accepted", "channel": "phone", "answered_by_name": "Ibu Maria", "attendee_names": "Agus"})
    finally:
        del app.config["PORTAL_CLOCK"]
    assert refused.status_code == 400 and "Kegiatan ini sudah selesai." in refused.text
    db.session.refresh(invitation)
    assert invitation.answer is None


def test_a_board_member_cannot_use_the_office_pages(client, logged_in, invitable_event, invite, offline_invitee):
    event = invitable_event(kind=EventKind.MEETING)
    invite(event, [offline_invitee])
    [invitation] = invitations_of(event)
    logged_in(Role.BOARD)
    assert client.get(f"/organiser/invitations/{invitation.id}/answer").status_code == 403
    assert client.post(f"/organiser/invitations/{invitation.id}/answer", data={
        "answer": "accepted", "channel": "phone", "answered_by_name": "x", "attendee_names": "Agus"}).status_code == 403
    assert client.get(f"/organiser/events/{event.id}/registrations/for-cooperative?q=Sumber").status_code == 403
    assert client.post(f"/organiser/events/{event.id}/registrations/for-cooperative",
                       data={"cooperative_id": offline_invitee.id, "full_name": "Agus"}).status_code == 403


def test_an_organiser_signs_up_two_people_for_a_cooperative_without_any_account_found_by_name_or_number(
        client, logged_in, invitable_event, offline_invitee, make_invitee):
    event = invitable_event(title="Pelatihan Pembukuan Koperasi", seats_per_cooperative=2)
    make_invitee(name="KSP Lain Sekali")
    organiser = logged_in(Role.ORGANISER)
    tab = client.get(f"/organiser/events/{event.id}/registrations")
    assert f"/organiser/events/{event.id}/registrations/for-cooperative" in tab.text
    url = f"/organiser/events/{event.id}/registrations/for-cooperative"
    by_name = client.get(url, query_string={"q": "rejeki oel"})
    assert by_name.status_code == 200 and "KSP Sumber Rejeki Oelnasi" in by_name.text
    assert "KSP Lain Sekali" not in by_name.text
    by_number = client.get(url, query_string={"q": offline_invitee.legal_number.lower()})
    assert "KSP Sumber Rejeki Oelnasi" in by_number.text
    chosen = client.get(url, query_string={"cooperative_id": offline_invitee.id})
    assert 'name="board_member_id"' in chosen.text and "Maria Tefa" in chosen.text
    member = offline_invitee.board_members[0]
    done = client.post(url, data={"cooperative_id": offline_invitee.id, "board_member_id": member.id,
                                  "full_name": "Agus Lake", "position": "staff", "phone": "0812 3456 7890"})
    assert done.status_code == 302, done.text
    assert [r.participant.full_name for r in registrations_of(event, offline_invitee)] == ["Maria Tefa", "Agus Lake"]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.created")).all()
    assert {(e.actor_id, e.after["on_behalf_of"]) for e in entries} == {(organiser.id, offline_invitee.name)}
    third = client.post(url, data={"cooperative_id": offline_invitee.id, "full_name": "Rina Nope",
                                   "position": "staff"})
    assert third.status_code == 400 and "paling banyak 2" in third.text.lower(), "the quota applies"
    assert len(registrations_of(event, offline_invitee)) == 2


def test_the_cooperative_search_costs_the_same_whatever_the_number_found(client, logged_in, invitable_event,
                                                                        make_invitee, count_queries):
    event = invitable_event()
    logged_in(Role.ORGANISER)
    url = f"/organiser/events/{event.id}/registrations/for-cooperative?q=Cari"
    make_invitee(name="KSP Cari 0")
    with count_queries() as few:
        client.get(url)
    for n in range(1, 15):
        make_invitee(name=f"KSP Cari {n}", district_name="Kupang Barat" if n % 2 else "Amarasi")
    with count_queries() as many:
        page = client.get(url)
    assert page.text.count('data-testid="choose-cooperative"') == 15
    assert len(many) == len(few), (len(few), len(many))
    print(f"cooperative search: {len(many)} queries")
