"""Reach without email: a participant without an address is listed under "tanpa email" with the
messages the others receive by email, as WhatsApp texts whose wa.me link (mobile numbers only)
opens their ticket; sending one is recorded, so the office sees who was reached and how."""

import re
from datetime import UTC, datetime
from urllib.parse import unquote

from sqlalchemy import select

from portal.events.models import EventKind
from portal.extensions import db
from portal.registrations import services as registrations
from portal.reports.models import Reach, ReachKind
from tests.conftest import csrf_token_from


def _setup(training, make_people):
    t = training(people=1)
    mobile = make_people(t.cooperative, email=None, phone="081234567890", full_name="Ani Tanpa Surel")[0]
    landline = make_people(t.cooperative, email=None, phone="0380 821234", full_name="Budi Telepon Rumah")[0]
    signed = registrations.sign_up(t.board, t.event.id, [mobile.id, landline.id])
    db.session.commit()
    return t, signed


def test_people_without_email_are_listed_with_a_whatsapp_text_that_opens_their_ticket(
        client, login, organiser, training, make_people):
    t, (ani, budi) = _setup(training, make_people)
    login(client, organiser)
    html = client.get(f"/organiser/events/{t.event.id}/registrations").get_data(as_text=True)
    assert f'href="/organiser/events/{t.event.id}/without-email"' in html
    html = client.get(f"/organiser/events/{t.event.id}/without-email").get_data(as_text=True)
    assert html.count('data-testid="without-email-person"') == 2  # not the one with an address
    assert "Ani Tanpa Surel" in html and "Budi Telepon Rumah" in html and "Peserta 1" not in html
    links = re.findall(r'https://wa\.me/(\d+)\?text=([^"]+)', client.post(
        f"/organiser/registrations/{ani.id}/reach/confirmation",
        data={"csrf_token": csrf_token_from(html)}).headers["Location"])
    number, text = links[0]
    assert number == "6281234567890"
    ticket = re.search(r"https?://[^\s]+/tickets/([\w-]+)", unquote(text)).group(1)
    assert ticket == ani.token
    page = client.get(f"/tickets/{ticket}")
    assert page.status_code == 200 and "Ani Tanpa Surel" in page.get_data(as_text=True)
    (reach,) = db.session.scalars(select(Reach))
    assert (reach.registration_id, reach.kind, reach.channel, reach.sent_by_id) == (
        ani.id, ReachKind.CONFIRMATION, "whatsapp", organiser.id)
    html = client.get(f"/organiser/events/{t.event.id}/without-email").get_data(as_text=True)
    assert 'data-testid="reached"' in html


def test_a_landline_gets_the_text_but_no_link_and_sending_is_still_recorded(client, login, organiser, training,
                                                                             make_people):
    t, (_ani, budi) = _setup(training, make_people)
    login(client, organiser)
    html = client.get(f"/organiser/events/{t.event.id}/without-email").get_data(as_text=True)
    person = html.split(f'data-registration="{budi.id}"')[1].split('data-testid="without-email-person"')[0]
    assert "wa.me" not in person and "/tickets/" in person
    response = client.post(f"/organiser/registrations/{budi.id}/reach/reminder",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.headers["Location"].endswith(f"/organiser/events/{t.event.id}/without-email")
    assert db.session.scalar(select(Reach.kind).where(Reach.registration_id == budi.id)) == ReachKind.REMINDER


def test_an_unknown_message_is_404_and_a_board_member_is_refused(client, login, organiser, training, make_people):
    t, (ani, _budi) = _setup(training, make_people)
    login(client, organiser)
    html = client.get(f"/organiser/events/{t.event.id}/without-email").get_data(as_text=True)
    assert client.post(f"/organiser/registrations/{ani.id}/reach/nonsense",
                       data={"csrf_token": csrf_token_from(html)}).status_code == 404
    assert db.session.scalar(select(Reach)) is None


def test_a_board_member_is_refused(client, login, training, make_people):
    t, _ = _setup(training, make_people)
    login(client, t.board)
    assert client.get(f"/organiser/events/{t.event.id}/without-email").status_code == 403


def test_the_list_loads_in_a_fixed_number_of_queries(client, login, organiser, training, make_people, count_queries):
    t, _ = _setup(training, make_people)
    login(client, organiser)
    url = f"/organiser/events/{t.event.id}/without-email"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    more = [make_people(t.cooperative, email=None, phone=f"08129876543{n}", full_name=f"Orang {n}")[0]
            for n in range(4)]
    registrations.sign_up(t.board, t.event.id, [p.id for p in more])
    db.session.commit()
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('data-testid="without-email-person"') == 6
    assert len(many) == len(few)


def test_a_cooperative_without_email_gets_its_invitation_and_the_names_owed_by_whatsapp(
        client, login, organiser, invitable_event, make_invitee, invite):
    from portal.invitations.models import AnswerChannel, InvitationAnswer
    from tests.invitation_fixtures import invitations_of

    event = invitable_event(kind=EventKind.MEETING)
    silent = make_invitee(name="KSP Diam", email=None, board=(("Ketua", None),))
    silent.phone = "081311112222"
    owing = make_invitee(name="KSP Berutang", email=None, board=(("Ketua", None),))
    owing.phone = "081333334444"
    addressed = make_invitee(name="KSP Beralamat")
    db.session.commit()
    invite(event, cooperatives=[silent, owing, addressed])
    by_name = {i.cooperative.name: i for i in invitations_of(event)}
    accepted = by_name["KSP Berutang"]
    accepted.answer, accepted.answer_channel, accepted.answered_at = (InvitationAnswer.ACCEPTED, AnswerChannel.PHONE,
                                                                      datetime.now(UTC))
    accepted.attendee_count = 3
    db.session.commit()
    login(client, organiser)
    html = client.get(f"/organiser/events/{event.id}/without-email").get_data(as_text=True)
    assert html.count('data-testid="without-email-cooperative"') == 2 and "KSP Beralamat" not in html
    diam = html.split(f'data-invitation="{by_name["KSP Diam"].id}"')[1].split("</li>")[0]
    assert 'data-kind="invitation"' in diam and "names_owed" not in diam
    berutang = html.split(f'data-invitation="{accepted.id}"')[1].split("</li>")[0]
    assert 'data-kind="names_owed"' in berutang and 'data-kind="invitation"' not in berutang
    assert "mohon berikan nama 3 orang" in berutang
    response = client.post(f"/organiser/invitations/{by_name['KSP Diam'].id}/reach/invitation",
                           data={"csrf_token": csrf_token_from(html)})
    location = unquote(response.headers["Location"])
    assert location.startswith("https://wa.me/6281311112222?text=")
    assert f"/invitation/{by_name['KSP Diam'].token}" in location or by_name["KSP Diam"].token in location
    reach = db.session.scalar(select(Reach).where(Reach.invitation_id == by_name["KSP Diam"].id))
    assert (reach.kind, reach.event_id, reach.registration_id) == (ReachKind.INVITATION, event.id, None)
    assert client.post(f"/organiser/invitations/{by_name['KSP Diam'].id}/reach/confirmation",
                       data={"csrf_token": csrf_token_from(html)}).status_code == 404
