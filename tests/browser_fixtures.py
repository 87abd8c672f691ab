"""Headless Debian Chromium through Playwright, against a live server thread.

Without /usr/bin/chromium the browser tests are skipped; with REQUIRE_BROWSER=1 (CI) that
skip becomes a failure. Every page runs under the portal's enforced Content-Security-Policy:
a test fails when a page it visited reported a violation (``csp_reports``).
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


@pytest.fixture
def new_context(browser, csp_reports):
    """``new_context(**options)``: a browser context (phone width, Indonesian, WITA unless
    ``options`` say otherwise) under the portal's enforced Content-Security-Policy. The test fails
    afterwards if one of its pages broke the policy; ``context.csp.take()`` collects the reports
    so far, for a test that provokes them."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**{"viewport": PHONE, "locale": "id-ID", "timezone_id": "Asia/Makassar",
                                         **options})
        context.set_default_timeout(10_000)
        context.csp = CspWatch(context, csp_reports)
        contexts.append(context)
        return context

    yield open_context
    console = [text for context in contexts for text in context.csp.console]
    reports = [report for context in contexts for report in context.csp.take()]
    for context in contexts:
        context.close()  # again, for a test that closed it: that does nothing
    assert reports == [] and console == [], f"a page broke the Content-Security-Policy: {reports or console}"


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
