"""Odd input never gives a 5xx: on the demo data, each role's pages are walked, and every form
(with each field in turn set to each value of a corpus of odd input) and every list page's query
string (each parameter in turn) is sent, as well as every route with odd values in its URL.

PostgreSQL only: it is the database that refuses NUL bytes and numbers beyond a column's range
(SQLite stores them), which is what gave the 500s."""

import re
from collections import deque
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from portal.demo import DEMO_PASSWORD
from tests.html_forms import all_forms

pytestmark = pytest.mark.postgres

CORPUS = [
    "\x00", "a\x00b",
    "99999999999999999999999", "-99999999999999999999999", "2147483648", "-1", "0", "1.5", "1e400",
    "Rapat\r\nBcc: x@example.org", "a\u2028b",
    "x" * 10_000,
    "", "[]", "{\"a\": 1}", "2022-13-45", "25:99", "true",
]
ROLES = {"visitor": None, "board": "ketua@demo.portal-koperasi.example.org",
         "organiser": "organiser@demo.portal-koperasi.example.org", "admin": "admin@demo.portal-koperasi.example.org"}
DOWNLOADS = re.compile(r"\.(pdf|ics|csv|xlsx|png)$|/(export|download|letter|daftar-hadir)\b")
# Posting these would end the walk's own login.
SKIPPED_ACTIONS = re.compile(r"^/logout$")


def _shape(method: str, url: str, names=()) -> str:
    parts = urlsplit(url)
    return method + re.sub(r"\d+", "N", parts.path) + "?" + ",".join(sorted({*parse_qs(parts.query), *names}))


def _walk(client, limit: int = 80) -> tuple[list[str], list[dict]]:
    """Breadth first from the home page, one page of each kind; the pages and their forms."""
    queue, seen, pages, forms, form_shapes = deque(["/"]), set(), [], [], set()
    while queue and len(pages) < limit:
        url = queue.popleft()
        if _shape("GET", url) in seen:
            continue
        seen.add(_shape("GET", url))
        response = client.get(url)
        assert response.status_code < 500, url
        if "text/html" not in response.content_type:
            continue
        pages.append(url)
        for form in all_forms(response.text):
            action = form["action"] or urlsplit(url).path
            shape = _shape(form["method"], action, [name for name, _ in form["fields"]])
            if shape not in form_shapes and action.startswith("/") and not SKIPPED_ACTIONS.match(action):
                form_shapes.add(shape)
                forms.append({**form, "action": action})
        for href in re.findall(r'href="(/[^"#]*)', response.text):
            href = href.replace("&amp;", "&")
            if not DOWNLOADS.search(urlsplit(href).path) and not href.startswith(("/static/", "/bootstrap/")):
                queue.append(href)
    return pages, forms


def _fuzzed(fields, name, value) -> MultiDict:
    data = MultiDict(fields)
    data.setlist(name, [value])
    return data


def _send(client, method, url, data, failures):
    if method == "GET":
        response = client.get(url.split("?")[0] + "?" + urlencode(list(data.items(multi=True))))
    else:
        response = client.post(url, data=data)
    if response.status_code >= 500:
        failures.append((method, url, {k: v[:40] for k, v in data.items()}, response.status_code))


def _fuzz_forms(client, forms, failures) -> int:
    sent = 0
    for form in forms:
        names = list(dict.fromkeys(name for name, _ in form["fields"]))
        if form["method"] == "GET":
            names = list(dict.fromkeys([*names, "page"]))
        for name in names:
            for value in CORPUS:
                _send(client, form["method"], form["action"], _fuzzed(form["fields"], name, value), failures)
                sent += 1
    return sent


def _fuzz_query_strings(client, pages, failures) -> int:
    """Each list page's own query parameters (and ``page``), one at a time."""
    sent = 0
    for url in pages:
        parts = urlsplit(url)
        fields = [(name, value) for name, values in parse_qs(parts.query).items() for value in values]
        for name in dict.fromkeys([*(name for name, _ in fields), "page"]):
            for value in CORPUS:
                _send(client, "GET", parts.path, _fuzzed(fields, name, value), failures)
                sent += 1
    return sent


def _fuzz_routes(app, client, failures) -> int:
    """Every route with each argument in turn beyond range (ids) or odd (tokens, codes)."""
    sent = 0
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "accounts.logout":
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        for argument in rule.arguments:
            for value in ("99999999999999999999999", "%00", "a%00b", "x" * 10_000, "-1"):
                url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m, a=argument, v=value: v if m.group(1) == a else "1",
                             rule.rule)
                response = client.open(url, method=method)
                sent += 1
                if response.status_code >= 500:
                    failures.append((method, url[:80], rule.endpoint, response.status_code))
    return sent


# Walks every route with odd input: minutes on PostgreSQL, so beyond the suite's 300-s guard against hangs;
# a test per role, so parallel workers share the walk.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("role", ROLES)
def test_odd_input_in_every_form_query_string_and_url_gives_no_5xx(app, client, login, role):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    failures, sent = [], 0
    if email := ROLES[role]:
        assert login(client, email, DEMO_PASSWORD).status_code == 302
    pages, forms = _walk(client)
    sent += _fuzz_forms(client, forms, failures)
    sent += _fuzz_query_strings(client, [url for url in pages if "?" in url or "page" in url], failures)
    sent += _fuzz_routes(app, client, failures)
    print(f"{role}: {sent} fuzzed requests")
    assert failures == [], "\n".join(map(repr, failures))
