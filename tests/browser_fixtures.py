"""Headless Debian Chromium through Playwright, against a live server thread.

Without /usr/bin/chromium the browser tests are skipped; with REQUIRE_BROWSER=1 (CI) that
skip becomes a failure. Every page runs under the portal's enforced Content-Security-Policy:
a test fails when a page it visited reported a violation (``csp_reports``). Every page is also
checked by axe-core (``AxeWatch``): a test fails when one it visited has a critical or serious
accessibility violation.
"""

import contextlib
import logging
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(make_app):
    """The app served on a free loopback port in a thread; ``live_server.url`` is its address."""

    class LiveServer:
        def __init__(self, **settings):
            self.app = make_app(**settings)
            self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
            self.url = f"http://127.0.0.1:{self.server.server_port}"
            self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
            self.thread.start()

        def stop(self):
            self.server.shutdown()
            self.thread.join(timeout=5)

    servers = []

    def start(**settings):
        server = LiveServer(**settings)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


class CspReports(logging.Handler):
    """What the portal's report endpoint received: it logs each violation on ``portal.csp``."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.received: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "csp_report"):
            with self.lock:
                self.received.append(record.csp_report)

    def take(self) -> list[dict]:
        with self.lock:
            taken, self.received = self.received, []
        return taken


@pytest.fixture
def csp_reports():
    reports = CspReports()
    logger = logging.getLogger("portal.csp")
    logger.addHandler(reports)
    yield reports
    logger.removeHandler(reports)


class CspWatch:
    """One browser context's policy violations: the reports its pages posted to the portal, and
    the console errors Chromium printed for them (the same violations, seen without delay)."""

    def __init__(self, context, reports: CspReports):
        self.reports, self.requests, self.console = reports, [], []
        context.on("request", self._on_request)
        context.on("console", self._on_console)

    def _on_request(self, request) -> None:
        if request.url.endswith("/csp-report"):
            self.requests.append(request)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def take(self) -> list[dict]:
        """What the report endpoint received once every report sent so far has arrived."""
        from playwright.sync_api import Error

        requests, self.requests, self.console = self.requests, [], []
        for request in requests:
            # A test that closed the context itself: what was sent has arrived or never will.
            with contextlib.suppress(Error):
                request.response()
        return self.reports.take()


AXE_IMPACTS = ("critical", "serious")
AXE_FINISHED = "() => window.__portalAxeFinished === true || document.contentType !== 'text/html'"
AXE_ON_LOAD = """
if (window === window.top) {
  window.__portalAxeDone = new Promise(resolve => window.addEventListener('load', async () => {
    if (document.contentType !== 'text/html') return resolve();
    window.__portalAxe('start', null);  // not awaited: its answer cannot come while the test holds a navigation
    let found;  // iframes: false, as the email preview is sandboxed without scripts: axe would wait for it
    try {
      const results = await axe.run(document, {resultTypes: ['violations'], iframes: false});
      found = results.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                            targets: v.nodes.map(n => n.target.join(' '))}));
    } catch (error) {
      found = [{rule: 'axe-error', impact: 'critical', help: String(error), targets: []}];
    }
    window.__portalAxe('done', found);
    window.__portalAxeFinished = true;
    resolve();
  }));
}
"""


class AxeWatch:
    """axe-core on every document a context's pages load. axe.min.js (from the axe-playwright-python
    wheel) goes into each page as a script Playwright evaluates before the page's own, which the
    page's Content-Security-Policy does not govern; it checks the document once it has loaded and
    hands the violations to the test through a binding. A page cannot leave a document whose
    check is still running: the request for the next one waits for it, so a test that moves on
    at once cannot skip a page. (An ``evaluate`` from the test would not do here: it hangs while a
    navigation request is held.)"""

    def __init__(self, context, scripts: bool = True):
        from axe_playwright_python.base import AXE_SCRIPT

        self.scripts = scripts
        self.violations: list[dict] = []
        self.checked: list[str] = []
        self.running: dict = {}  # frame -> the held navigation request, or None
        context.expose_binding("__portalAxe", self._on_report)
        context.add_init_script(script="if (window === window.top) {\n" + AXE_SCRIPT + "\n}\n" + AXE_ON_LOAD)
        context.route("**/*", self._on_route)

    def _on_report(self, source, phase, found) -> None:
        frame = source["frame"]
        if phase == "start":
            self.running[frame] = None
            return
        self.checked.append(frame.url)
        self.violations.extend(dict(violation, url=frame.url) for violation in found
                               if violation["impact"] in AXE_IMPACTS)
        held = self.running.pop(frame, None)
        if held is not None:
            held.fallback()

    def _on_route(self, route, request) -> None:
        if request.is_navigation_request() and request.frame in self.running:
            self.running[request.frame] = route  # released when the check reports
            return
        route.fallback()

    def wait_for_open_pages(self, context) -> None:
        """Let each open page finish loading and checking its document."""
        from playwright.sync_api import Error

        if not self.scripts:  # scripts off: neither axe nor the page's own run, and a page's timers never fire
            return
        for page in context.pages:
            if not page.url.startswith("http"):  # e.g. an email shown with set_content: not a portal page
                continue
            with contextlib.suppress(Error):  # a page that closed meanwhile, or a check that never reported
                page.wait_for_load_state()
                # A polling wait with its own timeout, never a bare evaluate of a promise: one that does not
                # settle would hold the test (and the CI run) forever.
                page.wait_for_function(AXE_FINISHED, timeout=20_000)

    def take(self) -> list[dict]:
        taken, self.violations = self.violations, []
        return taken


def _report(violations: list[dict]) -> str:
    return "\n".join(f"{v['url']}: {v['rule']} ({v['impact']}) {v['help']}: {', '.join(v['targets'][:5])}"
                     for v in violations)


@pytest.fixture
def new_context(browser, csp_reports):
    """``new_context(**options)``: a browser context (phone width, Indonesian, WITA unless
    ``options`` say otherwise) under the portal's enforced Content-Security-Policy and axe-core.
    The test fails afterwards if one of its pages broke the policy or had a critical or serious
    accessibility violation; ``context.csp.take()`` and ``context.axe.take()`` collect them so
    far, for a test that provokes them."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**{"viewport": PHONE, "locale": "id-ID", "timezone_id": "Asia/Makassar",
                                         **options})
        context.set_default_timeout(10_000)
        context.csp = CspWatch(context, csp_reports)
        context.axe = AxeWatch(context, scripts=options.get("java_script_enabled", True))
        close = context.close

        def check_then_close(**kwargs):
            context.axe.wait_for_open_pages(context)
            close(**kwargs)

        context.close = check_then_close
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.axe.wait_for_open_pages(context)
    console = [text for context in contexts for text in context.csp.console]
    reports = [report for context in contexts for report in context.csp.take()]
    violations = [violation for context in contexts for violation in context.axe.take()]
    for context in contexts:
        context.close()  # again, for a test that closed it: that does nothing
    assert reports == [] and console == [], f"a page broke the Content-Security-Policy: {reports or console}"
    assert violations == [], "axe-core: critical or serious accessibility violations:\n" + _report(violations)


@pytest.fixture
def page(new_context):
    """A page in a fresh context at phone width; ``page.set_viewport_size(LAPTOP)`` for a laptop."""
    return new_context().new_page()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log in through the real form and wait for the page it leads to."""
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
