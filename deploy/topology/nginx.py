"""nginx from Debian's package, running the shipped site on loopback from a temporary prefix:
no file under /etc/nginx is written and no system nginx is started or reloaded."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.topology.shipped import INSTALL_ROOT, ROOT, SITE, ShippedFileChanged

DEBIAN_MAIN_CONF = Path("/etc/nginx/nginx.conf")
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")


class NginxUnavailable(RuntimeError):
    """nginx is not installed and cannot be (not root, or no apt-get): the test is skipped."""


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    return found or next((path for path in NGINX_CANDIDATES if os.access(path, os.X_OK)), None)


def ensure_nginx(install: bool = True, say=print) -> str:
    """The nginx binary; installed from Debian's package when missing and running as root."""
    found = find_nginx()
    if found and DEBIAN_MAIN_CONF.exists():
        return found
    if not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        raise NginxUnavailable("nginx (Debian's package) is not installed; as root, `make topology-test` "
                               "installs it with apt-get, otherwise run `apt-get install nginx` first")
    say("nginx is missing: installing Debian's package (apt-get install nginx)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    found = find_nginx()
    if not found or not DEBIAN_MAIN_CONF.exists():
        raise NginxUnavailable("apt-get install nginx did not provide /usr/sbin/nginx and /etc/nginx/nginx.conf")
    return found


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (the test's client trusts exactly it)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


@dataclass
class Loopback:
    """Where the templated site listens and finds things."""

    prefix: Path
    http_port: int
    https_port: int
    app_ports: tuple[int, ...]
    static: Path = ROOT / "static"
    bootstrap_static: Path | None = None


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ShippedFileChanged(f"{SITE.name} no longer contains {old!r}")
    return text.replace(old, new)


def render_site(loopback: Loopback, site: Path = SITE) -> str:
    """The shipped site with loopback ports, this checkout's static folders, the temporary
    prefix's certificate and logs; IPv6 listeners are dropped (loopback test only)."""
    text = site.read_text()
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{loopback.http_port};")
    text = _replace(text, "listen 443 ssl http2;", f"listen 127.0.0.1:{loopback.https_port} ssl http2;")
    text = re.sub(r"^\s*listen \[::\]:\d+[^;]*;\n", "", text, flags=re.MULTILINE)
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+ [^;]*;\n", text, flags=re.MULTILINE)
    if len(servers) < 2:
        raise ShippedFileChanged(f"{site.name}: expected two or more upstream servers")
    upstream = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in loopback.app_ports)
    listed = "".join(servers)
    if listed not in text:
        raise ShippedFileChanged(f"{site.name}: the upstream servers are not on consecutive lines")
    text = text.replace(listed, upstream)
    bootstrap = loopback.bootstrap_static or _bootstrap_static()
    text = _replace(text, f"{INSTALL_ROOT}/.venv/lib/python3.11/site-packages/flask_bootstrap/static/bootstrap5/",
                    f"{bootstrap}/")
    text = _replace(text, f"{INSTALL_ROOT}/static/", f"{loopback.static}/")
    text = _replace(text, "/etc/ssl/portal-koperasi/", f"{loopback.prefix}/tls/")
    text = _replace(text, "/var/log/nginx/", f"{loopback.prefix}/logs/")
    return _replace(text, "/var/www/letsencrypt", f"{loopback.prefix}/acme")


def _bootstrap_static() -> Path:
    import flask_bootstrap

    return Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"


def main_conf(prefix: Path, site_path: Path, main: Path = DEBIAN_MAIN_CONF) -> str:
    """Debian's own nginx.conf (so the site meets its http-level settings, `gzip on` included),
    with the pid, logs and temporary files moved into ``prefix``, and the shipped site as the only
    site: conf.d and sites-enabled of the system are not read."""
    text = main.read_text()
    replacements = [
        (r"^pid\s+[^;]+;", f"pid {prefix}/nginx.pid;"),
        (r"^(\s*)access_log\s+/var/log/nginx/access\.log;", rf"\1access_log {prefix}/logs/access.log;"),
        (r"^(\s*)error_log\s+/var/log/nginx/error\.log;", rf"\1error_log {prefix}/logs/error.log;"),
        (r"^(\s*)include\s+/etc/nginx/conf\.d/\*\.conf;", r"\1# (conf.d of the system not read)"),
        (r"^(\s*)include\s+/etc/nginx/sites-enabled/\*;", rf"\1{_temp_paths(prefix)}\n\1include {site_path};"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        if count != 1:
            raise ShippedFileChanged(f"{main} has no line matching {pattern!r}")
    if os.geteuid() != 0:
        text = re.sub(r"^user\s+[^;]+;", "# (not root: no user switch)", text, flags=re.MULTILINE)
    return text


def _temp_paths(prefix: Path) -> str:
    return " ".join(f"{kind}_temp_path {prefix / 'tmp' / kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def write_config(loopback: Loopback) -> Path:
    """Write site, main configuration and certificate under the prefix; returns the main file."""
    prefix = loopback.prefix
    for folder in ("logs", "tmp", "acme", "sites"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)  # nginx's workers (www-data) reach the temporary folders
    make_certificate(prefix / "tls")
    site = prefix / "sites" / "portal-koperasi.conf"
    site.write_text(render_site(loopback))
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, site))
    return conf


def check_config(nginx: str, conf: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on the written configuration."""
    prefix = conf.parent
    return subprocess.run([nginx, "-t", "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True)


def start_command(nginx: str, conf: Path) -> list[str]:
    prefix = conf.parent
    return [nginx, "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(conf),
            "-g", "daemon off;"]
