"""The offline sheet's server side: opening a session's sheet mints a short-lived token for that
event's check-ins and hands it to the page (a data attribute); the service worker is served at one
stable, uncached URL; walk-ins go through the API once per key; logging out revokes the sheet's
tokens."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.api.models import ApiToken
from portal.attendance.models import AttendanceRecord, MarkSource
from portal.attendance.offline import SHEET_TOKEN_NAME, sheet_token_lifetime
from portal.database import utcnow
from portal.extensions import db
from portal.registrations.models import Registration, RegistrationStatus
from tests.api_fixtures import bearer
from tests.attendance_fixtures import FIRST_DAY, wita


def _sheet_token(page_text: str) -> str:
    return re.search(r'data-api-token="(pko_[^"]+)"', page_text).group(1)


def test_the_sheet_hands_the_page_a_token_for_this_events_check_ins_only(client, organiser, login, training, clock):
    mine, other = training(people=1), training(people=1, cooperative_name="KSU Lain")
    clock.set(FIRST_DAY, 8, 30)
    login(client, organiser)
    page = client.get(f"/organiser/events/{mine.event.id}/attendance/{mine.sessions[0].id}")
    assert page.status_code == 200
    secret = _sheet_token(page.text)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == SHEET_TOKEN_NAME))
    assert token.event_id == mine.event.id and token.scopes == ["attendance:write"]
    # Three days of training: a day at most (the sheet opened the next morning mints another).
    assert token.expires_at == wita(FIRST_DAY, 8, 30) + timedelta(hours=24)
    assert 'rel="manifest"' in page.text
    headers = bearer(secret, **{"Idempotency-Key": "k1"})
    url = f"/api/v1/events/{mine.event.id}/sessions/{mine.sessions[0].id}/marks"
    done = client.post(url, json={"registration_id": mine.registrations[0].id, "mark": "present"}, headers=headers)
    assert done.status_code == 200, done.text
    elsewhere = client.post(f"/api/v1/events/{other.event.id}/sessions/{other.sessions[0].id}/marks",
                            json={"registration_id": other.registrations[0].id, "mark": "present"},
                            headers=bearer(secret, **{"Idempotency-Key": "k2"}))
    assert elsewhere.status_code == 403 and elsewhere.mimetype == "application/problem+json"
    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 403


def test_the_lifetime_is_bounded(training):
    event = training(people=0, days=1).event
    end = event.sessions[-1].ends_at
    assert sheet_token_lifetime(event, end - timedelta(hours=3)) == timedelta(hours=5)
    assert sheet_token_lifetime(event, end + timedelta(days=3)) == timedelta(hours=1)
    assert sheet_token_lifetime(event, end - timedelta(days=5)) == timedelta(hours=24)


def test_sheet_tokens_do_not_count_against_the_personal_limit(client, organiser, login, training, clock):
    done = training(people=1)
    clock.set(FIRST_DAY, 8, 30)
    login(client, organiser)
    for _ in range(22):
        assert client.get(f"/organiser/events/{done.event.id}/attendance/{done.sessions[0].id}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 22


def test_logout_revokes_the_sheets_tokens(client, organiser, login, training, clock, api_token):
    done = training(people=1)
    personal = api_token(organiser)
    clock.set(FIRST_DAY, 8, 30)
    login(client, organiser)
    secret = _sheet_token(client.get(f"/organiser/events/{done.event.id}/attendance/{done.sessions[0].id}").text)
    client.post("/logout")
    url = f"/api/v1/events/{done.event.id}/sessions/{done.sessions[0].id}/marks"
    answer = client.post(url, json={"registration_id": done.registrations[0].id, "mark": "present"},
                         headers=bearer(secret, **{"Idempotency-Key": "k"}))
    assert answer.status_code == 401
    assert client.get("/api/v1/events", headers=bearer(personal)).status_code == 200
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AttendanceRecord.id))) == 0


def test_the_service_worker_has_one_stable_uncached_url(client):
    answer = client.get("/attendance-sw.js")
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert "no-cache" in answer.headers["Cache-Control"]
    assert "clients.claim" in answer.text
    manifest = client.get("/attendance.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    assert manifest.json["scope"] == "/organiser/" and manifest.json["start_url"] == "/organiser/events"


def test_a_walk_in_through_the_api_counts_once_per_key(client, organiser, api_token, training, clock):
    done = training(people=1)
    clock.set(FIRST_DAY, 9, 10)
    url = f"/api/v1/events/{done.event.id}/sessions/{done.sessions[0].id}/walk-ins"
    headers = bearer(api_token(organiser), **{"Idempotency-Key": "walk-1"})
    body = {"full_name": "Yakobus Tefa", "affiliation": "Yayasan Alfa Omega", "phone": "0812 3456 7890"}
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    again = client.post(url, json=body, headers=headers)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    db.session.commit()
    walk_ins = db.session.scalars(sa.select(Registration).where(Registration.status == RegistrationStatus.WALK_IN))
    assert [r.participant.full_name for r in walk_ins] == ["Yakobus Tefa"]
    record = db.session.scalar(sa.select(AttendanceRecord))
    assert record.source == MarkSource.WALK_IN
    bad = client.post(url, json={**body, "phone": "abc"}, headers=bearer(api_token(organiser, name="b"),
                                                                        **{"Idempotency-Key": "walk-2"}))
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


@pytest.mark.parametrize("missing", ["full_name", "affiliation"])
def test_a_walk_in_without_name_or_affiliation_is_refused(client, organiser, api_token, training, missing):
    done = training(people=0)
    body = {"full_name": "Yakobus Tefa", "affiliation": "Yayasan Alfa Omega"}
    del body[missing]
    answer = client.post(f"/api/v1/events/{done.event.id}/sessions/{done.sessions[0].id}/walk-ins", json=body,
                         headers=bearer(api_token(organiser), **{"Idempotency-Key": "w"}))
    assert answer.status_code == 422 and missing in answer.json["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count(AttendanceRecord.id))) == 0
    assert utcnow()
