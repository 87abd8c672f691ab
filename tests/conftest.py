"""Fixtures as in flaskr: app, client, runner, login, make_* factories, a live server and a browser.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set; each
xdist worker gets a database of its own, the schema is built once, and every test starts
from empty tables.
"""

import copy
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from portal import create_app
from portal.cooperatives.reference import REFERENCE_TABLES, seed_reference_data
from portal.extensions import db

pytest_plugins = ["tests.browser_fixtures", "tests.mail_fixtures", "tests.event_fixtures",
                  "tests.registration_fixtures", "tests.invitation_fixtures", "tests.attendance_fixtures",
                  "tests.report_fixtures", "tests.certificate_fixtures", "tests.office_fixtures", "tests.api_fixtures"]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
DEFAULT_PASSWORD = "correct-horse-42"


def pytest_runtest_setup(item):
    """A concurrency test only bites on PostgreSQL: SQLite serialises writers (``BEGIN IMMEDIATE``),
    so the race it guards against cannot happen there, and a run on SQLite says it was skipped
    instead of passing without having tested anything."""
    if item.get_closest_marker("postgres") and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers, so there is no race")


def _worker_database_url(tmp_root: Path, worker: str) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_root / f'portal-{worker}.db'}"
    url = make_url(base)
    name = f"{url.database or 'portal_test'}_{worker}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id, smtp_server):
    url = _worker_database_url(tmp_path_factory.getbasetemp(), worker_id)
    _MAIL["MAIL_PORT"] = smtp_server.port
    schema_app = create_app(_test_settings(url))
    with schema_app.app_context():
        _build_schema()
        seed_reference_data()
        db.session.commit()
        db.engine.dispose()
    return url


_MAIL = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 25}


def _build_schema() -> None:
    """The models' tables; on PostgreSQL without autovacuum, whose analysing in the background
    would change what a test's EXPLAIN is planned from at a moment no test chooses."""
    db.create_all()
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            db.session.execute(sa.text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'))


def _test_settings(url: str, **overrides) -> dict:
    settings = {
        **_MAIL,
        "TESTING": True,
        "PORTAL_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # The concurrency tests start up to 100 threads at once against a pool of 15
        # connections, serialised by a row lock; on a loaded CI machine the last of them waits
        # longer than production's 5 s for a connection (a sync gunicorn worker never waits
        # for one). What they prove is the outcome, so they wait as long as it takes.
        "DATABASE_POOL_TIMEOUT": 60,
    }
    settings.update(overrides)
    return settings


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        _empty_postgres_tables(tables)
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()
    _forget_other_places()
    seed_reference_data()  # the first office, as a migrated database has it
    db.session.commit()


MANY_ROWS = 100


def _empty_postgres_tables(tables) -> None:
    """Empty the tables as TRUNCATE … RESTART IDENTITY would, at a fraction of its cost: TRUNCATE
    gives every table new files, which with two workers on CI cost 1.4 s a test against ~0.05 s
    for this. A test leaves rows in a handful of tables; those are deleted, children first, and
    every id sequence starts again at 1. A table that held over ``MANY_ROWS`` rows, or that was
    analysed (it has statistics), is truncated after all, so that, as before, every test is planned
    from a table that was never analysed and holds no dead rows. Autovacuum is off on the test
    databases (``_build_schema``), so statistics change only when a test asks for them."""
    names = [t.name for t in tables]
    probe = " UNION ALL ".join(f'SELECT {i}, count(*) FROM (SELECT FROM "{t.name}" LIMIT {MANY_ROWS + 1}) AS r '
                               "HAVING count(*) > 0" for i, t in enumerate(tables))
    holding = dict(db.session.execute(sa.text(probe)).all())
    analysed = set(db.session.scalars(sa.text("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= 0 "
                                              "AND relname = ANY(CAST(:names AS text[]))"), {"names": names}))
    truncated = {tables[i].name for i, rows in holding.items() if rows > MANY_ROWS} | analysed
    if truncated:
        db.session.execute(sa.text("TRUNCATE " + ", ".join(f'"{name}"' for name in sorted(truncated)) + " CASCADE"))
    for i in sorted(holding, reverse=True):
        if tables[i].name not in truncated:
            db.session.execute(tables[i].delete())
    db.session.execute(sa.text("SELECT setval(s.oid, 1, false) FROM pg_class AS s "
                               "JOIN pg_depend AS d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
                               "JOIN pg_class AS t ON t.oid = d.refobjid "
                               "WHERE s.relkind = 'S' AND t.relname = ANY(CAST(:names AS text[]))"), {"names": names})


def _forget_other_places() -> None:
    """Districts, regencies and provinces a test added beside Kupang's reference data."""
    from portal.cooperatives.models import District
    from portal.cooperatives.reference import KUPANG_PROVINCE, KUPANG_REGENCY
    from portal.offices.models import Province, Regency

    kupang = sa.select(Regency.id).where(Regency.name == KUPANG_REGENCY).scalar_subquery()
    db.session.execute(sa.delete(District).where(District.regency_id != kupang))
    db.session.execute(sa.delete(Regency).where(Regency.name != KUPANG_REGENCY))
    db.session.execute(sa.delete(Province).where(Province.name != KUPANG_PROVINCE))
    db.session.commit()


@pytest.fixture
def used_apps():
    """The apps a test used. After it, their tables are emptied and their pooled connections
    closed, so that nothing a connection holds (a prepared statement, a setting) reaches the next."""
    used = []
    yield used
    for app in used:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture
def make_app(database_url, used_apps):
    """Build an app on the test database with extra settings; tables are emptied afterwards."""

    def factory(**overrides):
        app = create_app(_test_settings(database_url, **overrides))
        used_apps.append(app)
        return app

    return factory


@dataclass
class _Kept:
    """An app built once per worker for one set of settings and lent to each test that asks for
    them, as it was when built: building one costs ~0.15 s (Werkzeug compiles its 216 URL rules),
    and the suite asks for one 1,100 times per run. Lending it puts back its settings; its
    ``app.extensions`` as built, without what it cached while serving (rendered months, report
    and feed caches, the privacy run's last time), its seams and error responders without what a
    test registered; the global rate limiter as this app's ``init_app`` left it, with no hits
    counted; and its template loader. A test that must change the app itself (add a route) asks
    ``make_app`` for one of its own."""

    app: Flask
    config: dict
    extensions: dict
    registered: dict
    limiter_state: dict
    loader: object

    @classmethod
    def of(cls, app: Flask) -> "_Kept":
        from portal.extensions import limiter

        # Flask refuses a new route or hook once an app has served a request; a lent app refuses
        # it from the first test on, not only when another test happened to come first.
        app._got_first_request = True
        return cls(app, _copied(app.config), dict(app.extensions), _registered(app.extensions),
                   dict(vars(limiter)), app.jinja_env.loader)

    def lend(self) -> Flask:
        from portal.extensions import limiter

        self.app.config.clear()
        self.app.config.update(_copied(self.config))
        self.app.extensions.clear()
        self.app.extensions.update(self.extensions)
        self.app.extensions.update(_registered(self.registered))
        vars(limiter).update(self.limiter_state)
        if limiter.enabled:
            limiter.reset()
        self.app.jinja_env.loader = self.loader
        return self.app


def _registered(extensions) -> dict:
    """Copies of what an app's extensions list (its seams, its error responders): lists, and
    mappings of lists, which a test may add to (``seams.register``)."""
    kept = {}
    for key, value in extensions.items():
        if isinstance(value, list):
            kept[key] = list(value)
        elif isinstance(value, dict) and value and all(isinstance(items, list) for items in value.values()):
            kept[key] = {name: list(items) for name, items in value.items()}
    return kept


def _copied(config) -> dict:
    return {key: copy.copy(value) if isinstance(value, dict | list | set) else value for key, value in config.items()}


_KEPT: dict[str, _Kept] = {}


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, so it gets its own database session,
    as in production, instead of sharing the test's. The test's own session ends its
    transaction around each request, so it neither holds an old snapshot nor blocks the request."""

    def open(self, *args, **kwargs):
        db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def app(database_url, used_apps, request):
    marker = request.node.get_closest_marker("app_config")
    overrides = marker.kwargs if marker else {}
    key = repr(sorted(overrides.items()))
    if key not in _KEPT:
        _KEPT[key] = _Kept.of(create_app(_test_settings(database_url, **overrides)))
    app = _KEPT[key].lend()
    used_apps.append(app)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(app):
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def make_user(app):
    from portal.accounts.models import Role
    from portal.accounts.services import create_user

    counter = iter(range(1, 10_000))

    def factory(role=Role.ORGANISER, email=None, password=DEFAULT_PASSWORD, full_name=None, **kwargs):
        n = next(counter)
        user = create_user(None, email or f"{role.value}{n}@example.org", full_name or f"{role.value.title()} {n}",
                           Role(role), password, **kwargs)
        db.session.commit()
        return user

    return factory


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


@pytest.fixture
def login():
    """Log ``client`` in through the real form; works whether CSRF is on or off."""

    def do_login(client, user_or_email, password=DEFAULT_PASSWORD, remember=False, next_url=None):
        email = getattr(user_or_email, "email", user_or_email)
        page = client.get("/login")
        data = {"email": email, "password": password, "csrf_token": csrf_token_from(page.text)}
        if remember:
            data["remember"] = "y"
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return client.post(url, data=data)

    return do_login


@pytest.fixture
def logged_in(client, make_user, login):
    """A client logged in with a fresh user of the given role."""

    def factory(role):
        user = make_user(role)
        response = login(client, user)
        assert response.status_code == 302, response.text
        return user

    return factory


@pytest.fixture
def count_queries(app):
    """``with count_queries() as statements:`` collects the SQL the app sends meanwhile."""

    @contextmanager
    def counter():
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counter


@pytest.fixture
def make_cooperative(app):
    """``make_cooperative(name=..., status=..., district="Kupang Timur")``: a cooperative, committed."""
    from datetime import date

    from portal.cooperatives.models import (
        BoardMember,
        BoardPosition,
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        District,
    )
    from portal.cooperatives.services import legal_number_key

    counter = iter(range(1, 100_000))

    def factory(name=None, status=CooperativeStatus.ACTIVE, district="Kupang Timur",
                type=CooperativeType.SAVINGS_AND_LOAN, board=("Yohanes Bani",), **values):
        n = next(counter)
        legal_number = values.pop("legal_number", f"{n:03d}/BH/XXIV/2010")
        cooperative = Cooperative(
            name=name or f"KSP Uji {n}", legal_number=legal_number, legal_number_key=legal_number_key(legal_number),
            type=type, status=status, status_date=date(2022, 12, 1),
            district=db.session.scalar(sa.select(District).where(District.name == district)), **values)
        cooperative.board_members = [BoardMember(full_name=person, position=BoardPosition.CHAIR) for person in board]
        db.session.add(cooperative)
        db.session.commit()
        return cooperative

    return factory


@pytest.fixture
def make_board_user(app, make_user):
    """A board account with a claim in ``status`` (approved by default) on ``cooperative``."""
    from portal.accounts.models import Role
    from portal.cooperatives.models import BoardAccount, BoardAccountStatus, BoardPosition
    from portal.database import utcnow

    def factory(cooperative, status=BoardAccountStatus.APPROVED, **kwargs):
        user = make_user(Role.BOARD, **kwargs)
        user.email_verified_at = utcnow()
        db.session.add(BoardAccount(user=user, cooperative=cooperative, position=BoardPosition.CHAIR,
                                    status=BoardAccountStatus(status)))
        db.session.commit()
        return user

    return factory
