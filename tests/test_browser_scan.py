"""Scanning a ticket's QR code with the camera, in Chromium at 360 px: Chromium's fake camera plays
a video of the ticket's QR code (``--use-file-for-fake-video-capture``); BarcodeDetector is absent
on desktop Linux, so the sheet decodes the frames with the local jsQR (static/js/vendor) under the
portal's policy, and the person is checked in through the API, once."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.attendance_fixtures import wita
from tests.browser_fixtures import CHROMIUM, CHROMIUM_FLAGS, PHONE, CspWatch, log_in, screenshot
from tests.browser_seed import PASSWORD, seed_training

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date() + timedelta(days=12)


def _y4m(link: str, path) -> None:
    """A few frames (640×480, 4:2:0) of the QR code on white: Chromium loops the file."""
    import io

    from PIL import Image

    from portal.documents.qr import qr_png

    qr = Image.open(io.BytesIO(qr_png(link, scale=6))).convert("RGB")
    frame = Image.new("RGB", (640, 480), "white")
    qr = qr.resize((400, 400), Image.NEAREST) if qr.width > 400 else qr
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    y, u, v = frame.convert("YCbCr").split()
    u, v = u.resize((320, 240)), v.resize((320, 240))
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(5):
            out.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())


def test_a_ticket_is_scanned_with_the_camera(live_server, browser, csp_reports, tmp_path):
    server = live_server(WTF_CSRF_ENABLED=True, PORTAL_CLOCK=lambda: wita(DAY, 9, 5))
    server.app.config["PORTAL_BASE_URL"] = server.url
    seeded = seed_training(server.app, DAY, seats=30, people=(("Yohana Nuban", None), ("Agus Lake", None)))
    with server.app.app_context():
        from sqlalchemy import select

        from portal.attendance.services import check_in_url
        from portal.events.models import Event
        from portal.extensions import db
        from portal.registrations.models import Registration

        event = db.session.get(Event, seeded.event_id)
        session_id = event.sessions[0].id
        yohana = db.session.scalars(select(Registration).order_by(Registration.id)).first()
        link = check_in_url(yohana)
    video = tmp_path / "ticket.y4m"
    _y4m(link, video)
    camera = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        *CHROMIUM_FLAGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Makassar")
        context.grant_permissions(["camera"], origin=server.url)
        watch = CspWatch(context, csp_reports)
        page = context.new_page()
        log_in(page, server.url, "panitia@example.org", PASSWORD)
        page.goto(f"{server.url}/organiser/events/{seeded.event_id}/attendance/{session_id}")
        assert page.evaluate("'BarcodeDetector' in window") is False
        page.get_by_test_id("scan-toggle").click()
        expect(page.get_by_test_id("scan-result")).to_have_text("Yohana Nuban", timeout=20_000)
        row = page.get_by_test_id("sheet").locator(".sheet-row", has_text="Yohana Nuban")
        expect(row).to_have_attribute("data-mark", "present")
        expect(page.get_by_test_id("pending-count")).to_have_text("0", timeout=20_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "attendance-phone-scan")
        page.get_by_test_id("scan-toggle").click()
        assert watch.take() == [] and watch.console == []
    finally:
        camera.close()
    with server.app.app_context():
        from portal.attendance.models import AttendanceRecord

        records = [(r.registration_id, r.mark.value, r.source.value) for r in db.session.scalars(
            select(AttendanceRecord))]
    assert records == [(yohana.id, "present", "qr")]
