"""The typed last_rat_year becomes derived from verified RAT records, without losing its value:
upgrading a database that holds cooperatives, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.test_migrations import _upgrade, empty_database  # noqa: F401 (the fixture)

BEFORE_RAT_RECORDS = "b7c3e21a9d40"


def test_existing_last_rat_years_become_verified_records_of_that_book_year(empty_database):  # noqa: F811
    _upgrade(empty_database, BEFORE_RAT_RECORDS)
    engine = sa.create_engine(empty_database)
    stamp = datetime(2025, 1, 2, tzinfo=UTC)
    stamp = stamp.replace(tzinfo=None) if engine.dialect.name == "sqlite" else stamp
    with engine.begin() as conn:
        district = conn.execute(sa.text("SELECT min(id) FROM districts")).scalar_one()
        for n, year in ((1, 2023), (2, None), (3, 2019)):
            conn.execute(sa.text(
                "INSERT INTO cooperatives (id, name, legal_number, legal_number_key, type, district_id, status,"
                " last_rat_year, created_at, updated_at) VALUES (:id, :name, :number, :number, 'consumer', :district,"
                " 'active', :year, :at, :at)"),
                {"id": n, "name": f"KSP {n}", "number": f"{n}/BH", "district": district, "year": year, "at": stamp})
    engine.dispose()

    _upgrade(empty_database)

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT cooperative_id, book_year, is_held, status, source FROM rat_records"
                                    " ORDER BY cooperative_id")).all()
        years = conn.execute(sa.text("SELECT id, last_rat_year FROM cooperatives ORDER BY id")).all()
    engine.dispose()
    assert [(c, y, bool(h), s, src) for c, y, h, s, src in rows] == [
        (1, 2023, True, "verified", "registry"), (3, 2019, True, "verified", "registry")]
    assert years == [(1, 2023), (2, None), (3, 2019)]
