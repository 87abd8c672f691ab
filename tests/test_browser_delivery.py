"""The public list's first load in a real browser: what goes over the wire (compressed HTML, CSS,
JS, fonts) stays within 60 KB, and a repeat view asks the server for no static file again."""

from datetime import date, timedelta

import pytest

from tests.browser_fixtures import PHONE
from tests.browser_seed import seed_training

pytestmark = pytest.mark.browser

FIRST_LOAD_BUDGET = 60 * 1024


def _body(response) -> int:
    """The bytes of the (compressed) body as they came over the wire."""
    return response.request.sizes()["responseBodySize"]


def _headers(response) -> int:
    return response.request.sizes()["responseHeadersSize"]


def test_the_public_list_loads_in_60_kb_and_a_repeat_view_fetches_no_static_file(live_server, browser):
    """A plain context: the ``page`` fixture's axe-core watch routes every request, and Playwright
    turns the browser's cache off in a context with routes."""
    server = live_server()
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    seed_training(server.app, date.today() + timedelta(days=10), seats=20, people=(("Yohanes Benu", None),))
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(server.url + "/events", wait_until="networkidle")  # the favicon comes after "load"
    first = sum(_body(response) for response in responses)
    headers = sum(_headers(response) for response in responses)
    print(f"first load of /events: {first} body bytes + {headers} header bytes over {len(responses)} responses:",
          ", ".join(f"{r.url.split('/', 3)[3]} {_body(r)}" for r in responses))
    assert first + headers <= FIRST_LOAD_BUDGET, [(r.url, _body(r)) for r in responses]

    asked = []
    app = server.app.wsgi_app

    def recording(environ, start_response):
        asked.append(environ["PATH_INFO"])
        return app(environ, start_response)

    server.app.wsgi_app = recording
    page.goto(server.url + "/events", wait_until="load")
    context.close()
    # Chromium's favicon loader fetches the icon anew on each navigation whatever its headers say
    # (it is served immutable like every fingerprinted file): it is not one of the page's resources.
    asked = [path for path in asked if path != "/static/img/favicon.svg"]
    assert asked == ["/events"], f"a repeat view asks only for the page, not for {asked[1:]}"
