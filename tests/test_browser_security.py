"""The Content-Security-Policy in a real browser: enforced, its violations reported to the portal,
and the harness that fails a browser test on a violation able to fail (the control)."""

import pytest
from playwright.sync_api import expect

from portal.accounts.access import public

pytestmark = pytest.mark.browser

HOSTILE_PAGE = """<!doctype html><html><head><title>control</title></head><body>
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
