"""A database outage: every page, for visitors and logged-in users, reads and writes alike,
answers the Indonesian 503 page within a few seconds, whether the database went away (the
connection is cut) or stopped answering (black-holed); nothing is half-written, and the portal
recovers without a restart. PostgreSQL behind a TCP proxy the test controls."""

import time
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portal.accounts.models import Role
from portal.events import services as events
from portal.events.models import Event, EventKind, EventStatus, Venue
from portal.extensions import db
from tests.conftest import DEFAULT_PASSWORD
from tests.db_proxy import DatabaseProxy

pytestmark = pytest.mark.postgres

# Each page must answer within this many seconds of an outage: the connect timeout (2 s, libpq's
# least) or the answer timeout (2 s), with room for a loaded machine.
PATIENCE = 6


@pytest.fixture
def proxy(database_url):
    url = make_url(database_url)
    proxy = DatabaseProxy(url.host, url.port or 5432)
    yield proxy
    proxy.close()


@pytest.fixture
def proxied(database_url, proxy, make_app):
    """An app whose database is behind ``proxy``; the proxy outlives it (make_app empties the tables)."""
    url = make_url(database_url)
    app = make_app(SQLALCHEMY_DATABASE_URI=url.set(host="127.0.0.1", port=proxy.port).render_as_string(False),
                   DATABASE_CONNECT_TIMEOUT=2, DATABASE_STATEMENT_TIMEOUT=1, DATABASE_ANSWER_TIMEOUT=2,
                   DATABASE_KEEPALIVES_IDLE=1, DATABASE_KEEPALIVES_INTERVAL=1, DATABASE_KEEPALIVES_COUNT=2,
                   DATABASE_TCP_USER_TIMEOUT=2)
    with app.app_context():
        yield app, proxy
        proxy.restore()


def _requests(who, event_id):
    if who == "visitor":
        return [("GET", "/events", None), ("GET", f"/events/{event_id}", None),
                ("POST", "/login", {"email": "someone@example.org", "password": "x"})]
    return [("GET", "/events", None), ("GET", "/organiser/events", None),
            ("GET", f"/organiser/events/{event_id}", None), ("GET", "/cooperatives/", None),
            ("POST", "/organiser/venues/new", {"name": "Aula Baru", "district_id": "1", "capacity": "10"}),
            ("POST", f"/organiser/events/{event_id}/publish", {})]


def _check_outage(app, clients, event_id) -> float:
    """Every request answers the 503 page in time; the slowest answer's seconds."""
    slowest = 0.0
    for who, client in clients.items():
        for method, path, data in _requests(who, event_id):
            started = time.monotonic()
            response = client.open(path, method=method, data=data)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, (who, method, path, response.status_code)
            assert "Layanan tidak tersedia" in response.text, (who, path)
            assert who == "visitor" or response.headers.get("Cache-Control") == "no-store"
            assert elapsed < PATIENCE, (who, method, path, elapsed)
            slowest = max(slowest, elapsed)
    return slowest


def _check_recovered(clients, event_id):
    for who, client in clients.items():
        response = client.get("/organiser/events" if who == "organiser" else "/events")
        assert response.status_code == 200, (who, response.status_code, response.headers.get("Location"))


@pytest.mark.parametrize("outage", ["cut", "black_hole"])
def test_every_page_answers_503_within_seconds_and_recovers_without_a_restart(proxied, make_user, login, outage):
    app, proxy = proxied
    event = events.create_event(None, events.EventDetails(kind=EventKind.MEETING, title="Rapat", seats=10,
                                                          starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 1)))
    db.session.commit()
    event_id = event.id
    organiser = make_user(Role.ORGANISER)
    visitor, staff = app.test_client(), app.test_client()
    assert login(staff, organiser.email, DEFAULT_PASSWORD).status_code == 302
    clients = {"visitor": visitor, "organiser": staff}
    _check_recovered(clients, event_id)
    db.session.close()

    getattr(proxy, outage)()
    print(f"{outage}: slowest 503 in {_check_outage(app, clients, event_id):.2f} s")

    proxy.restore()
    _check_recovered(clients, event_id)
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 1
        assert db.session.get(Event, event_id).status == EventStatus.DRAFT, "nothing was written in the outage"
        assert db.session.scalar(select(func.count(Venue.id))) == 0
