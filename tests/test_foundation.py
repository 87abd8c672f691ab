"""Health, error pages, configuration, logging and the UTC column type."""

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.config import ConfigError, load_config
from portal.database import UTCDateTime
from portal.extensions import db
from portal.requestlog import RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_pages_answer_503_in_indonesian_when_the_database_is_unreachable(tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    response = app.test_client().post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 503
    assert "Layanan tidak tersedia" in response.text


def test_not_found_page_is_indonesian(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_oversized_body_gets_the_413_page(client):
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "terlalu besar" in response.text


def test_unexpected_error_gets_the_500_page_and_rolls_back(make_app):
    from portal.accounts.access import public

    app = make_app()

    @public
    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.text


def test_secret_key_is_required_outside_development(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config(tmp_path, {"PORTAL_ENV": "production"})
    assert load_config(tmp_path, {"PORTAL_ENV": "development"})["SECRET_KEY"]


def test_wsgi_refuses_to_start_in_production_without_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PORTAL_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_log_records_carry_the_request_id(app):
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", (), None)
    with app.test_request_context("/", headers={"X-Request-ID": "abc-123"}):
        app.preprocess_request()
        RequestIdFilter().filter(record)
    assert record.request_id == "abc-123"


def test_responses_carry_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) >= 8


def test_utc_datetime_round_trips_as_aware_utc(app):
    table = sa.Table("tmp_times", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("at", UTCDateTime))
    wita = timezone(timedelta(hours=8))
    with db.engine.begin() as conn:
        table.create(conn)
        try:
            conn.execute(table.insert().values(id=1, at=datetime(2022, 12, 1, 9, 0, tzinfo=wita)))
            value = conn.execute(sa.select(table.c.at)).scalar_one()
        finally:
            table.drop(conn)
    assert value == datetime(2022, 12, 1, 1, 0, tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)


def test_utc_datetime_refuses_naive_values(app):
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2022, 12, 1, 9, 0), db.engine.dialect)


def test_migrations_build_the_models_schema(tmp_path):
    """`flask db upgrade` on an empty database, then `flask db check` finds nothing to add."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/migrated.db", "PORTAL_ENV": "testing",
           "SECRET_KEY": "x", "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    upgrade = subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run([*flask, "db", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
