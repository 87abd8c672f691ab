"""The door without signal, in Chromium at 360 px: the sheet is opened with signal and its service
worker takes control (clients.claim); the context goes offline; ten people are marked and a
walk-in added, and the server holds nothing new; the page is reloaded still offline and shows the
ten waiting; the context goes online, the page sends them, and the server holds exactly those
marks once; the same requests sent again (same keys) change nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.attendance_fixtures import wita
from tests.browser_fixtures import PHONE, log_in, screenshot
from tests.browser_seed import PASSWORD, seed_training

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date() + timedelta(days=12)
NAMES = ("Agus Lake", "Benediktus Nope", "Dominggus Tefa", "Elisabeth Bani", "Fransiska Seran", "Gabriel Mau",
         "Helena Nenobais", "Ignasius Kase", "Yohana Nuban", "Yosefina Taek", "Zakarias Oematan")
READ_QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("portal-sheet", 1);
  open.onerror = () => reject(open.error);
  open.onblocked = () => reject(new Error("the sheet's database is blocked"));
  open.onsuccess = () => {
    const all = open.result.transaction("queue").objectStore("queue").getAll();
    all.onsuccess = () => resolve(all.result);
    all.onerror = () => reject(all.error);
  };
})"""
READ_TOKEN = """(eventId) => new Promise((resolve, reject) => {
  const open = indexedDB.open("portal-sheet", 1);
  open.onerror = () => reject(open.error);
  open.onblocked = () => reject(new Error("the sheet's database is blocked"));
  open.onsuccess = () => {
    const found = open.result.transaction("meta").objectStore("meta").get("token:" + eventId);
    found.onsuccess = () => found.result ? resolve(found.result.value) : reject(new Error("no token kept"));
    found.onerror = () => reject(found.error);
  };
})"""


def _server_state(app):
    with app.app_context():
        from sqlalchemy import func, select

        from portal.attendance.models import AttendanceRecord
        from portal.audit.models import AuditEntry
        from portal.extensions import db
        from portal.registrations.models import Registration

        marks = sorted((r.registration.participant.full_name, r.mark.value, r.source.value)
                       for r in db.session.scalars(select(AttendanceRecord)))
        return (marks, db.session.scalar(select(func.count(Registration.id))),
                db.session.scalar(select(func.count(AuditEntry.id))))


def _settled_state(page, app, tries: int = 20):
    """The server's state once the page's first visit has settled: the sheet fetches itself again
    for its offline copy (each GET of the sheet mints an audited token), and that request may still
    be writing when the copy is found. Read until two readings a moment apart agree."""
    page.wait_for_load_state("networkidle")
    state = _server_state(app)
    for _ in range(tries):
        page.wait_for_timeout(250)
        again = _server_state(app)
        if again == state:
            return state
        state = again
    return state


def test_marks_taken_without_signal_wait_on_the_phone_and_are_sent_once(live_server, page):
    server = live_server(WTF_CSRF_ENABLED=True, PORTAL_CLOCK=lambda: wita(DAY, 9, 5))
    seeded = seed_training(server.app, DAY, seats=30, people=tuple((name, None) for name in NAMES))
    with server.app.app_context():
        from portal.events.models import Event
        from portal.extensions import db

        session_id = db.session.get(Event, seeded.event_id).sessions[0].id
    sheet_url = f"{server.url}/organiser/events/{seeded.event_id}/attendance/{session_id}"
    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(sheet_url)
    # A function, not an expression: Playwright evaluates an expression with eval() on each poll,
    # which the page's Content-Security-Policy refuses.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("""() => caches.open("portal-sheet-v1").then(cache => cache.match(location.href))
                                   .then(found => !!found)""")
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    before = _settled_state(page, server.app)
    assert before[0] == []

    page.context.set_offline(True)
    sheet = page.get_by_test_id("sheet")
    for name in NAMES[:10]:
        sheet.locator(".sheet-row", has_text=name).locator('button[value$=":present"]').click()
    page.get_by_test_id("quick-walk-in").locator("summary").click()
    page.locator("#quick-name").fill("Yakobus Tefa")
    page.locator("#quick-affiliation").fill("Yayasan Alfa Omega")
    page.locator("#quick-walk-in button[type=submit]").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("11")
    expect(page.get_by_test_id("offline-note")).to_be_visible()
    expect(page.get_by_test_id("counts").locator('[data-count="present"]')).to_have_text("10")
    assert _server_state(server.app) == before  # nothing reached the server: no mark, no walk-in, no audit

    page.reload()
    pending = page.get_by_test_id("pending-list")
    expect(pending.locator('li[data-kind="mark"]')).to_have_count(10)
    expect(pending.locator('li[data-kind="walk-in"]')).to_have_count(1)
    expect(sheet.locator(".sheet-row.pending")).to_have_count(10)
    expect(sheet.locator(".sheet-row", has_text=NAMES[10])).to_have_attribute("data-mark", "")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "attendance-phone-offline-sheet")
    queued = page.evaluate(READ_QUEUE)
    token = page.evaluate(READ_TOKEN, str(seeded.event_id))
    assert len(queued) == 11 and len({item["key"] for item in queued}) == 11
    assert _server_state(server.app) == before

    page.context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_text("0", timeout=30_000)
    expect(page.get_by_test_id("refused-list").locator("li")).to_have_count(0)
    marks, registrations, audits = _server_state(server.app)
    assert marks == sorted([(name, "present", "sheet") for name in NAMES[:10]]
                           + [("Yakobus Tefa", "present", "walk_in")])
    assert registrations == len(NAMES) + 1

    for item in queued:  # a phone that sends the same marks again (a lost answer) changes nothing
        answer = page.request.post(server.url + item["url"], data=item["body"], headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": item["key"]})
        assert answer.status == 200 and answer.headers["idempotent-replayed"] == "true", answer.text()
    assert _server_state(server.app) == (marks, registrations, audits)
    page.reload()
    expect(page.get_by_test_id("counts").locator('[data-count="present"]')).to_have_text("11")
    expect(page.get_by_test_id("pending-count")).to_have_text("0")

    # Logging out with a mark still waiting asks first, and dismissing keeps the login and the mark.
    page.context.set_offline(True)
    sheet.locator(".sheet-row", has_text=NAMES[10]).locator('button[value$=":late"]').click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("logout").evaluate("form => form.requestSubmit()")  # the menu, folded at 360 px
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("1 tanda hadir masih menunggu"), asked
    assert page.url == sheet_url
