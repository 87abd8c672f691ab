"""Settings from the environment, with defaults that run with nothing set."""

import ipaddress
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """The environment does not allow the app to start safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(instance_path: Path) -> str:
    """A key kept under instance/ so development sessions survive a restart."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def _production_server() -> str | None:
    """The production WSGI server this process runs under, if any: gunicorn's master sets
    SERVER_SOFTWARE for itself and its workers; uWSGI provides its ``uwsgi`` module."""
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        return "gunicorn"
    if "uwsgi" in sys.modules:
        return "uWSGI"
    return None


def _is_this_machine(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse_production_by_accident(config: dict) -> None:
    """Under a production server, or with links that point to another machine, development
    defaults (a generated secret, cookies without Secure) would be a production by accident."""
    if config["PORTAL_ENV"] == "production" or config["PORTAL_ALLOW_NON_PRODUCTION"]:
        return
    server = _production_server()
    if server is not None:
        reason = f"The portal runs under {server}"
    elif not _is_this_machine(config["PORTAL_BASE_URL"]):
        reason = f"PORTAL_BASE_URL ({config['PORTAL_BASE_URL']}) is not this machine"
    else:
        return
    raise ConfigError(f"{reason} but PORTAL_ENV is {config['PORTAL_ENV']!r}. Set PORTAL_ENV=production (and "
                      "SECRET_KEY), or PORTAL_ALLOW_NON_PRODUCTION=1 if this server is deliberately not production.")


def _engine_options(config: dict) -> dict:
    """SQLAlchemy's engine options, with libpq's timeouts and keepalives on PostgreSQL (the only
    database that is reached over a network)."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return options
    statement_ms = int(config["DATABASE_STATEMENT_TIMEOUT"] * 1000)
    connect = config["DATABASE_CONNECT_TIMEOUT"]
    options.setdefault("pool_timeout", config["DATABASE_POOL_TIMEOUT"])
    options["connect_args"] = {
        # libpq takes whole seconds and no fewer than 2.
        "connect_timeout": max(2, round(connect)) if connect else 0,
        "keepalives": 1,
        "keepalives_idle": config["DATABASE_KEEPALIVES_IDLE"],
        "keepalives_interval": config["DATABASE_KEEPALIVES_INTERVAL"],
        "keepalives_count": config["DATABASE_KEEPALIVES_COUNT"],
        "tcp_user_timeout": int(config["DATABASE_TCP_USER_TIMEOUT"] * 1000),
        "options": f"-c statement_timeout={statement_ms}",
        **options.get("connect_args", {}),
    }
    return options


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the settings mapping; ``overrides`` (used by tests) wins over the environment."""
    env = os.environ
    overrides = overrides or {}
    portal_env = overrides.get("PORTAL_ENV", env.get("PORTAL_ENV", "development"))
    secure_cookies = _bool(env.get("SESSION_COOKIE_SECURE"), default=portal_env == "production")
    config = {
        "PORTAL_ENV": portal_env,
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'portal.db'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A database that stops answering must not hang the workers (portal/database.py): libpq
        # gives up connecting after DATABASE_CONNECT_TIMEOUT; TCP keepalives and tcp_user_timeout
        # end a connection whose peer is gone; the server ends a statement after
        # DATABASE_STATEMENT_TIMEOUT; and the portal stops waiting for any answer after
        # DATABASE_ANSWER_TIMEOUT (a black hole acknowledges nothing and times out nothing else).
        # Seconds; 0 turns one off (a long bulk command: DATABASE_STATEMENT_TIMEOUT=0
        # DATABASE_ANSWER_TIMEOUT=0; migrations lift both themselves). PostgreSQL only.
        "DATABASE_CONNECT_TIMEOUT": float(env.get("DATABASE_CONNECT_TIMEOUT", "3")),
        "DATABASE_STATEMENT_TIMEOUT": float(env.get("DATABASE_STATEMENT_TIMEOUT", "5")),
        "DATABASE_ANSWER_TIMEOUT": float(env.get("DATABASE_ANSWER_TIMEOUT", "7")),
        "DATABASE_KEEPALIVES_IDLE": int(env.get("DATABASE_KEEPALIVES_IDLE", "10")),
        "DATABASE_KEEPALIVES_INTERVAL": int(env.get("DATABASE_KEEPALIVES_INTERVAL", "5")),
        "DATABASE_KEEPALIVES_COUNT": int(env.get("DATABASE_KEEPALIVES_COUNT", "3")),
        "DATABASE_TCP_USER_TIMEOUT": float(env.get("DATABASE_TCP_USER_TIMEOUT", "10")),
        "DATABASE_POOL_TIMEOUT": float(env.get("DATABASE_POOL_TIMEOUT", "5")),
        "PORTAL_TIMEZONE": env.get("PORTAL_TIMEZONE", "Asia/Makassar"),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "PORTAL_LOCALES": ("id", "en"),
        # No server means no delivery: messages stay queued and readable on the Email page.
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": env.get(
            "MAIL_DEFAULT_SENDER", "Portal Koperasi <noreply@portal-koperasi.local>"
        ),
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "30")),
        "MAIL_BATCH_SIZE": int(env.get("MAIL_BATCH_SIZE", "100")),
        "MAIL_LEASE_SECONDS": int(env.get("MAIL_LEASE_SECONDS", "300")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "8")),
        "MAIL_BACKOFF_SECONDS": int(env.get("MAIL_BACKOFF_SECONDS", "60")),
        "MAIL_WORKER_INTERVAL": float(env.get("MAIL_WORKER_INTERVAL", "5")),
        # How much the worker lowers its CPU priority (os.nice): web requests first (19, the lowest
        # priority: /events keeps ~90 % of its throughput beside two workers, 69 % at 10); 0 keeps it.
        "MAIL_WORKER_NICE": int(env.get("MAIL_WORKER_NICE", "19")),
        "MAIL_MESSAGE_ID_DOMAIN": env.get("MAIL_MESSAGE_ID_DOMAIN", "portal-koperasi.local"),
        "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000"),
        # How many reverse proxies (nginx) stand in front of the app: their X-Forwarded-For and
        # X-Forwarded-Proto give the client's address and scheme. 0 trusts no such header.
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        "PORTAL_ALLOW_NON_PRODUCTION": _bool(env.get("PORTAL_ALLOW_NON_PRODUCTION")),
        "PASSWORD_RESET_TTL_SECONDS": int(env.get("PASSWORD_RESET_TTL_SECONDS", "3600")),
        "EMAIL_VERIFICATION_TTL_SECONDS": int(env.get("EMAIL_VERIFICATION_TTL_SECONDS", str(48 * 3600))),
        "PASSWORD_RESET_RATE_LIMIT": env.get("PASSWORD_RESET_RATE_LIMIT", "5 per 10 minutes"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT_PER_ADDRESS": env.get("LOGIN_RATE_LIMIT_PER_ADDRESS", "20 per 10 minutes"),
        # Wrong passwords slow down the address they come from, not the account (portal/accounts/guard.py).
        "LOGIN_FREE_FAILURES": int(env.get("LOGIN_FREE_FAILURES", "3")),
        "LOGIN_DELAY_SECONDS": int(env.get("LOGIN_DELAY_SECONDS", "30")),
        "LOGIN_MAX_DELAY_SECONDS": int(env.get("LOGIN_MAX_DELAY_SECONDS", "900")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(env.get("LOGIN_FAILURE_WINDOW_SECONDS", "3600")),
        "LOGIN_ACCOUNT_FAILURE_LIMIT": int(env.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "50")),
        "LOGIN_GUESSING_ALERT_FAILURES": int(env.get("LOGIN_GUESSING_ALERT_FAILURES", "5")),
        "LOGIN_GUESSING_ALERT_INTERVAL_SECONDS": int(env.get("LOGIN_GUESSING_ALERT_INTERVAL_SECONDS", "3600")),
        "LOGIN_DEVICE_COOKIE_SECONDS": int(env.get("LOGIN_DEVICE_COOKIE_SECONDS", str(180 * 86400))),
        # The public certificate check: enough for a person, too few to walk the space of codes.
        "CERTIFICATE_CHECK_RATE_LIMIT": env.get("CERTIFICATE_CHECK_RATE_LIMIT", "30 per minute"),
        # A participant typing their ticket code after scanning the door's code: a phone, not a script.
        "SELF_CHECK_IN_RATE_LIMIT": env.get("SELF_CHECK_IN_RATE_LIMIT", "20 per minute"),
        "LETTER_RATE_LIMIT": env.get("LETTER_RATE_LIMIT", "20 per minute"),
        # The printed evaluation QR's page, where a ticket code is typed: a room's worth, not a search.
        "SURVEY_CODE_RATE_LIMIT": env.get("SURVEY_CODE_RATE_LIMIT", "20 per minute"),
        # Browsers report policy violations; enough for a page full of them, too few to flood the log.
        "CSP_REPORT_RATE_LIMIT": env.get("CSP_REPORT_RATE_LIMIT", "60 per minute"),
        # The JSON API (portal/api/): requests per token (per address without one).
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "300 per minute"),
        "API_TITLE": "Portal Koperasi API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE", str(365 * 24 * 3600))),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        # Every cookie: HttpOnly, SameSite=Lax, and Secure in production (SESSION_COOKIE_SECURE=0
        # turns Secure off for both, for a deployment that really serves plain HTTP).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        # Login lifetimes per role (portal/accounts/lifetimes.py); the remember-me cookie of a
        # login expires with its absolute lifetime.
        "LOGIN_STAFF_IDLE_SECONDS": int(env.get("LOGIN_STAFF_IDLE_SECONDS", str(8 * 3600))),
        "LOGIN_STAFF_MAX_SECONDS": int(env.get("LOGIN_STAFF_MAX_SECONDS", str(7 * 86400))),
        "LOGIN_BOARD_IDLE_SECONDS": int(env.get("LOGIN_BOARD_IDLE_SECONDS", str(86400))),
        "LOGIN_BOARD_MAX_SECONDS": int(env.get("LOGIN_BOARD_MAX_SECONDS", str(7 * 86400))),
        "LOGIN_BOARD_REMEMBERED_IDLE_SECONDS": int(env.get("LOGIN_BOARD_REMEMBERED_IDLE_SECONDS", str(30 * 86400))),
        "LOGIN_BOARD_REMEMBERED_MAX_SECONDS": int(env.get("LOGIN_BOARD_REMEMBERED_MAX_SECONDS", str(30 * 86400))),
        "LOGIN_SESSION_RETENTION_SECONDS": int(env.get("LOGIN_SESSION_RETENTION_SECONDS", str(30 * 86400))),
        # Personal data (docs/security.md): how often a worker applies the retention periods, and
        # the statutory time to act on a person's request (UU 27/2022: 3 x 24 hours).
        "PRIVACY_RETENTION_INTERVAL_SECONDS": int(env.get("PRIVACY_RETENTION_INTERVAL_SECONDS", "3600")),
        "DATA_REQUEST_HOURS": int(env.get("DATA_REQUEST_HOURS", "72")),
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 8,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "PASSWORD_MIN_LENGTH": 8,
        "PER_PAGE": 25,
        # Counts on lists (pager totals, status badges) stop here and read "more than …"
        # (portal/pagination.py), so a page costs the same at a country's size as at a regency's.
        "COUNT_LIMIT": 1000,
        # /events.ics: each app process reuses the feed's version (its ETag) this long before asking
        # the database again, so a calendar app's poll costs no aggregate over the window's events.
        "FEED_VERSION_SECONDS": int(env.get("FEED_VERSION_SECONDS", "30")),
        # /events.ics holds about this many sessions: a window that holds more (a country's feed,
        # of every office) is drawn in by whole days, the coming ones first (events/queries.py,
        # drawn_in); today's are always in, with every session of the events under way. A
        # regency's year is a few hundred.
        "FEED_MAX_SESSIONS": int(env.get("FEED_MAX_SESSIONS", "1500")),
        # Reports (portal/reports/snapshots.py): a process reuses its copy of a report's figures
        # this long; a shared snapshot is read while younger than REPORT_SNAPSHOT_SECONDS; the
        # worker counts again the snapshots older than REPORT_REFRESH_SECONDS, a batch a pass.
        "REPORT_CACHE_SECONDS": int(env.get("REPORT_CACHE_SECONDS", "60")),
        "REPORT_SNAPSHOT_SECONDS": int(env.get("REPORT_SNAPSHOT_SECONDS", "900")),
        "REPORT_REFRESH_SECONDS": int(env.get("REPORT_REFRESH_SECONDS", "600")),
        "REPORT_REFRESH_BATCH": int(env.get("REPORT_REFRESH_BATCH", "4")),
        # Up to this many districts a filter lists them; above (a province, the country) it takes a name.
        "DISTRICT_SELECT_LIMIT": 60,
        # Rows of an import's preview or report per page.
        "IMPORT_PREVIEW_PER_PAGE": int(env.get("IMPORT_PREVIEW_PER_PAGE", "200")),
        # An uploaded document (a RAT's berita acara, a photo): portal/files/.
        "UPLOAD_MAX_BYTES": int(env.get("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))),
    }
    config.update(overrides)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(config)
    _refuse_production_by_accident(config)
    if not config["SECRET_KEY"]:
        if config["PORTAL_ENV"] not in {"development", "testing"}:
            raise ConfigError("SECRET_KEY must be set when PORTAL_ENV is not 'development'.")
        config["SECRET_KEY"] = _development_secret(instance_path)
    return config
