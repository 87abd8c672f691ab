"""axe-core runs in every browser test (``tests/browser_fixtures.py``: ``AxeWatch``). These tests
show that the check can fail, under the portal's enforced Content-Security-Policy, and that no
page escapes it however fast a test moves on."""

import pytest

pytestmark = pytest.mark.browser

BROKEN = '<img src="/static/img/favicon.svg"><div role="tablist"><a href="/">x</a></div></main>'


def _serve_broken(page, url):
    """The portal's own page, with its headers (the enforced CSP), and two violations in it."""

    def broken(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace("</main>", BROKEN, 1))

    page.route(url, broken)


def test_axe_runs_under_the_enforced_csp_and_reports_a_page_the_test_left_at_once(live_server, new_context):
    server = live_server()
    context = new_context()
    page = context.new_page()
    _serve_broken(page, server.url + "/login")
    response = page.goto(server.url + "/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(server.url + "/events")  # at once: /login's check finishes before the page leaves it

    assert context.axe.checked[0] == server.url + "/login"
    found = [v for v in context.axe.take() if v["url"] == server.url + "/login"]
    assert {(v["rule"], v["impact"]) for v in found} >= {("image-alt", "critical"),
                                                          ("aria-required-children", "critical")}


def test_axe_checks_the_page_still_open_when_the_context_closes(live_server, new_context):
    server = live_server()
    context = new_context()
    page = context.new_page()
    _serve_broken(page, server.url + "/events")
    page.goto(server.url + "/events", wait_until="commit")
    context.close()

    assert "image-alt" in {v["rule"] for v in context.axe.take()}
    assert context.axe.checked == [server.url + "/events"]
