"""The national benchmark's own parts at a tiny scale: the set-based generator on PostgreSQL,
what it measures each page on, and the page table. The benchmark itself runs outside CI."""

import os

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from benchmarks import national, national_data

TINY = {"districts": 40, "cooperatives": 1000, "events": 300, "registrations": 3000, "invitations": 1500,
        "outbox": 5000, "big_registrations": 50, "big_invitations": 500}


@pytest.fixture
def tiny_url(worker_id):
    base = make_url(os.environ["TEST_DATABASE_URL"])
    url = base.set(database=f"{base.database}_national_{worker_id}").render_as_string(hide_password=False)
    yield url
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_generator_builds_the_asked_shape_and_reuses_it(tiny_url):
    national_data.create_database(tiny_url, drop=True)
    log = []
    found = national_data.ensure(tiny_url, TINY, log=log.append)
    assert all(found[key] >= TINY[key] for key in found), found

    engine = sa.create_engine(tiny_url)
    with engine.connect() as conn:
        busiest = conn.execute(sa.text("SELECT count(*) FROM registrations GROUP BY event_id ORDER BY 1 DESC"
                                       " LIMIT 1")).scalar()
        invited = conn.execute(sa.text("SELECT count(*) FROM invitations GROUP BY event_id ORDER BY 1 DESC"
                                       " LIMIT 1")).scalar()
        sessions_without_venue = conn.scalar(sa.text(
            "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_sessions s WHERE s.event_id = e.id)"))
    engine.dispose()
    assert busiest == TINY["big_registrations"]
    assert invited == TINY["big_invitations"]
    assert sessions_without_venue == 0

    targets = national.facts(tiny_url)
    assert targets["invited_event"] == targets["registered_event"]
    assert targets["legal_term"].startswith("AHU-")

    log.clear()
    assert national_data.ensure(tiny_url, TINY, log=log.append) == found
    assert any("reusing" in line for line in log)


def test_a_database_smaller_than_asked_is_not_reused():
    assert national_data._fits({"cooperatives": 130_000, "events": 20_000}, {"cooperatives": 130_000,
                                                                              "events": 20_000})
    assert not national_data._fits({"cooperatives": 401, "events": 20_000}, {"cooperatives": 130_000,
                                                                             "events": 20_000})
    assert national_data._fits({"cooperatives": 401, "events": 9}, national_data.KUPANG)
    assert not national_data._fits({"cooperatives": 130_000, "events": 9}, national_data.KUPANG)


def test_page_table_gives_each_page_as_a_share_of_hello_world_and_what_national_size_keeps():
    text = national.table([("public /events", 0.04, 0.01, 40_960), ("Email page", 0.06, 0.0, 2048)])
    lines = text.splitlines()
    assert lines[0] == "| page | Kupang | national | national / Kupang | national page |"
    assert lines[2] == "| public /events | 4.00% | 1.00% | 25% | 40 KB |"
    assert lines[3] == "| Email page | 6.00% | 0.00% | 0% | 2 KB |"


def test_every_page_of_the_issue_is_measured_with_the_facts_it_needs():
    labels = [page.label for page in national.PAGES]
    assert labels[:3] == ["public /events", "month calendar", "/events.ics"]
    assert len(labels) == 19  # with the organiser's home and the reports (issue 27)
    polls = [page for page in national.PAGES if page.as_calendar_app]
    assert [page.path for page in polls] == ["/events.ics"], "the feed also as a calendar app polls it (ETag, gzip)"
    gzipped = [page for page in national.PAGES if page.gzip]
    assert [page.path for page in gzipped] == ["/events.ics"], "the feed's first download as calendar apps ask (gzip)"
    facts = {"invited_event": "1", "registered_event": "2", "session": "3", "name_term": "Oe", "legal_term": "AHU",
             "month": "2026-11"}
    assert all(page.path.format(**facts).startswith("/") for page in national.PAGES)
