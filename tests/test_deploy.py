"""The shipped production files of deploy/ are valid as their tools read them: nginx -t on the
site (inside Debian's own nginx.conf), systemd-analyze on the units, gunicorn on its config, the
app on the environment template. Each skips when its tool is absent; `make topology-test` runs
them all together under load."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.topology import nginx
from deploy.topology.shipped import ENV_TEMPLATE, INSTALL_ROOT, ROOT, UNITS, read_environment_file, unit_command
from portal.config import load_config

needs_nginx = pytest.mark.skipif(nginx.find_nginx() is None or not nginx.DEBIAN_MAIN_CONF.exists()
                                 or shutil.which("openssl") is None,
                                 reason="nginx from Debian's package (and openssl) not installed")


def _loopback(tmp_path: Path) -> nginx.Loopback:
    return nginx.Loopback(tmp_path / "nginx", 18080, 18443, (18001, 18002, 18003))


@needs_nginx
def test_the_shipped_site_passes_nginx_t_inside_debians_nginx_conf(tmp_path):
    conf = nginx.write_config(_loopback(tmp_path))
    checked = nginx.check_config(nginx.find_nginx(), conf)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@needs_nginx
def test_nginx_t_fails_on_a_broken_site(tmp_path):
    """The control: the check above can fail."""
    conf = nginx.write_config(_loopback(tmp_path))
    site = tmp_path / "nginx" / "sites" / "portal-koperasi.conf"
    site.write_text(site.read_text() + "\ngzip on;\n")  # Debian's nginx.conf already says it
    assert nginx.check_config(nginx.find_nginx(), conf).returncode != 0


def test_the_site_on_loopback_keeps_nothing_of_the_production_paths(tmp_path):
    site = nginx.render_site(_loopback(tmp_path))
    for production in (INSTALL_ROOT, "/etc/ssl", "/var/log", "listen 443", "listen 80;", "[::]"):
        assert production not in site
    assert site.count("server 127.0.0.1:1800") == 3, "every app server is an upstream"
    assert "proxy_next_upstream error timeout;" in site


def test_the_environment_template_starts_the_app_in_production(tmp_path, monkeypatch):
    template = read_environment_file()
    for key, value in template.items():
        monkeypatch.setenv(key, value)
    config = load_config(tmp_path)
    assert config["PORTAL_ENV"] == "production"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PROXY_COUNT"] == 1
    assert config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert config["LOGIN_RATE_LIMIT_PER_ADDRESS"] == "20 per 10 minutes", "quotes are read as systemd reads them"


def test_the_environment_template_names_only_settings_something_reads():
    readers = (ROOT / "portal" / "config.py").read_text() + (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    unknown = [key for key in read_environment_file(ENV_TEMPLATE) if f'"{key}"' not in readers]
    assert unknown == []


def test_gunicorn_reads_the_shipped_config():
    env = {**os.environ, "GUNICORN_WORKERS": "3"}
    printed = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--print-config", "-c",
                              str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    settings = {key.strip(): value.strip() for key, _sep, value in
                (line.partition(" = ") for line in printed.stdout.splitlines()) if _sep}
    assert settings["workers"] == "3"
    assert settings["worker_class"] == "sync"
    assert settings["control_socket_disable"] == "True", "two servers on one host need no shared socket"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_the_systemd_units_verify(tmp_path):
    venv_bin = str(Path(sys.executable).parent)
    for unit in UNITS.iterdir():
        text = unit.read_text().replace(f"{INSTALL_ROOT}/.venv/bin", venv_bin).replace(INSTALL_ROOT, str(ROOT))
        (tmp_path / unit.name).write_text(text)
    names = ["portal-koperasi-web@8001.service", "portal-koperasi-mail@1.service", "portal-koperasi-reminders.service",
             "portal-koperasi-reminders.timer", "portal-koperasi.target"]
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in names)],
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr


@pytest.mark.parametrize("unit", ["portal-koperasi-mail@.service", "portal-koperasi-reminders.service"])
def test_the_units_run_commands_the_app_has(runner, unit):
    command = unit_command(unit, "1")
    assert command[1:3] == ["--app", "wsgi"]
    result = runner.invoke(args=[*command[3:], "--help"])
    assert result.exit_code == 0, result.output
