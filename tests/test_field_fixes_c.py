"""Issue 21 (field fixes C) as request tests: unique ids on the certificates tab, the board's
sign-up picker naming each person once with their position, what pages say where they offer
no button, and what the public pages show a newcomer."""

import re
from collections import Counter

import pytest
from sqlalchemy import select

from portal.certificates import services as certificates
from portal.cooperatives.models import BoardMember, BoardPosition
from portal.database import utcnow
from portal.extensions import db
from portal.registrations import services as registrations
from portal.registrations.models import Participant


def duplicate_ids(html: str) -> list[str]:
    return [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_certificates_tab_has_no_duplicate_ids(client, login, organiser, finished_training):
    t = finished_training([["present", "present", "present"], ["present", "late", "present"]])
    certificates.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/certificates")
    assert page.text.count('data-outcome="issued"') == 2
    assert duplicate_ids(page.text) == []


def test_the_sign_up_picker_lists_each_person_once_with_their_position(client, login, board_of, open_event):
    cooperative, board = board_of(board=("Yohanes Bani",))
    db.session.add(BoardMember(cooperative=cooperative, full_name="Maria Tefa", position=BoardPosition.SECRETARY,
                               email="maria@example.org"))
    db.session.commit()
    members = {m.full_name: m.id for m in cooperative.board_members}
    for _ in range(2):  # two events, both board members each time
        event = open_event()
        registrations.sign_up_people(board, event.id, [], list(members.values()))
        db.session.commit()
    assert db.session.scalar(select(Participant.id).where(Participant.full_name == "Yohanes Bani")) is not None
    assert len(db.session.scalars(select(Participant).where(Participant.full_name == "Yohanes Bani")).all()) == 1

    login(client, board)
    page = client.get(f"/my-cooperative/events/{open_event().id}/sign-up").text
    assert page.count("Yohanes Bani") == 1 and page.count("Maria Tefa") == 1
    assert "Ketua" in page and "Sekretaris" in page
    assert duplicate_ids(page) == []


def test_the_demo_prints_each_logins_state_as_it_is_now(runner):
    from portal.accounts.services import find_user_by_email
    from portal.cooperatives.demo import DEMO_BOARD
    from portal.cooperatives.models import BoardAccount, BoardAccountStatus
    from portal.demo import DEMO_STAFF

    (admin, *_), (organiser, *_) = DEMO_STAFF
    chair, pending = DEMO_BOARD["approved"][0], DEMO_BOARD["pending"][0]
    first = runner.invoke(args=["seed-demo"]).output
    assert f"{pending}  (claim pending:" in first
    claim = db.session.scalar(select(BoardAccount).where(BoardAccount.user.has(email=pending)))
    claim.status = BoardAccountStatus.APPROVED
    find_user_by_email(organiser).set_password("another-pass-42")
    find_user_by_email(admin).is_active_account = False
    db.session.commit()

    again = runner.invoke(args=["seed-demo"]).output
    lines = {line.split()[1]: line for line in again.splitlines() if "@demo." in line}
    assert "claim approved:" in lines[pending] and "claim approved:" in lines[chair]
    assert "password changed" in lines[organiser]
    assert "deactivated" in lines[admin]


def test_make_run_serves_on_the_port_asked_for_and_the_readme_says_so():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    plan = subprocess.run(["make", "-n", "run", "PORT=5001"], cwd=root, capture_output=True, text=True, check=True)
    assert "--port 5001" in plan.stdout and "http://127.0.0.1:5001" in plan.stdout
    assert "--port 5000" in subprocess.run(["make", "-n", "run"], cwd=root, capture_output=True, text=True).stdout
    assert "make run PORT=5001" in (root / "README.md").read_text()


def test_send_now_without_an_address_says_why_on_the_page(client, logged_in, invitable_event, make_invitee, invite):
    from portal.accounts.models import Role

    event = invitable_event()
    cooperative = make_invitee(email=None, board=(("Yohanes Bani", None),))
    invite(event, [cooperative])
    logged_in(Role.ORGANISER)
    page = client.get(f"/organiser/events/{event.id}/invitations").text
    assert 'data-testid="resend"' in page and "Kirim sekarang" in page
    help_text = page.split('data-testid="no-address-help">', 1)[1].split("</div>", 1)[0]
    assert "Belum ada alamat email" in help_text and f"/cooperatives/{cooperative.id}/edit" in help_text


@pytest.mark.parametrize("status, words", [("completed", "sudah berlangsung"), ("cancelled", "dibatalkan")])
def test_the_invitation_link_of_a_closed_event_says_why_it_has_no_buttons(client, invitable_event, make_invitee,
                                                                          invite, status, words):
    from portal.events.models import EventStatus
    from tests.invitation_fixtures import invitations_of

    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    event.status = EventStatus(status)
    db.session.commit()
    page = client.get(f"/events/{event.id}/invitation/{invitation.token}")
    assert page.status_code == 200 and 'data-testid="accept"' not in page.text
    assert 'data-testid="closed"' in page.text and words in page.text


def _in_months(months: int, day: int = 10):
    from datetime import date

    from portal.events.services import local_today

    today = local_today()
    month = today.month - 1 + months
    return date(today.year + month // 12, month % 12 + 1, day)


def test_the_public_home_shows_upcoming_public_events(client, make_event):
    from datetime import time

    from portal.events.models import EventStatus

    make_event(title="Pelatihan Aplikasi Kasir", sessions=((_in_months(2), time(9), time(12)),),
               status=EventStatus.PUBLISHED)
    make_event(title="Rancangan Rahasia", sessions=((_in_months(2), time(9), time(12)),))
    page = client.get("/").text
    upcoming = page.split('data-testid="home-upcoming"', 1)[1]
    assert "Pelatihan Aplikasi Kasir" in upcoming and "Rancangan Rahasia" not in upcoming
    assert "/register" in page


def test_the_month_calendar_opens_on_the_next_events_month_when_this_one_is_empty(client, make_event):
    from datetime import time

    from portal.events.models import EventStatus

    make_event(title="Rapat Koordinasi Triwulan", sessions=((_in_months(3), time(9), time(12)),),
               status=EventStatus.PUBLISHED)
    page = client.get("/events/calendar").text
    assert "Rapat Koordinasi Triwulan" in page
    asked = client.get(f"/events/calendar?month={_in_months(0):%Y-%m}").text
    assert "Rapat Koordinasi Triwulan" not in asked  # a month asked for is the month shown


def test_the_public_event_page_says_how_to_take_part_without_internal_badges(client, make_event):
    from datetime import time

    from portal.events.models import EventStatus

    event = make_event(sessions=((_in_months(2), time(9), time(12)),), status=EventStatus.PUBLISHED,
                       description="Hari pertama: pembukuan dasar.")
    page = client.get(f"/events/{event.id}").text
    assert 'data-testid="event-status"' not in page and "Terbit" not in page
    take_part = page.split('data-testid="take-part"', 1)[1].split("</div>", 1)[0]
    assert f"/login?next=/events/{event.id}" in take_part and "/register" in take_part
    description = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert "Pelatihan Pembukuan Koperasi" in description and "pembukuan dasar" in description


@pytest.mark.parametrize("path", ["/", "/events", "/events/calendar", "/login", "/register", "/certificates"])
def test_public_pages_carry_a_meta_description(client, path):
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'<meta name="description" content="([^"]+)"', page.text)
    assert match and len(match.group(1)) > 40
