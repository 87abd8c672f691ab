"""Every endpoint declares who may use it, and the declaration holds for every role."""

import pytest
from werkzeug.routing import IntegerConverter

from portal.accounts.access import OWNER, PUBLIC, ROLES
from portal.accounts.models import Role
from tests.api_fixtures import bearer


def _url(app, rule):
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 999999 if isinstance(converter, IntegerConverter) else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _method(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_endpoint_declares_access(app):
    missing = [endpoint for endpoint, view in app.view_functions.items() if not hasattr(view, "access")]
    assert missing == []


def _is_api(app, rule) -> bool:
    """A JSON API view: a token with its scope, never a login, opens it."""
    return hasattr(app.view_functions[rule.endpoint], "token_scope")


def test_anonymous_is_sent_to_login_except_on_public_pages(app, client):
    """...and the API answers 401 with a problem document instead of sending a program to a login page."""
    for rule in app.url_map.iter_rules():
        kind, _ = app.view_functions[rule.endpoint].access
        response = client.open(_url(app, rule), method=_method(rule))
        location = response.headers.get("Location", "")
        if kind == PUBLIC:
            assert "/login?next" not in location, rule.endpoint
            assert response.status_code != 403, rule.endpoint
        elif _is_api(app, rule):
            assert response.status_code == 401 and response.mimetype == "application/problem+json", rule.endpoint
        else:
            assert response.status_code == 302 and "/login" in location, rule.endpoint


@pytest.mark.parametrize("role", [Role.BOARD, Role.ORGANISER, Role.ADMIN])
def test_role_rules_hold_for_each_role(app, client, logged_in, api_token, role):
    """The same declarations for the pages (a login) and the API (the user's token, every scope)."""
    token = bearer(api_token(logged_in(role)))
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "accounts.logout":
            continue
        kind, allowed = app.view_functions[rule.endpoint].access
        response = client.open(_url(app, rule), method=_method(rule), headers=token if _is_api(app, rule) else {})
        if kind in (ROLES, OWNER) and role not in allowed:
            assert response.status_code == 403, (rule.endpoint, role)
        else:
            assert response.status_code != 403, (rule.endpoint, role)
            assert "/login?next" not in response.headers.get("Location", ""), (rule.endpoint, role)


def test_attendance_is_for_organisers_except_the_check_in_link(app):
    """The scanned link is public so that anyone who opens it sees the ticket; only an organiser's
    session checks in (tests/test_attendance_views.py). The ticket's QR code to save on the phone
    is public too: the ticket's random token is its key, as for the ticket page. The offline
    sheet's service worker and manifest are public files (the sheet's data is not in them)."""
    from portal.accounts.models import STAFF_ROLES

    rules = {rule.endpoint: app.view_functions[rule.endpoint].access
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("attendance.")}
    assert rules.pop("attendance.check_in") == (PUBLIC, ())
    assert rules.pop("attendance.ticket_qr") == (PUBLIC, ())
    assert rules.pop("attendance.service_worker") == (PUBLIC, ())
    assert rules.pop("attendance.manifest") == (PUBLIC, ())
    # The participant's own check-in page: the door's signed, rotating code is its key.
    assert rules.pop("attendance.self_check_in_page") == (PUBLIC, ())
    # "Saya hadir" on the ticket page: the ticket's random token is its key.
    assert rules.pop("attendance.ticket_self_check_in") == (PUBLIC, ())
    # The door role: a volunteer's signed, revocable link for one event (tests/test_door_passes.py).
    assert rules.pop("attendance.door_pass_home") == (PUBLIC, ())
    assert rules.pop("attendance.door_pass_sheet") == (PUBLIC, ())
    assert len(rules) >= 8
    assert all(kind == ROLES and set(allowed) == set(STAFF_ROLES) for kind, allowed in rules.values()), rules


def test_the_activity_report_and_the_transport_allowance_are_for_the_offices_staff(app):
    """The laporan kegiatan, the transport allowance (money) and the signed sheets' scans."""
    from portal.accounts.models import STAFF_ROLES

    rules = {rule.endpoint: app.view_functions[rule.endpoint].access
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("activityreport.")}
    for endpoint in ("activityreport.paperwork", "activityreport.set_transport_amount", "activityreport.transport_pdf",
                     "activityreport.transport_xlsx", "activityreport.upload_scan", "activityreport.download_scan"):
        assert endpoint in rules, endpoint
    assert all(kind == ROLES and set(allowed) == set(STAFF_ROLES) for kind, allowed in rules.values()), rules


def test_certificates_are_checked_by_anyone_and_managed_by_organisers(app):
    """The check and the ticket's download are public (a random code or ticket token is the key);
    the board downloads its own cooperative's certificates; the rest is for organisers."""
    from portal.accounts.models import STAFF_ROLES

    rules = {rule.endpoint: app.view_functions[rule.endpoint].access
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("certificates.")}
    for endpoint in ("certificates.verify", "certificates.check", "certificates.ticket_download"):
        assert rules.pop(endpoint) == (PUBLIC, ()), endpoint
    kind, allowed = rules.pop("certificates.download")
    assert kind == OWNER and set(allowed) == {*STAFF_ROLES, Role.BOARD}
    assert len(rules) == 3
    assert all(kind == ROLES and set(allowed) == set(STAFF_ROLES) for kind, allowed in rules.values()), rules


def test_a_token_without_the_views_scope_is_refused_on_every_api_endpoint(app, client, make_user, api_token):
    """Each API view needs its scope: a token holding every scope but that one gets 403 there."""
    from portal.api.models import ApiScope

    organiser = make_user(Role.ORGANISER)
    tokens = {scope.value: bearer(api_token(organiser, scopes=[s.value for s in ApiScope if s != scope]))
              for scope in ApiScope}
    api_rules = [rule for rule in app.url_map.iter_rules() if _is_api(app, rule)]
    assert len(api_rules) >= 10
    for rule in api_rules:
        scope = app.view_functions[rule.endpoint].token_scope
        response = client.open(_url(app, rule), method=_method(rule), headers=tokens[scope])
        assert response.status_code == 403, (rule.endpoint, response.status_code)


def test_a_token_for_one_event_is_refused_everywhere_else(app, client, make_user, api_token, make_event):
    """A door device's token (``event_id``): its event's routes only; any other event, and every
    route without an event, is refused before the view runs."""
    from portal.api.models import ApiScope

    organiser = make_user(Role.ORGANISER)
    event = make_event()
    door = bearer(api_token(organiser, scopes=[s.value for s in ApiScope], name="Pintu", event_id=event.id))
    for rule in app.url_map.iter_rules():
        if _is_api(app, rule):
            response = client.open(_url(app, rule), method=_method(rule), headers=door)
            assert response.status_code == 403, rule.endpoint
    assert client.get(f"/api/v1/events/{event.id}", headers=door).status_code == 200


def _leader_may_open(kind, allowed, method) -> bool:
    if kind not in (ROLES, OWNER):
        return True
    return (Role.LEADER in allowed or Role.ORGANISER in allowed) and method in ("GET", "HEAD")


def test_leader_reads_what_organisers_read_and_is_refused_every_write(app, client, logged_in):
    """The leader (pimpinan) passes where organisers may read and is refused on every other method
    of every route, so it changes nothing."""
    logged_in(Role.LEADER)
    refused_writes = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "accounts.logout" or _is_api(app, rule):  # a cookie opens no API route (401)
            continue
        kind, allowed = app.view_functions[rule.endpoint].access
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(app, rule), method=method)
            if _leader_may_open(kind, allowed, method):
                assert response.status_code != 403, (rule.endpoint, method)
                assert "/login?next" not in response.headers.get("Location", ""), (rule.endpoint, method)
            else:
                assert response.status_code == 403, (rule.endpoint, method)
                refused_writes += method != "GET"
    assert refused_writes > 50


def test_leader_is_scoped_to_its_office_and_changes_no_office(app, make_user):
    from portal.offices.scope import readable_office_ids, writable_office_ids

    leader = make_user(Role.LEADER)
    assert leader.office_id is not None
    assert readable_office_ids(leader) == frozenset({leader.office_id})
    assert writable_office_ids(leader) == frozenset()
