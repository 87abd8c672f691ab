"""The Content-Security-Policy in a real browser: enforced, its violations reported to the portal,
and the harness that fails a browser test on a violation able to fail (the control)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.access import public
from portal.attendance.demo import MEETING_TITLE
from portal.demo import DEMO_PASSWORD
from portal.events.models import Event
from portal.extensions import db
from tests.browser_fixtures import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser

HOSTILE_PAGE = """<!doctype html><html lang="en"><head><title>control</title></head><body>
<p id="styled" style="color: rgb(255, 0, 0)">styled</p>
<p id="scripted">untouched</p>
<script>document.getElementById("scripted").textContent = "inline script ran";</script>
<button id="handler" onclick="this.textContent = 'handler ran'">tap</button>
</body></html>"""


@pytest.fixture
def server_with_a_hostile_page(live_server):
    server = live_server()

    @public
    def hostile():
        return HOSTILE_PAGE

    server.app.add_url_rule("/control/hostile", "control_hostile", hostile)
    return server


def test_inline_script_style_and_handlers_are_blocked_and_reported(server_with_a_hostile_page, page):
    page.goto(server_with_a_hostile_page.url + "/control/hostile")
    page.locator("#handler").click()
    expect(page.locator("#scripted")).to_have_text("untouched")
    expect(page.locator("#handler")).to_have_text("tap")
    assert page.locator("#styled").evaluate("element => getComputedStyle(element).color") != "rgb(255, 0, 0)"
    directives = {report.get("effective-directive") for report in page.context.csp.take()}
    assert {"style-src-attr", "script-src-elem", "script-src-attr"} <= directives, directives


ROLES = {"visitor": None, "board": "ketua@demo.portal-koperasi.example.org",
         "organiser": "organiser@demo.portal-koperasi.example.org", "admin": "admin@demo.portal-koperasi.example.org"}
DOWNLOADS = re.compile(r"\.(pdf|ics|csv|xlsx|png)$|/(export|download|letter|daftar-hadir)\b")


def _shape(url: str) -> str:
    """One visit per kind of page: /cooperatives/7 and /cooperatives/9 are the same page."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + "?" + ",".join(sorted(parse_qs(parts.query)))


def _crawl(page, base: str, seen: set[str], limit: int = 90) -> list[str]:
    """Follow the links of the portal's pages from its home page, breadth first, one page of each
    kind not in ``seen`` (which grows)."""
    queue, visited = [base + "/"], []
    while queue and len(visited) < limit:
        url = queue.pop(0)
        if visited and _shape(url) in seen:
            continue
        seen.add(_shape(url))
        try:
            response = page.goto(url)
        except PlaywrightError:
            continue  # a download
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(url)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            href = href.split("#")[0]
            if href.startswith(base + "/") and not DOWNLOADS.search(urlsplit(href).path):
                queue.append(href)
    return visited


def test_every_kind_of_page_keeps_the_policy_for_every_role(live_server, new_context):
    """The demo data, and each role following every link it is shown: no page reports a violation
    (the ``new_context`` fixture fails the test otherwise). The administrator sees the
    organiser's pages too, so only the pages new to them are visited again."""
    server = live_server()
    assert server.app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    visited, staff_seen = {}, set()
    for role, email in ROLES.items():
        page = new_context(viewport=LAPTOP if role in ("organiser", "admin") else PHONE).new_page()
        if email:
            log_in(page, server.url, email, DEMO_PASSWORD)
        visited[role] = _crawl(page, server.url, staff_seen if role in ("organiser", "admin") else set())
    assert len(visited["visitor"]) >= 5 and len(visited["board"]) >= 8 and len(visited["organiser"]) >= 30
    assert any(re.search(r"/email/\d+$", url) for url in visited["organiser"]), "the email preview was seen"
    assert any(re.search(r"/attendance/\d+$", url) for url in visited["organiser"]), "an attendance overview"
    assert any("/settings" in url for url in visited["admin"])

    page.set_viewport_size(PHONE)
    page.goto(next(url for url in visited["organiser"] if re.search(r"/email/\d+$", url)))
    screenshot(page, "csp-phone-email-preview")
    with server.app.app_context():
        meeting_id = db.session.scalar(select(Event.id).where(Event.title == MEETING_TITLE))
    page.goto(f"{server.url}/organiser/events/{meeting_id}/attendance")
    expect(page.locator("svg.attendance-bar rect")).to_have_count(4)
    screenshot(page, "csp-phone-attendance-overview")
