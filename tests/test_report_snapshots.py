"""Report snapshots shared by every app server (portal/reports/snapshots.py): counted once and
read by every process, counted again by the worker while people read them, kept apart per
office and language, dropped when nobody reads them or their reader reads other offices."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.attendance.models import AttendanceMark
from portal.extensions import db
from portal.reports import snapshots
from portal.reports.catalogue import REPORTS, Table
from portal.reports.figures import Filters
from portal.reports.models import ReportSnapshot
from tests.report_fixtures import YEAR

NOW = datetime(YEAR, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(app):
    moment = {"now": NOW}
    app.config["PORTAL_CLOCK"] = lambda: moment["now"]
    app.config["REPORT_CACHE_SECONDS"] = 0  # each read goes to the shared snapshot, as another server's would
    return moment


def _refuse():
    raise AssertionError("counted again, though a fresh snapshot was kept")


def test_a_report_counted_once_is_read_by_every_process(app, office_year, make_user, clock):
    organiser = make_user(Role.ORGANISER)
    filters = Filters.year(YEAR)
    with app.test_request_context():
        table, as_of = snapshots.read("reach", filters, organiser, lambda: REPORTS["reach"].build(filters, organiser))
        again, again_as_of = snapshots.read("reach", filters, organiser, _refuse)
    assert as_of == again_as_of == NOW
    assert again.rows == table.rows and again.header == table.header and again.chart_series == table.chart_series
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 1


def test_a_snapshot_past_its_age_is_counted_again_in_the_request(app, office_year, make_user, clock):
    organiser = make_user(Role.ORGANISER)
    filters = Filters.year(YEAR)
    with app.test_request_context():
        snapshots.read("reach", filters, organiser, lambda: {"n": 1})
        clock["now"] = NOW + timedelta(seconds=app.config["REPORT_SNAPSHOT_SECONDS"] + 1)
        value, as_of = snapshots.read("reach", filters, organiser, lambda: {"n": 2})
    assert value == {"n": 2} and as_of == clock["now"]
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 1


def test_offices_and_languages_keep_their_own_snapshots(app, two_offices, clock):
    mine, theirs = two_offices
    filters = Filters.year(YEAR)
    with app.test_request_context():
        assert snapshots.read("reach", filters, mine.organiser, lambda: "A")[0] == "A"
        assert snapshots.read("reach", filters, theirs.organiser, lambda: "B")[0] == "B"
        assert snapshots.read("reach", filters, mine.organiser, _refuse)[0] == "A"
    with app.test_request_context(headers={"Accept-Language": "en"}, query_string={"lang": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            assert snapshots.read("reach", filters, mine.organiser, lambda: "A in English")[0] == "A in English"
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 3


def test_the_worker_counts_again_what_people_read_a_few_a_pass(app, office_year, make_user, clock):
    """Over several passes, as the worker runs: a snapshot read lately and older than the refresh
    age is counted again with the data as it is now; a batch a pass; nothing held between passes."""
    from tests.report_fixtures import register

    organiser = make_user(Role.ORGANISER)
    app.config["REPORT_REFRESH_BATCH"] = 1
    filters = Filters.year(YEAR)
    with app.test_request_context():
        for name in ("trainings", "participants"):
            snapshots.read(name, filters, organiser, lambda name=name: REPORTS[name].build(filters, organiser))
    register(office_year.training, office_year.cooperatives["D"], marks=[(0, AttendanceMark.PRESENT)], name="Yohana")
    db.session.commit()

    later = NOW + timedelta(seconds=app.config["REPORT_REFRESH_SECONDS"] + 1)
    with app.app_context():
        assert snapshots.refresh_due(NOW) == 0  # nothing old enough yet
    with app.app_context():
        assert snapshots.refresh_due(later) == 1
    with app.app_context():
        assert snapshots.refresh_due(later) == 1
    with app.app_context():
        assert snapshots.refresh_due(later) == 0
    clock["now"] = later
    with app.test_request_context():
        table, as_of = snapshots.read("trainings", filters, organiser, _refuse)
    assert as_of == later
    assert sum(row[5] for row in table.rows) == 3  # Maria, Petrus and now Yohana took part


def test_the_worker_drops_what_nobody_reads_and_what_its_reader_no_longer_reads(app, two_offices, clock):
    mine, theirs = two_offices
    filters = Filters.year(YEAR)
    with app.test_request_context():
        snapshots.read("reach", filters, mine.organiser, lambda: REPORTS["reach"].build(filters, mine.organiser))
        snapshots.read("trainings", filters, theirs.organiser,
                       lambda: REPORTS["trainings"].build(filters, theirs.organiser))
    mine.organiser.office_id = theirs.office.id  # moved: the snapshot counted for the old office goes
    db.session.commit()
    with app.app_context():
        snapshots.refresh_due(NOW + timedelta(hours=2))
    assert db.session.scalars(select(ReportSnapshot.report)).all() == ["trainings"]
    with app.app_context():
        snapshots.refresh_due(NOW + timedelta(days=8))  # not read for a week
    db.session.rollback()  # this test's own session reads afresh
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 0


def test_values_keep_their_kinds_through_the_snapshot():
    table = Table(["Kegiatan", "Mulai"], [["Rakor", date(YEAR, 6, 10), Decimal("3"), Decimal("0.5"), None]],
                  "Judul", ["a"], {"x": [1]}, ["catatan"],
                  more=[Table(["Sesi"], [[datetime(YEAR, 6, 10, 1, tzinfo=UTC)]], title="Per sesi")])
    back = snapshots._decode(snapshots._encode(table))
    assert back.rows == [["Rakor", date(YEAR, 6, 10), 3, 0.5, None]]
    assert back.more[0].rows[0][0] == datetime(YEAR, 6, 10, 1, tzinfo=UTC) and back.more[0].title == "Per sesi"
    assert (back.chart_title, back.chart_labels, back.chart_series, back.notes) == ("Judul", ["a"], {"x": [1]},
                                                                                   ["catatan"])


def test_a_snapshot_that_fails_to_count_is_dropped_and_the_others_counted(app, office_year, make_user, clock,
                                                                          monkeypatch):
    from portal.reports import catalogue

    organiser = make_user(Role.ORGANISER)
    filters = Filters.year(YEAR)
    with app.test_request_context():
        for name in ("trainings", "participants"):
            snapshots.read(name, filters, organiser, lambda name=name: REPORTS[name].build(filters, organiser))

    def broken(filters, actor):
        raise ValueError("a filter that no longer exists")

    monkeypatch.setitem(catalogue.REPORTS, "trainings", catalogue.Report("trainings", "x", "x", broken))
    later = NOW + timedelta(seconds=app.config["REPORT_REFRESH_SECONDS"] + 1)
    with app.app_context():
        assert snapshots.refresh_due(later) == 1
    db.session.rollback()
    assert db.session.scalars(select(ReportSnapshot.report)).all() == ["participants"]
