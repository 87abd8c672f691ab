"""A board member signs three people up for a training with two seats left: two get a seat,
one waits. Another cooperative cancels; the waiting person is promoted and the email arrives."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.browser_fixtures import PHONE, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"


def _setup(app):
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.cooperatives.models import (
        BoardAccount,
        BoardAccountStatus,
        BoardMember,
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
        district = db.session.scalar(select(District).where(District.name == "Kupang Timur"))

        def cooperative_with_board(n, people):
            cooperative = Cooperative(name=f"KSP Sehati {n}", legal_number=f"B-{n}", legal_number_key=f"B-{n}",
                                      type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                                      status=CooperativeStatus.ACTIVE)
            cooperative.board_members = [BoardMember(full_name=name, position=BoardPosition.CHAIR, email=email)
                                         for name, email in people]
            user = create_user(None, f"ketua{n}@example.org", f"Ketua {n}", Role.BOARD, PASSWORD)
            user.email_verified_at = utcnow()
            db.session.add_all([cooperative, BoardAccount(user=user, cooperative=cooperative,
                                                          position=BoardPosition.CHAIR,
                                                          status=BoardAccountStatus.APPROVED)])
            db.session.flush()
            return cooperative, user

        mine, _me = cooperative_with_board(1, [("Maria Tefa", "maria@example.org"), ("Agus Lake", "agus@example.org"),
                                               ("Yohana Nuban", "yohana@example.org")])
        other, other_board = cooperative_with_board(2, [("Petrus Sinlae", None)])
        day = datetime.now(UTC).date() + timedelta(days=20)
        venue = venues.create_venue(None, "Aula Oelamasi", "Oelamasi", district.id, 40)
        event = events.create_event(None, events.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan", seats=3,
            starts_on=day, ends_on=day))
        events.add_session(None, event, day, time(9), time(12), venue.id)
        events.publish_event(None, event)
        petrus = participants.participants_from_board(other_board, other, [other.board_members[0].id])[0]
        taken = services.sign_up(other_board, event.id, [petrus.id])[0]
        db.session.commit()
        return event.id, taken.id, other_board.id


def test_three_sign_ups_for_two_seats_then_a_cancellation_promotes(live_server, page, smtp):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id, taken_id, other_board_id = _setup(server.app)

    page.goto(server.url + "/login")
    page.locator("#email").fill("ketua1@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(server.url + "/my-cooperative/events")
    page.get_by_test_id(f"sign-up-{event_id}").click()
    for name in ("Maria Tefa", "Agus Lake", "Yohana Nuban"):
        page.get_by_label(name).check()
    screenshot(page, "registrations-phone-sign-up")
    page.get_by_test_id("sign-up-form").locator("button[type=submit]").click()
    mine = page.get_by_test_id("my-registrations")
    assert mine.locator('[data-status="confirmed"]').count() == 2
    assert mine.locator('[data-status="waitlisted"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "registrations-phone-mine")

    with server.app.app_context():
        from portal.accounts.models import User
        from portal.extensions import db
        from portal.mail.delivery import send_pending
        from portal.registrations import services
        from portal.registrations.models import Registration

        services.cancel_registration(db.session.get(User, other_board_id), db.session.get(Registration, taken_id))
        db.session.commit()
        send_pending("test")
    page.reload()
    assert mine.locator('[data-status="confirmed"]').count() == 3
    promoted = [r for r in smtp.received if "yohana@example.org" in r.rcpt_tos]
    assert len(promoted) == 2  # waitlisted, then promoted
    assert "event.ics" in promoted[-1].attachments() and "/tickets/" in promoted[-1].body("plain")
