"""The reports' figures, counted by hand on a small office year (tests/report_fixtures.py), in a
fixed number of statements whatever the number of events."""

from datetime import date

import pytest
from sqlalchemy import insert, select

from portal.attendance.models import AttendanceMark
from portal.events.models import Event, EventKind, EventStatus, ProgramArea
from portal.extensions import db
from portal.offices.context import default_office
from portal.registrations.models import ParticipantPosition
from portal.reports import figures
from portal.reports.figures import Filters
from tests.report_fixtures import YEAR


def _district_id(name):
    from portal.cooperatives.models import District

    return db.session.scalar(select(District.id).where(District.name == name))


def test_reach_by_district_and_type(office_year):
    rows = figures.reach(Filters.year(YEAR))
    assert [(r["district"], r["type"].value, r["cooperatives"], r["inactive"], r["reached"], r["answered"],
             r["took_part"], r["inactive_reached"], r["inactive_took_part"], r["never_reached"]) for r in rows] == [
        ("Kupang Timur", "multi_purpose", 1, 1, 1, 0, 0, 1, 0, 0),
        ("Kupang Timur", "savings_and_loan", 1, 0, 1, 1, 1, 0, 0, 0),
        ("Semau", "consumer", 1, 0, 0, 0, 0, 0, 0, 1),
        ("Semau", "savings_and_loan", 2, 1, 2, 1, 1, 1, 1, 0),
    ]


def test_reach_of_the_year_before_counts_only_its_meeting(office_year):
    rows = {(r["district"], r["type"].value): r["reached"] for r in figures.reach(Filters.year(YEAR - 1))}
    assert rows == {("Kupang Timur", "multi_purpose"): 0, ("Kupang Timur", "savings_and_loan"): 0,
                    ("Semau", "consumer"): 1, ("Semau", "savings_and_loan"): 0}


def test_reach_filtered_by_district_and_type(office_year):
    rows = figures.reach(Filters.year(YEAR, district_ids=(_district_id("Semau"),), cooperative_type="savings_and_loan"))
    assert [(r["district"], r["cooperatives"], r["reached"], r["took_part"]) for r in rows] == [("Semau", 2, 2, 1)]


KUPANG_OFFICE = "Dinas Perindustrian, Perdagangan, Koperasi dan UKM"


def _one_office(rows: list[dict]) -> list[dict]:
    """The rows without their office, after checking they are all the Kupang office's."""
    assert {row.pop("office") for row in rows} <= {KUPANG_OFFICE}
    assert len({row.pop("office_id") for row in rows}) <= 1
    return rows


def test_revival_funnel_of_the_inactive(office_year):
    assert _one_office(figures.revival(YEAR)) == [
        {"stage": "cohort", "cooperatives": 2}, {"stage": "invited", "cooperatives": 1},
        {"stage": "answered", "cooperatives": 0}, {"stage": "took_part", "cooperatives": 1},
        {"stage": "rat_held", "cooperatives": 0}, {"stage": "active_again", "cooperatives": 0}]


def test_trainings_per_kind_and_area(office_year):
    rows = figures.trainings(Filters.year(YEAR))
    assert [(r["kind"].value, r["program_area"] and r["program_area"].value, r["events"], r["seats"], r["filled"],
             r["participants"], r["certificates"]) for r in rows] == [
        ("meeting", None, 1, 30, 0, 0, 0),
        ("training", "hr_training", 1, 20, 3, 2, 1),
    ]
    only_hr = figures.trainings(Filters.year(YEAR, program_area="hr_training"))
    assert [r["events"] for r in only_hr] == [1]
    semau = figures.trainings(Filters.year(YEAR, district_ids=(_district_id("Semau"),)))
    assert [(r["filled"], r["participants"], r["certificates"]) for r in semau] == [(0, 0, 0), (1, 1, 0)]


def test_attendance_per_event_and_no_shows(office_year):
    assert _one_office(figures.attendance(Filters.year(YEAR))) == [
        {"event": "Pelatihan Pembukuan", "starts_on": date(YEAR, 6, 10), "registered": 3, "attended": 2,
         "no_shows": 1, "rate": 0.667}]
    assert _one_office(figures.no_shows_by_cooperative(Filters.year(YEAR))) == [
        {"cooperative": "Koperasi A", "no_shows": 1}]


def test_participants_by_position_and_sex(office_year):
    rows = figures.participants(Filters.year(YEAR))
    assert [(r["position"].value, r["sex"] and r["sex"].value, r["people"]) for r in rows] == [
        ("board", "female", 1), ("staff", "male", 1)]


def test_another_offices_figures_are_absent(office_year, make_user):
    from portal.accounts.models import Role
    from portal.offices.services import create_office

    other = create_office(None, "Dinas Koperasi Lain", [], city="SoE")
    db.session.commit()
    stranger = make_user(Role.ORGANISER, email="lain@example.org", office=other)
    filters = Filters.year(YEAR)
    assert figures.reach(filters, stranger) == []
    assert figures.trainings(filters, stranger) == []
    assert figures.attendance(filters, stranger) == []
    assert figures.participants(filters, stranger) == []
    assert figures.revival(YEAR, stranger) == []  # no cohort: no office row


def _add_events(n: int) -> None:
    """``n`` published trainings in the year, inserted as one statement."""
    office_id = default_office().id
    db.session.execute(insert(Event), [
        {"office_id": office_id, "kind": EventKind.TRAINING, "program_area": ProgramArea.CAPITAL,
         "title": f"Pelatihan {i}", "seats": 25, "starts_on": date(YEAR, 3, 1 + i % 28),
         "ends_on": date(YEAR, 3, 1 + i % 28), "status": EventStatus.PUBLISHED} for i in range(n)])
    db.session.commit()


@pytest.mark.parametrize("report", ["reach", "trainings", "attendance", "participants", "no_shows_by_cooperative"])
def test_each_report_is_a_fixed_number_of_statements_for_10_and_1000_events(office_year, count_queries, report):
    function = getattr(figures, report)
    counts = []
    for added in (10, 990):
        _add_events(added)
        db.session.expire_all()
        with count_queries() as statements:
            rows = function(Filters.year(YEAR))
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 2, counts
    if report == "trainings":
        assert sum(r["events"] for r in rows) == 1002


def test_the_chart_keeps_the_largest_groups_in_their_order():
    from portal.reports.catalogue import Table

    table = Table(["x"], [], "t", ["a", "b", "c", "d"], {"one": [5, 1, 9, 3], "two": [1, 2, 3, 4]})
    assert table.chart_top(2) == (["a", "c"], {"one": [5, 9], "two": [1, 3]})
    assert table.chart_top(9) == (table.chart_labels, table.chart_series)


def test_the_report_cache_keeps_each_office_apart_and_can_be_turned_off(app, make_user, two_offices):
    from portal.reports.cache import cached

    mine, theirs = two_offices
    filters = Filters.year(YEAR)
    with app.test_request_context():
        assert cached("reach", filters, mine.organiser, lambda: "A")[0] == "A"
        assert cached("reach", filters, theirs.organiser, lambda: "B")[0] == "B"
        assert cached("reach", filters, mine.organiser, lambda: "again")[0] == "A"
        app.config["REPORT_CACHE_SECONDS"] = 0
        assert cached("reach", filters, mine.organiser, lambda: "fresh")[0] == "fresh"


def test_a_persons_sex_is_recorded_only_when_given(office_year, make_user):
    from portal.accounts.models import Role
    from portal.registrations.forms import SignUpForm
    from portal.registrations.models import Sex
    from portal.registrations.participants import find_or_create_participant

    organiser = make_user(Role.ORGANISER)
    cooperative = office_year.cooperatives["D"]
    unknown = find_or_create_participant(organiser, cooperative, "Tanpa Keterangan", "staff", "a@example.org")
    woman = find_or_create_participant(organiser, cooperative, "Agustina Tefa", "board", "b@example.org", sex="female")
    assert (unknown.sex, woman.sex) == (None, Sex.FEMALE)
    assert find_or_create_participant(organiser, cooperative, "Tanpa Keterangan", "staff", "a@example.org",
                                      sex="male") is unknown and unknown.sex == Sex.MALE
    assert not SignUpForm.sex.kwargs.get("validators")[0].field_flags.get("required")


def test_a_participant_on_the_board_list_counts_under_the_office_held(office_year):
    """Maria is on Koperasi A's board list as its treasurer (her name in another case): she counts
    as bendahara; a board participant not on the list stays "board"."""
    from portal.cooperatives.models import BoardMember, BoardPosition
    from portal.extensions import db
    from tests.report_fixtures import register

    cooperative = office_year.cooperatives["A"]
    db.session.add(BoardMember(cooperative_id=cooperative.id, full_name="MARIA", position=BoardPosition.TREASURER))
    db.session.add(BoardMember(cooperative_id=office_year.cooperatives["C"].id, full_name="Maria",
                               position=BoardPosition.CHAIR))  # another cooperative's Maria
    register(office_year.training, office_year.cooperatives["B"], position=ParticipantPosition.BOARD,
             marks=[(1, AttendanceMark.PRESENT)], name="Lukas")
    db.session.commit()
    rows = figures.participants(Filters.year(YEAR))
    assert [(r["position"].value, r["sex"] and r["sex"].value, r["people"]) for r in rows] == [
        ("treasurer", "female", 1), ("board", None, 1), ("staff", "male", 1)]


def test_attendance_per_session(office_year):
    """The training's two days: three seats; day 1 Maria present and Petrus late, day 2 Maria."""
    rows = figures.session_attendance(Filters.year(YEAR))
    assert [(r["event"], r["number"], r["sessions"], r["registered"], r["attended"], r["rate"]) for r in rows] == [
        ("Pelatihan Pembukuan", 1, 2, 3, 2, 0.667), ("Pelatihan Pembukuan", 2, 2, 3, 1, 0.333)]
    assert rows[0]["starts_at"].date() == date(YEAR, 6, 10)


def test_the_demo_fills_the_positions_and_the_sessions(app, runner):
    """After seed-demo, this year's participants report counts ketua, sekretaris, bendahara and
    pengawas (the board members come as the people on their boards' lists), and the attendance
    per session holds the trainings of two days."""
    from portal.cooperatives.models import BoardPosition
    from portal.revival.dates import office_today

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.test_request_context():
        year = office_today().year
    positions = {row["position"] for row in figures.participants(Filters.year(year))}
    assert set(BoardPosition) <= positions and ParticipantPosition.STAFF in positions
    sessions = figures.session_attendance(Filters.year(year))
    assert 2 in {row["number"] for row in sessions}


def test_a_long_label_wraps_onto_three_lines_at_most():
    from portal.reports.charts import LABEL_WIDTH, bar_chart, wrapped

    title = "Pembinaan dan Persiapan RAT bagi Koperasi Tidak Aktif se-Kabupaten Kupang Tahun Anggaran 2026"
    lines = wrapped(title).split("\n")
    assert len(lines) == 3 and all(len(line) <= LABEL_WIDTH for line in lines) and lines[-1].endswith("…")
    assert wrapped("Semau") == "Semau"
    svg = bar_chart("Kehadiran per kegiatan", [title, "Semau"], {"Terdaftar": [5, 3], "Hadir": [4, 3]})
    assert "Pembinaan dan Persiapan" in svg and "Kehadiran per kegiatan" in svg and "<script" not in svg


def test_a_province_office_sees_its_offices_side_by_side(app, two_offices, province_office):
    """The province's organiser reads both regencies' offices: each report names the office of each
    row in a first column (the revival funnel a column per office and their total), and the
    charts name the office where two have a district of the same name ("Amarasi"). A regency's
    organiser sees its own rows only, without the column."""
    from datetime import timedelta

    from portal.cooperatives.models import Cooperative, CooperativeStatus, StatusChange
    from portal.reports.catalogue import REPORTS

    mine, theirs = two_offices
    _office, province, _admin = province_office
    today = date.today()
    for rows in two_offices:  # inactive since last year: both in this year's revival cohort
        db.session.add(StatusChange(cooperative_id=rows.ids["cooperative_id"], status=CooperativeStatus.INACTIVE,
                                    effective_date=date(today.year - 1, 6, 1)))
    db.session.commit()
    names = [mine.office.office_name, theirs.office.office_name]
    period = Filters(today, today + timedelta(days=60))  # the fixtures' events are 40 days ahead
    with app.test_request_context():
        reach = REPORTS["reach"].build(period, province)
        assert reach.header[0] == "Kantor" and sorted({row[0] for row in reach.rows}) == sorted(names)
        assert sorted(reach.chart_labels) == sorted(f"Amarasi ({name})" for name in names)
        attendance = REPORTS["attendance"].build(period, province)
        assert attendance.header[0] == "Kantor" and attendance.more[1].header[0] == "Kantor"
        trainings = REPORTS["trainings"].build(period, province)
        assert trainings.header[0] == "Kantor" and len(trainings.rows) == 2
        assert trainings.chart_series["Kegiatan"] == [2]  # the same programme area, added up for the chart
        revival = REPORTS["revival"].build(Filters.year(today.year), province)
        assert revival.header[1:] == [*sorted(names), "Jumlah"]
        assert revival.rows[0][1:] == [1, 1, 2]  # inactive on 1 January: one of each office
        alone = REPORTS["trainings"].build(Filters(today, today + timedelta(days=60), district_ids=(
            db.session.get(Cooperative, mine.ids["cooperative_id"]).district_id,)), province)
        assert alone.header[0] == "Kantor"  # the reader's columns, whatever the rows hold
        participants = REPORTS["participants"].build(period, province)
        assert participants.header[0] == "Kantor"
        own = REPORTS["reach"].build(period, mine.organiser)
        assert own.header[0] == "Kecamatan" and own.chart_labels == ["Amarasi"]
        assert REPORTS["revival"].build(Filters.year(today.year), mine.organiser).header == ["Tahap", "Koperasi"]


def test_two_offices_of_the_same_name_stay_apart(app, two_offices, province_office):
    """Office names need not be unique: the figures keep each office by its id."""
    from portal.cooperatives.models import CooperativeStatus, StatusChange
    from portal.reports.catalogue import REPORTS

    mine, theirs = two_offices
    _office, province, _admin = province_office
    theirs.office.office_name = mine.office.office_name
    for rows in two_offices:
        db.session.add(StatusChange(cooperative_id=rows.ids["cooperative_id"], status=CooperativeStatus.INACTIVE,
                                    effective_date=date(date.today().year - 1, 6, 1)))
    db.session.commit()
    with app.test_request_context():
        revival = REPORTS["revival"].build(Filters.year(date.today().year), province)
    assert revival.header[1:] == [mine.office.office_name, mine.office.office_name, "Jumlah"]
    assert revival.rows[0][1:] == [1, 1, 2]
