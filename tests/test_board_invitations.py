"""A board member's list of the invitations their cooperative received, with the answer and the link."""

from portal.accounts.models import Role
from portal.events.models import EventKind
from portal.extensions import db
from portal.invitations import services
from tests.invitation_fixtures import invitations_of


def test_a_board_member_lists_the_invitations_their_cooperative_received(client, login, board_of, invitable_event,
                                                                         invite, make_board_user):
    cooperative, board = board_of(name="KSP Undangan Saya")
    other, _other_board = board_of(name="KSP Orang Lain")
    meeting = invitable_event(kind=EventKind.MEETING, title="Rapat Koordinasi Pengurus")
    training = invitable_event(title="Pelatihan Pemasaran")
    invite(meeting, [cooperative, other])
    invite(training, [other])
    mine = next(i for i in invitations_of(meeting) if i.cooperative_id == cooperative.id)
    services.answer_invitation(None, mine, "accepted", attendee_names="Agus Lake")
    db.session.commit()
    login(client, board)
    assert "/my-cooperative/invitations" in client.get("/my-cooperative/events").text
    page = client.get("/my-cooperative/invitations")
    assert page.status_code == 200
    assert page.text.count('data-testid="board-invitation"') == 1
    assert "Rapat Koordinasi Pengurus" in page.text and "Pelatihan Pemasaran" not in page.text
    assert f"/events/{meeting.id}/invitation/{mine.token}" in page.text and 'data-answer="accepted"' in page.text


def test_the_invitations_list_is_for_board_members(client, logged_in):
    logged_in(Role.ORGANISER)
    assert client.get("/my-cooperative/invitations").status_code == 403


def test_the_invitations_list_costs_the_same_whatever_the_number_of_invitations(client, login, board_of,
                                                                                 invitable_event, invite,
                                                                                 count_queries):
    cooperative, board = board_of(name="KSP Banyak Undangan")
    login(client, board)
    invite(invitable_event(title="Rapat 1", kind=EventKind.MEETING), [cooperative])
    with count_queries() as few:
        assert client.get("/my-cooperative/invitations").status_code == 200
    for n in range(2, 7):
        invite(invitable_event(title=f"Rapat {n}", kind=EventKind.MEETING), [cooperative])
    with count_queries() as many:
        page = client.get("/my-cooperative/invitations")
    assert page.text.count('data-testid="board-invitation"') == 6
    assert len(many) == len(few), (len(few), len(many))
    print(f"board invitations page: {len(many)} queries")
