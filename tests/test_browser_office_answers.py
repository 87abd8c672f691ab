"""On a phone: an organiser records an answer received by WhatsApp, with names, for a cooperative
that has no account and no email address, then checks one of the people named in at the door."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.attendance_fixtures import wita
from tests.browser_fixtures import PHONE, log_in, screenshot
from tests.browser_seed import PASSWORD

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date() + timedelta(days=12)


def seed_meeting(app, day: date) -> tuple[int, int, int]:
    """A published coordination meeting to which KSP Sumber Rejeki Oelnasi (no account, no email)
    is invited; returns the event's, its session's and the invitation's ids."""
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.cooperatives.models import (
        BoardMember,
        BoardPosition,
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        District,
    )
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind
    from portal.extensions import db
    from portal.invitations import services as invitations
    from portal.invitations.models import Invitation
    from portal.invitations.selection import BY_HAND, Selection

    with app.app_context():
        organiser = create_user(None, "panitia@example.org", "Maria Penyelenggara", Role.ORGANISER, PASSWORD)
        district = db.session.scalar(select(District).where(District.name == "Kupang Timur"))
        cooperative = Cooperative(name="KSP Sumber Rejeki Oelnasi", legal_number="AHU-0042.AH.01", legal_number_key=
                                  "AHU-0042.AH.01", type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                                  status=CooperativeStatus.INACTIVE, phone="081234567890")
        cooperative.board_members = [BoardMember(full_name="Maria Tefa", position=BoardPosition.CHAIR)]
        db.session.add(cooperative)
        venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Oelamasi", district.id, 80)
        event = events.create_event(None, events.EventDetails(
            kind=EventKind.MEETING, program_area=None, title="Rapat Koordinasi Pengurus Koperasi", seats=40,
            starts_on=day, ends_on=day))
        session = events.add_session(None, event, day, time(9), time(12), venue.id)
        events.publish_event(None, event)
        db.session.flush()
        invitations.send_invitations(organiser, event, Selection(mode=BY_HAND, cooperative_ids=[cooperative.id]))
        invitation = db.session.scalar(select(Invitation).where(Invitation.event_id == event.id))
        db.session.commit()
        return event.id, session.id, invitation.id


def test_an_organiser_records_a_whatsapp_answer_with_names_and_checks_one_in_at_the_door(live_server, page):
    server = live_server(WTF_CSRF_ENABLED=True, PORTAL_CLOCK=lambda: wita(DAY, 8, 50))
    event_id, session_id, invitation_id = seed_meeting(server.app, DAY)
    log_in(page, server.url, "panitia@example.org", PASSWORD)

    page.goto(f"{server.url}/organiser/events/{event_id}/invitations")
    row = page.get_by_test_id("invitation").filter(has_text="KSP Sumber Rejeki Oelnasi")
    with page.expect_navigation():
        row.get_by_test_id("record-answer").click()
    form = page.get_by_test_id("answer-for-form")
    expect(form).to_be_visible()
    form.locator('input[name="answer"][value="accepted"]').check()
    form.locator("#channel").select_option("whatsapp")
    form.locator("#answered_by_name").fill("Ibu Maria Tefa, ketua")
    form.locator("#attendee_names").fill("Maria Tefa\nAgus Lake")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "office-answer-phone-form")
    with page.expect_navigation():
        form.get_by_test_id("record-answer").click()
    expect(page.locator(".alert-success")).to_contain_text("KSP Sumber Rejeki Oelnasi")
    row = page.get_by_test_id("invitation").filter(has_text="KSP Sumber Rejeki Oelnasi")
    expect(row).to_have_attribute("data-answer", "accepted")
    expect(row.get_by_test_id("answer-channel")).to_contain_text("WhatsApp")
    expect(row.get_by_test_id("people")).to_contain_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "office-answer-phone-invitations")

    page.goto(f"{server.url}/organiser/events/{event_id}/attendance/{session_id}")
    sheet = page.get_by_test_id("sheet")
    expect(sheet.locator(".sheet-row")).to_have_count(2)
    agus = sheet.locator(".sheet-row", has_text="Agus Lake")
    expect(agus).to_contain_text("KSP Sumber Rejeki Oelnasi")
    agus.locator('button[value$=":present"]').click()
    expect(agus).to_have_attribute("data-mark", "present")
    expect(page.get_by_test_id("counts").locator('[data-count="present"]')).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "office-answer-phone-sheet")

    with page.expect_navigation():
        page.get_by_role("link", name="Catat peserta tanpa pendaftaran").click()
    page.locator("#cooperative-q").fill("rejeki oel")  # the results follow the typing, without a submit
    choose = page.get_by_test_id("choose-cooperative").filter(has_text="KSP Sumber Rejeki Oelnasi")
    expect(choose).to_be_visible()
    screenshot(page, "office-answer-phone-walk-in-search")
    with page.expect_navigation():
        choose.click()
    expect(page.get_by_test_id("chosen-cooperative")).to_contain_text("KSP Sumber Rejeki Oelnasi")
    page.locator("#full_name").fill("Yosef Nalle")
    page.locator("#substitute_for").select_option(label="Maria Tefa")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "office-answer-phone-walk-in-substitute")
    with page.expect_navigation():
        page.get_by_test_id("record-walk-in").click()
    expect(page.get_by_test_id("check-in-name")).to_have_text("Yosef Nalle")

    with server.app.app_context():
        from sqlalchemy import select

        from portal.attendance.models import AttendanceRecord
        from portal.extensions import db

        marks = {r.registration.participant.full_name: r.mark.value
                 for r in db.session.scalars(select(AttendanceRecord))}
    assert marks == {"Agus Lake": "present", "Yosef Nalle": "present"}


def test_a_board_accepts_a_meeting_with_a_count_then_names_the_people_through_its_link(live_server, page):
    server = live_server(WTF_CSRF_ENABLED=True)
    event_id, _session_id, invitation_id = seed_meeting(server.app, DAY)
    with server.app.app_context():
        from portal.extensions import db
        from portal.invitations.models import Invitation

        token = db.session.get(Invitation, invitation_id).token
    page.goto(f"{server.url}/events/{event_id}/invitation/{token}")
    accept = page.get_by_test_id("accept-form")
    accept.locator("#attendee_count").fill("3")
    with page.expect_navigation():
        accept.get_by_test_id("accept").click()
    expect(page.get_by_test_id("current-answer")).to_have_attribute("data-answer", "accepted")
    expect(page.locator("[data-names-owed]")).to_have_attribute("data-names-owed", "3")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "office-answer-phone-link-count")
    accept = page.get_by_test_id("accept-form")
    accept.locator("#attendee_names").fill("Maria Tefa\nAgus Lake\nYosef Nalle")
    with page.expect_navigation():
        accept.get_by_test_id("accept").click()
    expect(page.get_by_test_id("coming").locator("li")).to_have_count(3)
    expect(page.locator("[data-names-owed]")).to_have_count(0)
    screenshot(page, "office-answer-phone-link-names")
