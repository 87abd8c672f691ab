"""Every endpoint declares who may use it, and the declaration holds for every role."""

import pytest
from werkzeug.routing import IntegerConverter

from portal.accounts.access import OWNER, PUBLIC, ROLES
from portal.accounts.models import Role


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


def test_anonymous_is_sent_to_login_except_on_public_pages(app, client):
    for rule in app.url_map.iter_rules():
        kind, _ = app.view_functions[rule.endpoint].access
        response = client.open(_url(app, rule), method=_method(rule))
        location = response.headers.get("Location", "")
        if kind == PUBLIC:
            assert "/login?next" not in location, rule.endpoint
            assert response.status_code != 403, rule.endpoint
        else:
            assert response.status_code == 302 and "/login" in location, rule.endpoint


@pytest.mark.parametrize("role", [Role.BOARD, Role.ORGANISER, Role.ADMIN])
def test_role_rules_hold_for_each_role(app, client, logged_in, role):
    logged_in(role)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "accounts.logout":
            continue
        kind, allowed = app.view_functions[rule.endpoint].access
        response = client.open(_url(app, rule), method=_method(rule))
        if kind in (ROLES, OWNER) and role not in allowed:
            assert response.status_code == 403, (rule.endpoint, role)
        else:
            assert response.status_code != 403, (rule.endpoint, role)
            assert "/login?next" not in response.headers.get("Location", ""), (rule.endpoint, role)


def test_attendance_is_for_organisers_except_the_check_in_link(app):
    """The scanned link is public so that anyone who opens it sees the ticket; only an organiser's
    session checks in (tests/test_attendance_views.py). The ticket's QR code to save on the phone
    is public too: the ticket's random token is its key, as for the ticket page."""
    from portal.accounts.models import STAFF_ROLES

    rules = {rule.endpoint: app.view_functions[rule.endpoint].access
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("attendance.")}
    assert rules.pop("attendance.check_in") == (PUBLIC, ())
    assert rules.pop("attendance.ticket_qr") == (PUBLIC, ())
    assert len(rules) >= 8
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
        if rule.endpoint == "accounts.logout":
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
