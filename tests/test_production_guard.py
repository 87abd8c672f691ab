"""Production by accident: under gunicorn or uWSGI, or with a base URL that is not this machine,
the portal refuses to start unless PORTAL_ENV=production or the opt-out says it is deliberate."""

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from portal.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "s" * 32}


@pytest.fixture
def environment(monkeypatch):
    for name in ("PORTAL_ENV", "SECRET_KEY", "PORTAL_BASE_URL", "PORTAL_ALLOW_NON_PRODUCTION", "SERVER_SOFTWARE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_under_gunicorn_without_production_it_refuses_to_start(tmp_path, environment):
    environment.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    with pytest.raises(ConfigError, match="gunicorn.*PORTAL_ENV=production"):
        load_config(tmp_path)
    assert load_config(tmp_path, PRODUCTION)["PORTAL_ENV"] == "production"


def test_under_uwsgi_without_production_it_refuses_to_start(tmp_path, environment):
    environment.setitem(sys.modules, "uwsgi", types.ModuleType("uwsgi"))
    with pytest.raises(ConfigError, match="uWSGI"):
        load_config(tmp_path)


@pytest.mark.parametrize("url", ["https://koperasi.kupangkab.go.id", "http://192.168.1.20:5000",
                                 "http://0.0.0.0:5000"])
def test_a_base_url_elsewhere_needs_production(tmp_path, environment, url):
    environment.setenv("PORTAL_BASE_URL", url)
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        load_config(tmp_path)
    assert load_config(tmp_path, PRODUCTION)["PORTAL_BASE_URL"] == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:5001/", "http://[::1]:5000"])
def test_development_on_this_machine_starts(tmp_path, environment, url):
    environment.setenv("PORTAL_BASE_URL", url)
    assert load_config(tmp_path)["PORTAL_ENV"] == "development"


def test_the_opt_out_lets_a_deliberate_non_production_server_start(tmp_path, environment):
    environment.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    environment.setenv("PORTAL_BASE_URL", "https://uji.kupangkab.go.id")
    environment.setenv("PORTAL_ALLOW_NON_PRODUCTION", "1")
    assert load_config(tmp_path)["PORTAL_ENV"] == "development"


def test_gunicorn_started_without_portal_env_exits_with_the_reason(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("PORTAL_ENV", "SECRET_KEY", "PORTAL_ALLOW_NON_PRODUCTION", "PORTAL_BASE_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/portal.db"
    done = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "-b", "127.0.0.1:0",
                           "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "PORTAL_ENV=production" in done.stderr
