"""Personal API tokens: made by staff on their account, shown once, stored hashed, scoped,
used (last use recorded), revoked or expired; a door device's token is for one event."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.api import services
from portal.api.models import ApiToken
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from tests.api_fixtures import bearer
from tests.conftest import csrf_token_from


def test_a_minted_token_is_stored_only_as_a_hash(app, make_user):
    organiser = make_user(Role.ORGANISER)
    minted = services.mint_token(organiser, "Dasbor provinsi", ["events:read"], utcnow())
    db.session.commit()
    row = db.session.get(ApiToken, minted.token.id)
    assert minted.secret.startswith(f"pko_{row.prefix}_")
    assert minted.secret not in repr(db.session.execute(sa.select(ApiToken.__table__)).all())
    assert services.authenticate(f"Bearer {minted.secret}", utcnow()).id == row.id
    assert services.authenticate(f"Bearer {minted.secret[:-1]}x", utcnow()) is None
    assert services.authenticate(f"Basic {minted.secret}", utcnow()) is None


def test_only_staff_mint_tokens_and_only_with_known_scopes(app, make_user):
    with pytest.raises(RuleViolation):
        services.mint_token(make_user(Role.BOARD), "Milik pengurus", ["events:read"], utcnow())
    organiser = make_user(Role.ORGANISER)
    for scopes in ([], ["events:write"], ["everything"]):
        with pytest.raises(RuleViolation) as refused:
            services.mint_token(organiser, "Dasbor", scopes, utcnow())
        assert refused.value.field == "scopes"
    with pytest.raises(RuleViolation):
        services.mint_token(organiser, " ", ["events:read"], utcnow())


def test_a_revoked_or_expired_token_or_a_deactivated_owner_opens_nothing(client, make_user, api_token):
    organiser = make_user(Role.ORGANISER)
    revoked, expiring, owner_gone = api_token(organiser), api_token(organiser, lifetime=timedelta(hours=8)), None
    assert client.get("/api/v1/events", headers=bearer(expiring)).status_code == 200
    prefix = services.parse_bearer(f"Bearer {revoked}")[0]
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == prefix))
    services.revoke_token(organiser, token, utcnow())
    db.session.commit()
    assert client.get("/api/v1/events", headers=bearer(revoked)).status_code == 401
    assert services.authenticate(f"Bearer {expiring}", utcnow() + timedelta(hours=9)) is None
    other = make_user(Role.ORGANISER)
    owner_gone = api_token(other)
    other.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/events", headers=bearer(owner_gone)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(app, make_user):
    mine = services.mint_token(make_user(Role.ORGANISER), "Milik saya", ["events:read"], utcnow()).token
    with pytest.raises(RuleViolation):
        services.revoke_token(make_user(Role.ORGANISER), mine, utcnow())
    assert mine.revoked_at is None


def test_each_use_is_recorded_at_most_once_a_minute(client, make_user, api_token):
    organiser = make_user(Role.ORGANISER)
    secret = api_token(organiser)
    client.get("/api/v1/events", headers=bearer(secret))
    db.session.commit()
    first = db.session.scalar(sa.select(ApiToken.last_used_at))
    assert first is not None
    client.get("/api/v1/events", headers=bearer(secret))
    db.session.commit()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) == first


def test_a_door_token_for_one_event_reads_and_checks_in_there_only(client, organiser, api_token, training):
    mine, other = training(people=1), training(people=1, cooperative_name="KSU Lain")
    secret = api_token(organiser, scopes=["attendance:write", "attendance:read"], event_id=mine.event.id,
                       lifetime=timedelta(hours=12))
    headers = bearer(secret, **{"Idempotency-Key": "pintu"})
    url = "/api/v1/events/{}/sessions/{}/check-ins"
    ok = client.post(url.format(mine.event.id, mine.sessions[0].id),
                     json={"registration_id": mine.registrations[0].id}, headers=headers)
    assert ok.status_code == 200, ok.text
    refused = client.post(url.format(other.event.id, other.sessions[0].id),
                          json={"registration_id": other.registrations[0].id}, headers=headers)
    assert refused.status_code == 403
    assert client.get("/api/v1/events", headers=headers).status_code == 403


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_account_page_shows_a_new_token_once_and_revokes_it(client, make_user, login):
    organiser = make_user(Role.ORGANISER)
    login(client, organiser)
    page = client.get("/account/api-tokens")
    assert page.status_code == 200 and "Token API" in page.text
    refused = client.post("/account/api-tokens", data={"name": "Dasbor", "scopes": ["events:read"]})
    assert refused.status_code == 400 and db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
    made = client.post("/account/api-tokens", data={"name": "Dasbor ODS", "scopes": ["events:read", "reports:read"],
                                                    "csrf_token": csrf_token_from(page.text)})
    # POST-redirect-GET: reloading the page shown after creating a token makes no second one.
    assert made.status_code == 303 and made.headers["Location"].endswith("/account/api-tokens")
    assert "pko_" not in made.text
    shown = client.get("/account/api-tokens")
    assert shown.headers["Cache-Control"] == "no-store"
    secret = next(word for word in shown.text.replace('"', " ").split() if word.startswith("pko_"))
    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 200
    again = client.get("/account/api-tokens")
    assert "Dasbor ODS" in again.text and secret not in again.text
    token = db.session.scalar(sa.select(ApiToken))
    assert sorted(token.scopes) == ["events:read", "reports:read"]
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 400
    revoked = client.post(f"/account/api-tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(again.text)})
    assert revoked.status_code == 302
    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 401


def test_the_account_page_is_for_staff(client, logged_in):
    logged_in(Role.BOARD)
    assert client.get("/account/api-tokens").status_code == 403


def test_a_bad_name_or_no_permission_stays_on_the_form_in_indonesian(client, logged_in):
    logged_in(Role.ORGANISER)
    answer = client.post("/account/api-tokens", data={"name": "Dasbor"})
    assert answer.status_code == 400 and "Pilih paling sedikit satu izin." in answer.text
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
