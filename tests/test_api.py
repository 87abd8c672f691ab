"""The JSON API v1: tokens not cookies, problem documents in the caller's language, cursor pages
that hold still under inserts, reads filtered as the pages are, and idempotent attendance writes."""

import json
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.api.models import IdempotentRequest
from portal.attendance.models import AttendanceRecord
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.api_fixtures import bearer


def _count(model) -> int:
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _all_pages(client, url, headers, limit=2):
    seen, cursor = [], None
    while True:
        answer = client.get(url, query_string={"limit": limit, **({"cursor": cursor} if cursor else {})},
                            headers=headers)
        assert answer.status_code == 200, answer.text
        seen += [item["id"] for item in answer.json["items"]]
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return seen


def test_a_login_cookie_does_not_open_the_api(client, logged_in):
    logged_in(Role.ORGANISER)
    answer = client.get("/api/v1/events")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in answer.headers


def test_a_token_reads_and_nothing_sets_a_cookie(client, organiser, api_token, training):
    training(people=1)
    answer = client.get("/api/v1/events", headers=bearer(api_token(organiser)))
    assert answer.status_code == 200
    assert answer.json["items"][0]["sessions"][0]["venue"]["district"] == "Kupang Timur"
    assert "Set-Cookie" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("language", "phrase"), [
    ("id-ID,id;q=0.9", "token API yang sah"), ("en-GB,en;q=0.8", "valid API token"), (None, "token API yang sah")])
def test_problem_detail_follows_accept_language(client, language, phrase):
    answer = client.get("/api/v1/events", headers={"Accept-Language": language} if language else {})
    assert answer.status_code == 401
    body = answer.json if answer.is_json else json.loads(answer.text)
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert phrase in body["detail"]


def test_an_unknown_address_under_the_api_is_a_problem_too(client):
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"


def test_a_token_without_the_scope_is_refused(client, organiser, api_token, training):
    event = training(people=1).event
    secret = api_token(organiser, scopes=["events:read"])
    assert client.get(f"/api/v1/events/{event.id}", headers=bearer(secret)).status_code == 200
    answer = client.get(f"/api/v1/events/{event.id}/registrations", headers=bearer(secret))
    assert answer.status_code == 403 and answer.mimetype == "application/problem+json"


def test_a_board_members_token_is_refused_by_the_role_rule(client, make_user, api_token):
    board = make_user(Role.BOARD)
    assert client.get("/api/v1/events", headers=bearer(api_token(board))).status_code == 403


def test_events_filter_as_the_organisers_list(client, organiser, api_token, make_event):
    from portal.events.models import EventStatus

    make_event(title="Rakor Koperasi Simpan Pinjam", status=EventStatus.PUBLISHED)
    make_event(title="Pelatihan Draf")
    headers = bearer(api_token(organiser))
    titles = [e["title"] for e in client.get("/api/v1/events?status=published", headers=headers).json["items"]]
    assert titles == ["Rakor Koperasi Simpan Pinjam"]
    titles = [e["title"] for e in client.get("/api/v1/events?q=draf", headers=headers).json["items"]]
    assert titles == ["Pelatihan Draf"]
    assert client.get("/api/v1/events?status=bogus", headers=headers).status_code == 422


def test_cursor_pages_neither_repeat_nor_skip_when_rows_are_added_meanwhile(client, organiser, api_token,
                                                                          make_cooperative):
    for n in range(5):
        make_cooperative(name=f"Koperasi {n:02d}")
    headers = bearer(api_token(organiser))
    first = client.get("/api/v1/cooperatives?limit=2", headers=headers).json
    assert [c["name"] for c in first["items"]] == ["Koperasi 00", "Koperasi 01"]
    # Added before and after the cursor's place while the client is paging.
    make_cooperative(name="Koperasi 00a")
    make_cooperative(name="Koperasi 99")
    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/cooperatives", query_string={"limit": 2, "cursor": cursor}, headers=headers).json
        rest += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
    assert rest == ["Koperasi 02", "Koperasi 03", "Koperasi 04", "Koperasi 99"]


def test_a_forged_cursor_is_a_bad_request(client, organiser, api_token):
    headers = bearer(api_token(organiser))
    for cursor in ("bm9wZQ", "!!!", "WyJhIiwiYiJd", "WzEsMiwzXQ"):
        answer = client.get(f"/api/v1/cooperatives?cursor={cursor}", headers=headers)
        assert answer.status_code == 400, cursor
        assert answer.mimetype == "application/problem+json"


def test_cooperatives_filter_as_the_directory(client, organiser, api_token, make_cooperative):
    from portal.cooperatives.models import CooperativeStatus

    make_cooperative(name="KSP Sehati", status=CooperativeStatus.INACTIVE)
    make_cooperative(name="KSU Maju")
    headers = bearer(api_token(organiser))
    names = [c["name"] for c in client.get("/api/v1/cooperatives?status=inactive", headers=headers).json["items"]]
    assert names == ["KSP Sehati"]
    names = [c["name"] for c in client.get("/api/v1/cooperatives?q=maju", headers=headers).json["items"]]
    assert names == ["KSU Maju"]


def test_registrations_attendance_and_turnout_of_an_event(client, organiser, api_token, finished_training):
    from portal.certificates.services import issue_certificates
    from portal.database import utcnow

    done = finished_training([["present", "late"], ["absent", None], ["present", "present"]])
    event = done.event
    issue_certificates(organiser, event.id, utcnow())
    db.session.commit()
    headers = bearer(api_token(organiser))
    ids = _all_pages(client, f"/api/v1/events/{event.id}/registrations", headers)
    assert ids == sorted(r.id for r in done.registrations)
    marks = client.get(f"/api/v1/events/{event.id}/attendance?session_id={event.sessions[0].id}", headers=headers)
    assert sorted(m["mark"] for m in marks.json["items"]) == ["absent", "present", "present"]
    figures = client.get(f"/api/v1/events/{event.id}/turnout", headers=headers).json
    assert [(s["attended"], s["total"]) for s in figures["sessions"]] == [(2, 3), (2, 3)]
    assert figures["cooperatives_by_stage"]["attended"] == 1
    certificates = client.get(f"/api/v1/certificates?event_id={event.id}", headers=headers).json["items"]
    assert sorted(c["full_name"] for c in certificates) == ["Peserta 1", "Peserta 3"]


def _mark(client, headers, event, session, registration_id, mark, key="kunci-1"):
    return client.post(f"/api/v1/events/{event.id}/sessions/{session.id}/marks",
                       json={"registration_id": registration_id, "mark": mark},
                       headers={**headers, "Idempotency-Key": key})


def test_a_mark_sent_twice_with_its_key_is_made_once(client, organiser, api_token, training):
    done = training(people=2)
    event, session, person = done.event, done.sessions[0], done.registrations[0]
    headers = bearer(api_token(organiser))
    first = _mark(client, headers, event, session, person.id, "late")
    assert first.status_code == 200 and first.json["mark"] == "late"
    audits = _count(AuditEntry)
    again = _mark(client, headers, event, session, person.id, "late")
    assert again.status_code == 200 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(AuditEntry) == audits and _count(IdempotentRequest) == 1


def test_a_key_reused_for_another_request_is_refused_and_changes_nothing(client, organiser, api_token, training):
    done = training(people=2)
    event, session, person = done.event, done.sessions[0], done.registrations[0]
    headers = bearer(api_token(organiser))
    assert _mark(client, headers, event, session, person.id, "late").status_code == 200
    answer = _mark(client, headers, event, session, person.id, "absent")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert "Idempotency-Key" in answer.json["detail"]
    db.session.commit()
    assert db.session.scalar(sa.select(AttendanceRecord.mark)).value == "late"


def test_a_write_without_a_key_or_with_bad_json_is_refused(client, organiser, api_token, training):
    done = training(people=1)
    url = f"/api/v1/events/{done.event.id}/sessions/{done.sessions[0].id}/marks"
    headers = bearer(api_token(organiser))
    no_key = client.post(url, json={"registration_id": done.registrations[0].id, "mark": "present"}, headers=headers)
    assert no_key.status_code == 428
    broken = client.post(url, data="{not json", content_type="application/json",
                         headers={**headers, "Idempotency-Key": "k"})
    assert broken.status_code in (400, 422) and broken.mimetype == "application/problem+json"
    wrong = client.post(url, json={"registration_id": done.registrations[0].id, "mark": "asleep"},
                        headers={**headers, "Idempotency-Key": "k"})
    assert wrong.status_code == 422 and "mark" in wrong.json["errors"]["json"]
    assert _count(AttendanceRecord) == 0


def test_a_mark_for_another_events_person_is_refused(client, organiser, api_token, training):
    mine, other = training(people=1), training(people=1, cooperative_name="KSU Lain")
    headers = bearer(api_token(organiser))
    answer = _mark(client, headers, mine.event, mine.sessions[0], other.registrations[0].id, "present")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    check = client.post(f"/api/v1/events/{mine.event.id}/sessions/{mine.sessions[0].id}/check-ins",
                        json={"registration_id": other.registrations[0].id},
                        headers={**headers, "Idempotency-Key": "c"})
    assert check.status_code == 422
    assert _count(AttendanceRecord) == 0


def test_check_in_by_code_is_idempotent(client, organiser, api_token, training):
    done = training(people=1)
    person = done.registrations[0]
    url = f"/api/v1/events/{done.event.id}/sessions/{done.sessions[0].id}/check-ins"
    headers = bearer(api_token(organiser))
    first = client.post(url, json={"code": person.check_in_code}, headers={**headers, "Idempotency-Key": "pintu-1"})
    assert first.status_code == 200, first.text
    assert first.json["is_new"] is True and first.json["mark"] == "present"
    later = client.post(url, json={"code": person.check_in_code}, headers={**headers, "Idempotency-Key": "pintu-2"})
    assert later.json["is_new"] is False
    assert _count(AttendanceRecord) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_writes_need_no_csrf_token(client, organiser, api_token, training):
    done = training(people=1)
    answer = _mark(client, bearer(api_token(organiser)), done.event, done.sessions[0], done.registrations[0].id,
                   "present")
    assert answer.status_code == 200, answer.text


@pytest.mark.app_config(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
def test_the_rate_limit_counts_per_token(client, organiser, api_token):
    first, second = api_token(organiser), api_token(organiser, name="Kedua")
    assert [client.get("/api/v1/events", headers=bearer(first)).status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/api/v1/events", headers=bearer(first))
    assert refused.mimetype == "application/problem+json" and refused.json["status"] == 429
    assert client.get("/api/v1/events", headers=bearer(second)).status_code == 200


def test_the_openapi_document_is_valid_and_describes_every_api_route(app, client):
    from openapi_spec_validator import validate

    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.json
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    documented = {path for path in spec["paths"]}
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if hasattr(app.view_functions[rule.endpoint], "token_scope")}
    assert routes == documented


def test_every_api_view_declares_a_scope_and_a_role(app):
    from portal.accounts.access import ROLES

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith(("api_docs.", "api-docs.")):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "token_scope", None), rule.endpoint
            assert view.access[0] == ROLES, rule.endpoint


def test_stored_answers_are_forgotten_after_a_week(app, organiser):
    from datetime import timedelta

    from portal.api.idempotency import forget_old_keys
    from portal.database import utcnow

    now = utcnow()
    for key, age in (("lama", timedelta(days=8)), ("baru", timedelta(days=1))):
        db.session.add(IdempotentRequest(user_id=organiser.id, key=key, request_hash="x", status_code=200,
                                         response_body={}, created_at=now - age))
    db.session.commit()
    forget_old_keys(now)
    db.session.commit()
    assert db.session.scalars(sa.select(IdempotentRequest.key)).all() == ["baru"]


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/cooperatives", "/api/v1/certificates"])
def test_a_page_costs_the_same_queries_however_many_rows_it_holds(client, organiser, api_token, make_event,
                                                                  make_cooperative, count_queries, path):
    headers = bearer(api_token(organiser))
    client.get(path, headers=headers)  # the token's first use is written, once a minute at most

    def cost() -> int:
        with count_queries() as statements:
            assert client.get(path, headers=headers).status_code == 200
        return len(statements)

    make_event(title="Rakor 1")
    make_cooperative(name="Koperasi 1")
    few = cost()
    for n in range(2, 7):
        make_event(title=f"Rakor {n}")
        make_cooperative(name=f"Koperasi {n}")
    assert cost() == few


def test_two_requests_with_one_key_at_once_leave_one_write_and_one_answer(client, organiser, api_token, training,
                                                                          is_postgres, monkeypatch):
    """The other request stores the key first, between this one's check and its commit: this one
    rolls back and answers what the other stored. (PostgreSQL: on SQLite writers take turns.)"""
    if not is_postgres:
        pytest.skip("SQLite serialises writers: the two requests cannot overlap")
    from flask import request

    from portal.api import events, idempotency

    done = training(people=1)
    original = events.attendance.mark_attendance

    def raced(actor, *args, **kwargs):
        with db.engine.begin() as other:
            other.execute(sa.insert(IdempotentRequest).values(
                user_id=actor.id, key="balapan", request_hash=idempotency.request_hash(request.get_json()),
                status_code=200, response_body={"answered_by": "the other request"}, created_at=sa.func.now()))
        return original(actor, *args, **kwargs)

    monkeypatch.setattr(events.attendance, "mark_attendance", raced)
    answer = _mark(client, bearer(api_token(organiser)), done.event, done.sessions[0], done.registrations[0].id,
                   "present", key="balapan")
    assert answer.status_code == 200 and answer.json == {"answered_by": "the other request"}
    assert answer.headers["Idempotent-Replayed"] == "true"
    assert _count(AttendanceRecord) == 0 and _count(IdempotentRequest) == 1
