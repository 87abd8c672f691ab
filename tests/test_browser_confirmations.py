"""On a phone, without a modal: a destructive button leads to a page that says what will follow,
with a final button and a way back. A board member cancels a seat and learns who got it from the
waiting list; an organiser backs out of cancelling the event and changes a cooperative's status;
an administrator deactivates an account."""

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"


def _setup(app):
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.cooperatives.models import (
        BoardAccount,
        BoardAccountStatus,
        BoardPosition,
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        District,
    )
    from portal.database import utcnow
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind, ProgramArea
    from portal.extensions import db
    from portal.registrations import participants, services

    with app.app_context():
        create_user(None, "admin@example.org", "Admin Dinas", Role.ADMIN, PASSWORD)
        organiser = create_user(None, "panitia@example.org", "Maria Penyelenggara", Role.ORGANISER, PASSWORD)
        district = db.session.scalar(select(District).where(District.name == "Kupang Timur"))
        cooperative = Cooperative(name="KSP Sehati Oelamasi", legal_number="B-1", legal_number_key="B-1",
                                  type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                                  status=CooperativeStatus.ACTIVE)
        board = create_user(None, "ketua@example.org", "Ketua Sehati", Role.BOARD, PASSWORD)
        board.email_verified_at = utcnow()
        db.session.add_all([cooperative, BoardAccount(user=board, cooperative=cooperative, position=BoardPosition.CHAIR,
                                                      status=BoardAccountStatus.APPROVED)])
        day = datetime.now(UTC).date() + timedelta(days=20)
        venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Oelamasi", district.id, 80)
        event = events.create_event(None, events.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            seats=1, starts_on=day, ends_on=day))
        events.add_session(None, event, day, time(9), time(12), venue.id)
        events.publish_event(None, event)
        people = [participants.find_or_create_participant(board, cooperative, name, "staff")
                  for name in ("Yohana Nuban", "Agus Lake")]
        services.sign_up(board, event.id, [p.id for p in people])
        db.session.commit()
        return event.id, cooperative.id, organiser.id


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_destructive_actions_ask_first_on_a_phone(live_server, new_context, smtp):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id, cooperative_id, organiser_id = _setup(server.app)

    board = new_context().new_page()
    log_in(board, server.url, "ketua@example.org", PASSWORD)
    board.goto(server.url + "/my-cooperative/events")
    yohana = board.get_by_test_id("registration").filter(has_text="Yohana Nuban")
    with board.expect_navigation():
        yohana.locator("button[type=submit]").click()
    confirm = board.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Yohana Nuban")
    expect(board.get_by_test_id("consequences")).to_contain_text("Agus Lake")
    _fits(board)
    screenshot(board, "confirm-phone-cancel-registration")
    with board.expect_navigation():
        board.get_by_test_id("confirm-button").click()
    expect(board.locator(".alert-success")).to_contain_text("Agus Lake")
    expect(board.get_by_test_id("registration").filter(has_text="Agus Lake")).to_have_attribute(
        "data-status", "confirmed")
    _fits(board)
    screenshot(board, "confirm-phone-cancel-registration-done")

    organiser = new_context().new_page()
    log_in(organiser, server.url, "panitia@example.org", PASSWORD)
    organiser.goto(f"{server.url}/organiser/events/{event_id}")
    organiser.locator("textarea[name='cancel-reason']").fill("Aula dipakai untuk acara bupati")
    with organiser.expect_navigation():
        organiser.get_by_test_id("cancel").click()
    expect(organiser.get_by_test_id("consequences")).to_contain_text("Aula dipakai untuk acara bupati")
    _fits(organiser)
    screenshot(organiser, "confirm-phone-cancel-event")
    with organiser.expect_navigation():
        organiser.get_by_test_id("confirm-back").click()
    expect(organiser.get_by_test_id("event-status").first).to_have_attribute("data-status", "published")

    organiser.goto(f"{server.url}/cooperatives/{cooperative_id}")
    organiser.locator("select[name=status]").select_option("inactive")
    organiser.locator("form[action$='/status'] input[name=reason]").fill("Tidak RAT sejak 2019")
    with organiser.expect_navigation():
        organiser.locator("form[action$='/status'] button[type=submit]").click()
    expect(organiser.get_by_test_id("consequences")).to_contain_text("Tidak RAT sejak 2019")
    _fits(organiser)
    screenshot(organiser, "confirm-phone-cooperative-status")
    with organiser.expect_navigation():
        organiser.get_by_test_id("confirm-button").click()
    expect(organiser.locator(".alert-success")).to_contain_text("Tidak aktif")

    admin = new_context().new_page()
    log_in(admin, server.url, "admin@example.org", PASSWORD)
    admin.goto(f"{server.url}/admin/users/{organiser_id}")
    with admin.expect_navigation():
        admin.locator("form[action$='/active'] button[type=submit]").click()
    expect(admin.get_by_test_id("consequences")).to_contain_text("panitia@example.org")
    _fits(admin)
    screenshot(admin, "confirm-phone-deactivate-user")
    with admin.expect_navigation():
        admin.get_by_test_id("confirm-button").click()
    expect(admin.locator(".alert-success")).to_contain_text("Maria Penyelenggara")
