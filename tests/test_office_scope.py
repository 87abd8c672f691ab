"""No office reads another's rows: every route of the URL map, walked as staff of one office with
the other office's ids (both ways), answers 404 and changes nothing; list pages show none of the
other office's rows; a province office reads both and changes neither."""

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from portal.accounts.access import PUBLIC
from portal.extensions import db
from tests.api_fixtures import ALL_SCOPES, bearer
from tests.pdfs import pdf_text

# Written by reads too: the login's bookkeeping, and the log of who read personal data.
BOOKKEEPING = {"login_sessions", "login_attempts", "api_tokens", "personal_data_accesses"}


def _state() -> dict:
    """Every row of every table (but the login's bookkeeping), to tell whether anything changed."""
    db.session.commit()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name not in BOOKKEEPING:
            rows[table.name] = sorted(map(repr, db.session.execute(sa.select(table)).all()))
    return rows


def _url(app, rule, ids: dict) -> str:
    values = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = ids[name]
        elif isinstance(rule._converters[name], IntegerConverter):
            values[name] = 999999
        else:
            values[name] = {"kind": "csv"}.get(name, "x")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _methods(rule) -> list[str]:
    return [method for method in ("GET", "POST") if method in rule.methods]


def _private_rules(app, *, with_ids: bool, api: bool = False):
    """The routes a login opens, or with ``api`` those a token opens (the JSON API)."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if view.access[0] == PUBLIC or rule.endpoint == "accounts.logout":
            continue
        if bool(rule.arguments) == with_ids and hasattr(view, "token_scope") == api:
            yield rule


def _api_body(rule, ids: dict) -> dict:
    """A write the API would accept but for the office: a mark, a check-in (which takes none) or a
    walk-in (a name and an organisation)."""
    if rule.rule.endswith("/walk-ins"):
        return {"full_name": "Pejalan Kaki", "affiliation": "Yayasan Lain"}
    body = {"registration_id": ids.get("registration_id", 999999)}
    return {**body, "mark": "present"} if rule.rule.endswith("/marks") else body


def _walk_api_routes(app, client, ids: dict, headers: dict) -> list[tuple]:
    """The same walk through the JSON API, with a token of every scope."""
    wrong = []
    for rule in _private_rules(app, with_ids=True, api=True):
        url = _url(app, rule, ids)
        for method in _methods(rule):
            response = client.open(url, method=method, json=_api_body(rule, ids) if method == "POST" else None,
                                   headers={**headers, "Idempotency-Key": f"{rule.endpoint}-{method}"})
            if response.status_code != 404:
                wrong.append((rule.endpoint, method, response.status_code))
    return wrong


def _walk_detail_routes(app, client, ids: dict) -> list[tuple]:
    """(endpoint, method, status) of every answer but a 404 (or a role's 403)."""
    wrong = []
    for rule in _private_rules(app, with_ids=True):
        url = _url(app, rule, ids)
        for method in _methods(rule):
            response = client.open(url, method=method, data={"confirmed": "1", "reason": "x", "status": "inactive"})
            if response.status_code not in (403, 404):
                wrong.append((rule.endpoint, method, response.status_code))
    return wrong


def _xlsx_text(data: bytes) -> str:
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = sheet.iter_rows(values_only=True)
    return "\n".join(" ".join(str(value) for value in row if value is not None) for row in rows)


def _list_pages_showing(app, client, marker: str) -> list[str]:
    shown = []
    for rule in _private_rules(app, with_ids=False):
        if "GET" not in rule.methods:
            continue
        response = client.get(_url(app, rule, {}))
        if response.mimetype == "application/pdf":
            text = pdf_text(response.data)
        elif response.mimetype.endswith("spreadsheetml.sheet"):
            text = _xlsx_text(response.data)
        else:
            text = response.get_data(as_text=True)
        if marker.lower() in text.lower():
            shown.append(rule.endpoint)
    return shown


@pytest.mark.parametrize("direction", ["first_against_second", "second_against_first"])
@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_staff_of_one_office_get_404_for_every_id_of_the_other_and_nothing_changes(
        app, client, login, two_offices, direction, role):
    mine, theirs = two_offices if direction == "first_against_second" else reversed(two_offices)
    assert login(client, getattr(mine, role)).status_code == 302
    before = _state()
    assert _walk_detail_routes(app, client, theirs.ids) == []
    assert _state() == before


@pytest.mark.parametrize("direction", ["first_against_second", "second_against_first"])
@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_api_tokens_of_one_office_get_404_for_every_id_of_the_other_and_nothing_changes(
        app, client, api_token, two_offices, direction, role):
    mine, theirs = two_offices if direction == "first_against_second" else reversed(two_offices)
    headers = bearer(api_token(getattr(mine, role), scopes=ALL_SCOPES))
    before = _state()
    assert _walk_api_routes(app, client, theirs.ids, headers) == []
    assert _walk_api_routes(app, client, {}, headers) == []
    assert _state() == before


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_api_lists_show_none_of_the_other_offices_rows(app, client, api_token, two_offices, role):
    mine, theirs = two_offices
    headers = bearer(api_token(getattr(mine, role), scopes=ALL_SCOPES))
    shown = {rule.endpoint: client.get(_url(app, rule, {}), headers=headers).get_data(as_text=True).lower()
             for rule in _private_rules(app, with_ids=False, api=True) if "GET" in rule.methods}
    assert [endpoint for endpoint, text in shown.items() if theirs.marker.lower() in text] == []
    assert mine.marker.lower() in shown["api_registry.cooperatives"]
    assert mine.marker.lower() in shown["api_events.events"]
    mine_event = client.get(f"/api/v1/events/{mine.ids['event_id']}/registrations", headers=headers)
    assert mine.marker.lower() in mine_event.get_data(as_text=True).lower()


def test_a_province_token_reads_both_offices_through_the_api_and_changes_neither(
        app, client, api_token, two_offices, province_office):
    _office, organiser, _admin = province_office
    headers = bearer(api_token(organiser, scopes=ALL_SCOPES))
    listed = client.get("/api/v1/cooperatives", headers=headers).get_data(as_text=True)
    assert all(rows.marker in listed for rows in two_offices)
    before = _state()
    for rows in two_offices:
        assert client.get(f"/api/v1/events/{rows.ids['event_id']}/attendance", headers=headers).status_code == 200
        for rule in _private_rules(app, with_ids=True, api=True):
            if "POST" in rule.methods:
                response = client.post(_url(app, rule, rows.ids), json=_api_body(rule, rows.ids),
                                       headers={**headers, "Idempotency-Key": rule.endpoint})
                assert response.status_code == 404, (rule.endpoint, response.status_code)
    assert _state() == before


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_list_pages_show_none_of_the_other_offices_rows(app, client, login, two_offices, role):
    mine, theirs = two_offices
    assert login(client, getattr(mine, role)).status_code == 302
    assert _list_pages_showing(app, client, theirs.marker) == []
    assert "cooperatives.index" in _list_pages_showing(app, client, mine.marker)


def test_each_office_sees_its_own_rows_on_its_detail_routes(app, client, login, two_offices):
    """The control: the same walk with the office's own ids finds its pages (not 404)."""
    mine, _theirs = two_offices
    login(client, mine.admin)
    for endpoint in ("cooperatives.show", "events.manage", "registrations.manage", "invitations.manage",
                     "certificates.manage", "attendance.overview", "mail.show", "accounts.edit_user",
                     "events.venues.edit", "cooperatives.import_report"):
        rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
        assert client.get(_url(app, rule, mine.ids)).status_code == 200, endpoint


def test_a_province_organiser_reads_both_offices_and_changes_neither(app, client, login, two_offices,
                                                                    province_office):
    _office, organiser, _admin = province_office
    login(client, organiser)
    listed = client.get("/cooperatives/").get_data(as_text=True)
    assert all(rows.marker in listed for rows in two_offices)
    for rows in two_offices:
        for endpoint in ("cooperatives.show", "events.manage", "registrations.manage"):
            rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
            assert client.get(_url(app, rule, rows.ids)).status_code == 200, endpoint
    before = _state()
    for rows in two_offices:
        for rule in _private_rules(app, with_ids=True):
            if "POST" in rule.methods:
                response = client.post(_url(app, rule, rows.ids), data={"confirmed": "1", "reason": "x"})
                assert response.status_code in (403, 404), (rule.endpoint, response.status_code)
    assert _state() == before


def test_counts_and_logins_of_the_other_office_reach_neither_badge_nor_page(app, client, login, two_offices):
    """The mail badge counts the office's own failed messages (each office has one failed
    message in the fixture: one, not two); the failed-logins page lists its own accounts only."""
    mine, theirs = two_offices
    for _ in range(2):
        app.test_client().post("/login", data={"email": theirs.organiser.email, "password": "salah"})
    login(client, mine.admin)
    assert 'text-bg-danger">1</span>' in client.get("/email/").text
    assert theirs.organiser.email not in client.get("/admin/failed-logins").text


def test_a_leader_reads_what_its_organiser_reads_and_changes_nothing(app, client, login, make_user, two_offices):
    """The leader (pimpinan) of an office opens every page its organiser opens, with the office's
    own ids, to the same answer; every form and action of every route is refused (403) and no row
    changes; the other office's ids are 404."""
    from portal.accounts.models import Role

    mine, theirs = two_offices
    leader = make_user(Role.LEADER, email="pimpinan@example.org", office=mine.office)
    organiser_client = app.test_client()
    login(organiser_client, mine.organiser)
    login(client, leader)
    readable = [rule for rule in app.url_map.iter_rules()
                if app.view_functions[rule.endpoint].access[0] != PUBLIC and rule.endpoint != "accounts.logout"
                and "GET" in rule.methods and (Role.ORGANISER in app.view_functions[rule.endpoint].access[1]
                                               or not app.view_functions[rule.endpoint].access[1])]
    # The organiser's pass first: its own GETs may write (the offline sheet mints its token).
    expected = {rule.endpoint: organiser_client.get(_url(app, rule, mine.ids)).status_code for rule in readable}
    before = _state()
    differs = []
    for rule in readable:
        got = client.get(_url(app, rule, mine.ids)).status_code
        if got != expected[rule.endpoint]:
            differs.append((rule.endpoint, expected[rule.endpoint], got))
    assert differs == [], differs
    for rule in _private_rules(app, with_ids=True):
        if "POST" in rule.methods:
            response = client.post(_url(app, rule, mine.ids), data={"confirmed": "1", "reason": "x"})
            if app.view_functions[rule.endpoint].access[0] != "authenticated":
                assert response.status_code == 403, rule.endpoint
    assert _state() == before
    assert _walk_detail_routes(app, client, theirs.ids) == []
