"""Each role lands on its own home page, made of panels (portal/main/panels.py), in a fixed
number of statements; office B's counts are absent from office A's page."""

import re

import pytest

from portal.accounts.models import Role
from portal.main.panels import ORGANISER_HOME, HomePanel
from portal.seams import HOME_PANELS, register


def _waiting(html: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(
        r'data-waiting="(\w+)">.*?<span class="badge[^"]*">(\d+)</span>', html, re.S)}


def test_the_organiser_sees_what_waits_for_its_own_office_only(client, login, two_offices):
    """Each office of the fixture holds one board claim waiting, one failed email, one RAT record
    recorded by its organiser (verified, so nothing to verify), one contact whose next step is due
    in a week (not yet due), one accepted-nothing invitation."""
    mine, _theirs = two_offices
    login(client, mine.organiser)
    html = client.get("/").get_data(as_text=True)
    assert _waiting(html) == {"claims": 1, "signups": 0, "names_owed": 0, "mail": 1, "rats": 0, "steps": 0}
    assert 'data-panel="sessions"' in html and 'data-panel="key_figures"' in html
    assert 'data-panel="accounts_and_mail"' not in html
    assert 'data-testid="home-upcoming"' not in html


def test_the_administrator_sees_the_organisers_page_with_accounts_and_mail(client, login, two_offices):
    mine, _theirs = two_offices
    login(client, mine.admin)
    html = client.get("/").get_data(as_text=True)
    assert 'data-panel="waiting"' in html and 'data-panel="accounts_and_mail"' in html


def test_the_leader_sees_the_organisers_page(client, make_user, login, two_offices):
    mine, _theirs = two_offices
    login(client, make_user(Role.LEADER, email="kadis@example.org", office=mine.office))
    html = client.get("/").get_data(as_text=True)
    assert _waiting(html)["claims"] == 1


def test_a_visitor_sees_the_coming_events_and_no_panel(client):
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-upcoming"' in html and 'data-testid="home-panels"' not in html


def test_the_board_sees_its_cooperative(client, login, office_year):
    from portal.cooperatives.models import BoardAccount, BoardAccountStatus, BoardPosition
    from portal.extensions import db
    from tests.conftest import DEFAULT_PASSWORD  # noqa: F401

    cooperative = office_year.cooperatives["A"]
    from portal.accounts.services import create_user

    user = create_user(None, "ketua.a@example.org", "Ketua A", Role.BOARD, "kata-sandi-panjang-1")
    db.session.flush()
    db.session.add(BoardAccount(user_id=user.id, cooperative_id=cooperative.id, position=BoardPosition.CHAIR,
                                status=BoardAccountStatus.APPROVED))
    db.session.commit()
    login(client, user, password="kata-sandi-panjang-1")
    html = client.get("/").get_data(as_text=True)
    assert 'data-panel="board"' in html
    assert re.search(r"Sertifikat</a><span>1</span>", html)


def test_another_capability_adds_a_panel_in_one_line(app, client, login, two_offices):
    register(app, HOME_PANELS, HomePanel("follow_ups", ORGANISER_HOME, "reports/home/_waiting.html",
                                         lambda actor: {k: 7 for k in ("claims", "signups", "names_owed", "mail",
                                                                       "rats", "steps")}, order=25))
    login(client, two_offices[0].organiser)
    html = client.get("/").get_data(as_text=True)
    assert 'data-panel="follow_ups"' in html
    assert html.index('data-panel="waiting"') < html.index('data-panel="follow_ups"') < html.index(
        'data-panel="key_figures"')


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_the_home_page_is_a_fixed_number_of_statements(client, login, two_offices, count_queries, role):
    login(client, getattr(two_offices[0], role))
    client.get("/")
    with count_queries() as statements:
        assert client.get("/").status_code == 200
    assert len(statements) <= 16, len(statements)


def test_names_owed_and_sign_ups_to_approve_count_only_what_waits(client, login, two_offices):
    """Names are owed by an accepted invitation that announced more people than are named; one that
    announced none, or whose people are all named, owes nothing. A pending sign-up waits for approval.
    Office B's own rows of each kind stay off office A's page."""
    from datetime import UTC, datetime

    from portal.extensions import db
    from portal.invitations.models import Invitation, InvitationAnswer
    from portal.registrations.models import Registration, RegistrationStatus

    for rows in two_offices:
        invitation = db.session.get(Invitation, rows.ids["invitation_id"])
        invitation.answer, invitation.answered_at, invitation.attendee_count = (
            InvitationAnswer.ACCEPTED, datetime.now(UTC), 2)
        registration = db.session.get(Registration, rows.ids["registration_id"])
        registration.status = RegistrationStatus.PENDING
    db.session.commit()
    login(client, two_offices[0].organiser)
    waiting = _waiting(client.get("/").get_data(as_text=True))
    assert (waiting["names_owed"], waiting["signups"]) == (1, 1)

    for rows in two_offices:  # announced nobody: nothing owed
        db.session.get(Invitation, rows.ids["invitation_id"]).attendee_count = 0
    db.session.commit()
    assert _waiting(client.get("/").get_data(as_text=True))["names_owed"] == 0
