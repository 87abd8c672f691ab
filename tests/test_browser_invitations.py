"""An organiser invites all active cooperatives of two districts; a board member opens the
emailed link on a phone, accepts, and names two participants, who appear in the event's
registrations. The email's HTML is rendered in Chromium for a screenshot."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"


def _setup(app):
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
    from portal.events.models import EventKind, ProgramArea
    from portal.extensions import db

    with app.app_context():
        districts = {d.name: d for d in db.session.scalars(select(District))}
        people = iter(["Yohanes Bani", "Petrus Sinlae", "Yuliana Kolo", "Markus Amalo", "Ester Foenay", "Simon Selan"])

        def cooperative(name, district, status=CooperativeStatus.ACTIVE, board=None, phone=None):
            n = len(name)
            slug = re.sub(r"\W", "", name.lower())
            created = Cooperative(name=name, legal_number=f"{slug}-{n}", legal_number_key=f"{slug}-{n}".upper(),
                                  type=CooperativeType.SAVINGS_AND_LOAN, district=districts[district], status=status,
                                  email=f"{slug}@example.org", phone=phone)
            chosen = board or [(next(people), None)]
            created.board_members = [BoardMember(full_name=person, position=BoardPosition.CHAIR, email=email)
                                     for person, email in chosen]
            db.session.add(created)

        cooperative("KSP Sehati Amarasi", "Amarasi", board=[("Maria Tefa", "maria@example.org"),
                                                            ("Agus Lake", "agus@example.org")], phone="+6281339012345")
        cooperative("KSU Lontar Jaya Amarasi", "Amarasi")
        cooperative("Koperasi Tenun Ikat Amarasi", "Amarasi", status=CooperativeStatus.INACTIVE)
        cooperative("KSP Nekaf Mese Takari", "Takari")
        cooperative("KSU Jagung Emas Takari", "Takari")
        cooperative("KSP Bahari Semau", "Semau")
        create_user(None, "penyelenggara@example.org", "Maria Penyelenggara", Role.ORGANISER, PASSWORD)
        day = datetime.now(UTC).date() + timedelta(days=20)
        venue = venues.create_venue(None, "Gedung Serbaguna Oekabiti", "Oekabiti, Amarasi", districts["Amarasi"].id, 60)
        event = events.create_event(None, events.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            description="Pembukuan sederhana dan persiapan RAT.", seats=20, seats_per_cooperative=3,
            starts_on=day, ends_on=day + timedelta(days=1), contact_name="Maria Penyelenggara",
            contact_phone="+6281234567890", facilitator="Balai Pelatihan Koperasi NTT"))
        events.add_session(None, event, day, time(9), time(12), venue.id)
        events.add_session(None, event, day + timedelta(days=1), time(9), time(15, 30), venue.id)
        events.publish_event(None, event)
        db.session.commit()
        return event.id


def _deliver(app):
    from portal.mail.delivery import send_pending

    with app.app_context():
        return send_pending("test")


def test_organiser_invites_two_districts_and_a_board_member_accepts_and_names_two_on_a_phone(
        live_server, new_context, page, smtp):
    server = live_server(WTF_CSRF_ENABLED=True)
    server.app.config["PORTAL_BASE_URL"] = server.url
    event_id = _setup(server.app)

    organiser = new_context(viewport=LAPTOP, locale="id-ID", timezone_id="Asia/Makassar").new_page()
    organiser.set_default_timeout(10_000)
    log_in(organiser, server.url, "penyelenggara@example.org", PASSWORD)
    organiser.goto(f"{server.url}/organiser/events/{event_id}/invitations")
    with organiser.expect_navigation():
        organiser.get_by_test_id("new-invitations").click()
    for name in ("Amarasi", "Takari"):
        organiser.get_by_test_id("districts").get_by_label(name, exact=True).check()
    organiser.locator("select[name=status]").select_option("active")
    with organiser.expect_navigation():
        organiser.get_by_test_id("show-preview").click()
    preview = organiser.get_by_test_id("preview")
    expect(preview).to_have_attribute("data-count", "4")
    expect(organiser.get_by_test_id("preview-list")).to_contain_text("KSP Sehati Amarasi")
    expect(organiser.get_by_test_id("preview-list")).not_to_contain_text("Tenun Ikat")
    organiser.locator("#what_to_bring").fill("Laporan RAT terakhir dan alat tulis")
    screenshot(organiser, "invitations-laptop-preview")
    with organiser.expect_navigation():
        organiser.get_by_test_id("send").click()
    expect(organiser.get_by_test_id("counts").locator('[data-count="all"]')).to_contain_text("4")
    expect(organiser.get_by_test_id("progress").locator('[data-progress="queued"]')).to_contain_text("6")

    assert _deliver(server.app)["sent"] == 6  # 4 contact addresses, and Maria and Agus
    organiser.reload()
    expect(organiser.get_by_test_id("progress").locator('[data-progress="sent"]')).to_contain_text("6")
    screenshot(organiser, "invitations-laptop-tab")
    [mail] = [r for r in smtp.received if r.rcpt_tos == ["maria@example.org"]]
    accept = re.search(r"(http://\S+/invitation/\S+\?answer=accepted)", mail.body("plain")).group(1)
    assert accept.startswith(server.url)

    page.goto(accept)
    expect(page.get_by_test_id("accept-form")).to_be_visible()
    expect(page.get_by_test_id("sessions")).to_contain_text("09.00–12.00 WITA")
    screenshot(page, "invitations-phone-answer")
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    assert page.url.endswith("/participants")
    for name in ("Maria Tefa", "Agus Lake"):
        page.get_by_label(name).check()
    with page.expect_navigation():
        page.get_by_test_id("sign-up").click()
    expect(page.get_by_test_id("signed-up").locator('[data-status="confirmed"]')).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "invitations-phone-participants")

    organiser.goto(f"{server.url}/organiser/events/{event_id}/registrations")
    registrations = organiser.get_by_test_id("registrations")
    expect(registrations.locator('[data-status="confirmed"]')).to_have_count(2)
    expect(registrations).to_contain_text("Maria Tefa")
    expect(registrations).to_contain_text("Agus Lake")
    organiser.goto(f"{server.url}/organiser/events/{event_id}/invitations?answer=accepted")
    expect(organiser.get_by_test_id("invitation")).to_have_count(1)
    expect(organiser.get_by_test_id("people")).to_contain_text("2")
    organiser.set_viewport_size(PHONE)
    organiser.goto(f"{server.url}/organiser/events/{event_id}/invitations")
    assert organiser.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(organiser, "invitations-phone-tab")

    # The email as a mail client shows it: a blank page of its own, not one under the portal's policy.
    mail_client = new_context().new_page()
    for viewport, name in ((PHONE, "invitation-email-phone"), ({"width": 800, "height": 900}, "invitation-email")):
        mail_client.set_viewport_size(viewport)
        mail_client.set_content(mail.body("html"))
        assert mail_client.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(mail_client, name)


def test_organiser_copies_a_whatsapp_text_for_an_invited_cooperative_on_a_phone(live_server, new_context):
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.cooperatives.models import Cooperative
    from portal.events.models import Event
    from portal.extensions import db
    from portal.invitations import services
    from portal.invitations.selection import BY_HAND, Selection

    server = live_server()
    server.app.config["PORTAL_BASE_URL"] = server.url
    event_id = _setup(server.app)
    with server.app.app_context():
        organiser = db.session.scalar(select(User).where(User.email == "penyelenggara@example.org"))
        ids = list(db.session.scalars(select(Cooperative.id).where(Cooperative.name.like("%Amarasi"))))
        services.send_invitations(organiser, db.session.get(Event, event_id), Selection(mode=BY_HAND,
                                                                                        cooperative_ids=ids))
        db.session.commit()

    context = new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Makassar")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, server.url, "penyelenggara@example.org", PASSWORD)
    page.goto(f"{server.url}/organiser/events/{event_id}/invitations")

    row = page.get_by_test_id("invitation").filter(has_text="KSP Sehati Amarasi")
    expect(row.get_by_test_id("whatsapp")).to_have_count(1)
    expect(page.get_by_test_id("invitation").filter(has_text="KSU Lontar Jaya").get_by_test_id("whatsapp")
           ).to_have_count(0)  # no phone on file
    row.get_by_test_id("whatsapp").locator("summary").click()
    link = row.get_by_test_id("wa-link").get_attribute("href")
    assert link.startswith("https://wa.me/6281339012345?text=Yth.%20Pengurus%20KSP%20Sehati%20Amarasi")
    row.get_by_role("button", name="Salin").click()
    expect(row.get_by_role("button", name="Tersalin")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Yth. Pengurus KSP Sehati Amarasi,")
    assert f"{server.url}/events/{event_id}/invitation/" in copied and "*Pelatihan Pembukuan Koperasi*" in copied
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "invitations-phone-whatsapp")
    context.close()
