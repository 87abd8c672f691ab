"""What the web layer adds: choosing and previewing, the send request's cost, the tracking tab,
send again, and the pages an answer link opens."""

import time as clock
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from portal.accounts.models import Role
from portal.cooperatives.models import BoardMember, BoardPosition, Cooperative, CooperativeStatus, CooperativeType
from portal.events.models import EventKind
from portal.extensions import db
from portal.invitations.models import Invitation, InvitationAnswer
from portal.mail.delivery import send_pending
from portal.mail.models import MessageStatus, OutboxMessage
from portal.registrations.models import Registration
from portal.settings.services import get_office_settings
from tests.event_fixtures import district
from tests.invitation_fixtures import invitations_of


def _bulk_cooperatives(count: int, district_name: str, start: int = 0) -> None:
    """``count`` active cooperatives with a contact address and one board member's address,
    inserted in bulk (the registry's own services would take too long for thousands)."""
    district_id = district(district_name).id
    db.session.execute(insert(Cooperative), [
        {"name": f"KSP Massal {start + n:05d}", "legal_number": f"M-{start + n}", "legal_number_key": f"M-{start + n}",
         "type": CooperativeType.SAVINGS_AND_LOAN, "status": CooperativeStatus.ACTIVE, "district_id": district_id,
         "email": f"koperasi{start + n}@example.org"} for n in range(count)])
    ids = db.session.scalars(select(Cooperative.id).where(Cooperative.legal_number_key.like("M-%"),
                                                          Cooperative.district_id == district_id))
    db.session.execute(insert(BoardMember), [
        {"cooperative_id": cooperative_id, "full_name": "Ketua", "position": BoardPosition.CHAIR,
         "email": f"ketua{cooperative_id}@example.org"} for cooperative_id in ids])
    db.session.commit()


def _send_by_district(client, event, district_name: str):
    return client.post(f"/organiser/events/{event.id}/invitations",
                       data={"mode": "filter", "district_ids": [district(district_name).id], "status": "active",
                             "not_invited": "y"})


def test_the_send_request_issues_as_many_queries_for_1000_cooperatives_as_for_10(client, logged_in, count_queries,
                                                                                   invitable_event):
    event = invitable_event()
    get_office_settings()  # as in any running portal: the settings row exists
    _bulk_cooperatives(10, "Semau")
    _bulk_cooperatives(1000, "Takari", start=10)
    logged_in(Role.ORGANISER)
    with count_queries() as few:
        assert _send_by_district(client, event, "Semau").status_code == 302
    started = clock.perf_counter()
    with count_queries() as many:
        assert _send_by_district(client, event, "Takari").status_code == 302
    seconds = clock.perf_counter() - started
    assert len(many) == len(few), (len(few), len(many))
    assert db.session.scalar(select(func.count(Invitation.id))) == 1010
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2020
    print(f"\nsend request: {len(few)} queries for 10 and {len(many)} for 1000 cooperatives; 1000 took {seconds:.2f}s")


def test_choosing_shows_how_many_and_who_before_sending(client, logged_in, invitable_event, make_invitee, invite):
    event = invitable_event()
    first = make_invitee(name="KSP Amarasi Satu", district_name="Amarasi")
    make_invitee(name="KSP Amarasi Dua", district_name="Amarasi", status=CooperativeStatus.INACTIVE)
    make_invitee(name="KSP Takari", district_name="Takari", email=None, board=())
    logged_in(Role.ORGANISER)
    page = client.get(f"/organiser/events/{event.id}/invitations/new")
    assert page.status_code == 200 and 'data-testid="preview"' not in page.text
    query = {"mode": "filter", "district_ids": [district("Amarasi").id, district("Takari").id], "status": "active",
             "not_invited": "y"}
    page = client.get(f"/organiser/events/{event.id}/invitations/new", query_string=query)
    assert 'data-count="2"' in page.text and "KSP Amarasi Satu" in page.text and "KSP Takari" in page.text
    assert "KSP Amarasi Dua" not in page.text.split('data-testid="preview"')[1]
    assert 'data-testid="without-address"' in page.text
    by_hand = client.get(f"/organiser/events/{event.id}/invitations/new",
                         query_string={"mode": "hand", "q": "Amarasi", "cooperative_id": first.id})
    assert 'data-count="1"' in by_hand.text and f'id="pick-{first.id}" checked' in by_hand.text
    response = client.post(f"/organiser/events/{event.id}/invitations",
                           data={"mode": "hand", "cooperative_id": [first.id],
                                 "organisations": "Bank NTT Cabang Oelamasi, kredit@bankntt.example"})
    assert response.status_code == 302
    assert {i.guest_name for i in invitations_of(event)} == {"KSP Amarasi Satu", "Bank NTT Cabang Oelamasi"}
    bad = client.post(f"/organiser/events/{event.id}/invitations",
                      data={"mode": "hand", "cooperative_id": [first.id], "organisations": "Bank tanpa alamat"})
    assert bad.status_code == 400 and "Bank tanpa alamat" in bad.text


def test_tracking_tab_counts_filters_and_sends_a_failed_invitation_again(client, logged_in, invitable_event,
                                                                         make_invitee, invite, smtp):
    event = invitable_event(kind=EventKind.MEETING)
    bounced = make_invitee(name="KSP Alamat Salah", email="salah@example.org", board=())
    accepted, declined = make_invitee(name="KSP Datang"), make_invitee(name="KSP Tidak Datang")
    silent = make_invitee(name="KSP Tanpa Alamat", email=None, board=())
    invite(event, [bounced, accepted, declined, silent])
    smtp.answers.append("550 5.1.1 No such user")  # the first message: salah@example.org
    send_pending("test")
    by_name = {i.guest_name: i for i in invitations_of(event)}
    client.post(f"/events/{event.id}/invitation/{by_name['KSP Datang'].token}",
                data={"answer": "accepted", "attendee_names": "Yohanes Bani\nMaria Tefa"})
    client.post(f"/events/{event.id}/invitation/{by_name['KSP Tidak Datang'].token}",
                data={"answer": "declined", "reason": "Panen jagung"})
    logged_in(Role.ORGANISER)
    tab = client.get(f"/organiser/events/{event.id}/invitations")
    assert tab.status_code == 200
    for key, count in {"all": 4, "sent": 2, "failed": 1, "no_address": 1, "accepted": 1, "declined": 1,
                       "none": 2}.items():
        assert f'data-count="{key}" href' in tab.text and f"{key}" in tab.text
        assert tab.text.split(f'data-count="{key}"')[1].split("</a>")[0].endswith(f": {count}"), key
    assert 'data-progress="sent">' in tab.text and "Panen jagung" in tab.text
    assert tab.text.split('data-answer="accepted"')[1].split("</tr>")[0].count("(2 ") == 1, "with how many"
    failed = client.get(f"/organiser/events/{event.id}/invitations?delivery=failed")
    assert failed.text.count('data-testid="invitation"') == 1 and "KSP Alamat Salah" in failed.text
    declined_only = client.get(f"/organiser/events/{event.id}/invitations?answer=declined&q=Tidak")
    assert declined_only.text.count('data-testid="invitation"') == 1
    assert client.post(f"/organiser/invitations/{by_name['KSP Datang'].id}/resend").status_code == 302
    assert client.post(f"/organiser/invitations/{by_name['KSP Alamat Salah'].id}/resend").status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_email == "salah@example.org"))
    assert message.status == MessageStatus.QUEUED
    send_pending("test")
    db.session.refresh(message)
    assert message.status == MessageStatus.SENT
    assert 'data-delivery="failed"' not in client.get(f"/organiser/events/{event.id}/invitations").text
    silent.email = "alamat.baru@example.org"  # the organiser found the address and added it
    db.session.commit()
    assert client.post(f"/organiser/invitations/{by_name['KSP Tanpa Alamat'].id}/resend").status_code == 302
    assert db.session.scalar(select(OutboxMessage.status).where(
        OutboxMessage.recipient_email == "alamat.baru@example.org")) == MessageStatus.QUEUED


def test_expired_tampered_and_other_event_links_each_get_a_clear_page(client, invitable_event, make_invitee, invite):
    event, other = invitable_event(), invitable_event(title="Rapat Koordinasi Lain")
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    tampered = client.get(f"/events/{event.id}/invitation/{invitation.token[:-2]}xy")
    assert tampered.status_code == 404 and 'data-problem="unknown"' in tampered.text
    elsewhere = client.get(f"/events/{other.id}/invitation/{invitation.token}")
    assert elsewhere.status_code == 404 and 'data-problem="other_event"' in elsewhere.text
    assert f"/events/{event.id}/invitation/{invitation.token}" in elsewhere.text
    assert client.post(f"/events/{other.id}/invitation/{invitation.token}",
                       data={"answer": "accepted"}).status_code == 404
    past = invitation.event.starts_on - timedelta(days=60)
    for session in event.sessions:  # as if sixty days had passed since
        session.starts_at -= timedelta(days=60)
        session.ends_at -= timedelta(days=60)
    db.session.commit()
    expired = client.get(f"/events/{event.id}/invitation/{invitation.token}")
    assert expired.status_code == 410 and 'data-problem="expired"' in expired.text and str(past.year) in expired.text
    assert client.post(f"/events/{event.id}/invitation/{invitation.token}",
                       data={"answer": "accepted"}).status_code == 410
    db.session.refresh(invitation)
    assert invitation.answer is None


def test_a_board_member_names_participants_through_the_link_without_an_account(client, invitable_event,
                                                                                 make_invitee, invite):
    event = invitable_event(seats=10)
    cooperative = make_invitee(board=(("Yohanes Bani", "auto"), ("Maria Tefa", "auto")))
    invite(event, [cooperative])
    [invitation] = invitations_of(event)
    base = f"/events/{event.id}/invitation/{invitation.token}"
    assert client.get(base + "/participants").status_code == 302, "accept first"
    client.post(base, data={"answer": "accepted"})
    form = client.get(base + "/participants")
    assert form.status_code == 200 and "Maria Tefa" in form.text
    response = client.post(base + "/participants", data={
        "board_member_id": [m.id for m in cooperative.board_members], "full_name": "Agus Lake", "position": "staff"})
    assert response.status_code == 302
    names = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    assert sorted(r.participant.full_name for r in names) == ["Agus Lake", "Maria Tefa", "Yohanes Bani"]
    page = client.get(base)
    assert page.text.count('data-status="confirmed"') == 3
    assert 'name="board_member_id"' not in client.get(base + "/participants").text, "signed up, so not offered"


@pytest.mark.parametrize("kind", [EventKind.MEETING, EventKind.TRAINING])
def test_the_answer_page_asks_what_each_kind_needs(client, invitable_event, make_invitee, invite, kind):
    event = invitable_event(kind=kind)
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    page = client.get(f"/events/{event.id}/invitation/{invitation.token}?answer=declined")
    assert ('name="attendee_names"' in page.text) == (kind == EventKind.MEETING)
    assert page.text.index('data-testid="decline-form"') < page.text.index('data-testid="accept-form"')
    if kind == EventKind.MEETING:
        refused = client.post(f"/events/{event.id}/invitation/{invitation.token}", data={"answer": "accepted"})
        assert refused.status_code == 400
        db.session.refresh(invitation)
        assert invitation.answer is None
    else:
        client.post(f"/events/{event.id}/invitation/{invitation.token}", data={"answer": "accepted"})
        db.session.refresh(invitation)
        assert invitation.answer == InvitationAnswer.ACCEPTED


def test_board_members_cannot_use_the_organiser_pages(client, logged_in, invitable_event, make_invitee, invite):
    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    logged_in(Role.BOARD)
    assert client.get(f"/organiser/events/{event.id}/invitations").status_code == 403
    assert client.post(f"/organiser/events/{event.id}/invitations", data={"mode": "filter"}).status_code == 403
    assert client.post(f"/organiser/invitations/{invitation.id}/resend").status_code == 403


@pytest.mark.app_config(PER_PAGE=5)
def test_the_tab_pages_through_many_invitations_keeping_its_filters(client, logged_in, invitable_event, make_invitee,
                                                                   invite):
    event = invitable_event()
    invite(event, [make_invitee(email=None, board=()) for _ in range(7)])
    logged_in(Role.ORGANISER)
    first = client.get(f"/organiser/events/{event.id}/invitations?delivery=no_address")
    assert first.status_code == 200 and first.text.count('data-testid="invitation"') == 5
    assert f"/organiser/events/{event.id}/invitations?page=2&amp;delivery=no_address" in first.text
    second = client.get(f"/organiser/events/{event.id}/invitations?page=2&delivery=no_address")
    assert second.text.count('data-testid="invitation"') == 2


@pytest.mark.parametrize("data", [
    {"mode": "filter", "types": "bogus"}, {"mode": "filter", "status": "bogus"},
    {"mode": "filter", "district_ids": "9" * 30}, {"mode": "hand", "cooperative_id": ["²", "9" * 30]},
])
def test_tampered_choices_get_a_page_not_a_500(client, logged_in, invitable_event, make_invitee, data):
    event = invitable_event()
    make_invitee()
    logged_in(Role.ORGANISER)
    response = client.post(f"/organiser/events/{event.id}/invitations", data=data)
    assert response.status_code in (200, 302, 400)
    assert client.get(f"/organiser/events/{event.id}/invitations/new", query_string=data).status_code == 200


def test_an_answer_post_without_a_known_answer_is_refused_and_changes_nothing(client, invitable_event,
                                                                               make_invitee, invite):
    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    for answer in (None, "maybe"):
        data = {"answer": answer} if answer else {}
        assert client.post(f"/events/{event.id}/invitation/{invitation.token}", data=data).status_code == 400
    db.session.refresh(invitation)
    assert invitation.answer is None


def test_the_tab_and_the_remind_page_issue_as_many_queries_for_a_full_page_as_for_two(
        client, logged_in, count_queries, invitable_event, make_invitee, invite):
    """Each row's WhatsApp text and delivery state come without a query per row."""
    small, large = invitable_event(), invitable_event()
    invite(small, [make_invitee() for _ in range(2)])
    invite(large, [make_invitee() for _ in range(20)])
    db.session.execute(update(Cooperative).values(phone="+6281234567890"))
    db.session.commit()
    logged_in(Role.ORGANISER)
    for page in ("invitations", "invitations/remind"):
        with count_queries() as few:
            assert client.get(f"/organiser/events/{small.id}/{page}").status_code == 200
        with count_queries() as many:
            response = client.get(f"/organiser/events/{large.id}/{page}")
        assert response.status_code == 200 and len(many) == len(few), (page, len(few), len(many))
    assert client.get(f"/organiser/events/{large.id}/invitations").text.count('data-testid="whatsapp"') == 20
