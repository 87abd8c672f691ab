"""The report pages: the hand-counted figures on the page, in the CSV and the XLSX, the PDF on
the letterhead and the chart as SVG with its text kept as text; for staff and leaders only."""

import csv
import io

import openpyxl
import pytest

from portal.accounts.models import Role
from tests.pdfs import pdf_text
from tests.report_fixtures import YEAR


@pytest.fixture
def reader(logged_in):
    return logged_in(Role.ORGANISER)


def test_reach_page_shows_the_hand_counted_rows(client, office_year, reader):
    page = client.get(f"/reports/reach?year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="report-chart"' in html and f"/reports/reach/chart.svg?year={YEAR}" in html
    assert "Semau" in html and "Kupang Timur" in html
    assert html.count('data-value="2"') >= 2  # Semau's KSP: two cooperatives, two reached


def test_reach_csv_and_xlsx_hold_the_same_numbers_as_numbers(client, office_year, reader):
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/reach.csv?year={YEAR}").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][0] == "Kecamatan"
    assert rows[-1][0] == "Semau" and rows[-1][2:] == ["2", "1", "2", "1", "1", "1", "1", "0"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/reach.xlsx?year={YEAR}").data))
    sheet = book.active
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[0] == "Semau" and last[2:] == [2, 1, 2, 1, 1, 1, 1, 0]


def test_attendance_export_keeps_dates_as_dates_and_adds_the_no_shows(client, office_year, reader):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/attendance.xlsx?year={YEAR}").data)).active
    first = [cell.value for cell in sheet[2]]
    assert first[0] == "Pelatihan Pembukuan" and first[1].date().isoformat() == f"{YEAR}-06-10"
    assert first[2:] == [3, 2, 1, 0.667]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Koperasi A", 1] in [row[:2] for row in values]
    sessions = values[[row[0] for row in values].index("Kehadiran per sesi") + 2:]
    assert [(row[1], row[2].date().isoformat(), *row[3:]) for row in sessions] == [
        ("1/2", f"{YEAR}-06-10", 3, 2, 0.667), ("2/2", f"{YEAR}-06-11", 3, 1, 0.333)]


def test_the_attendance_page_shows_each_session(client, office_year, reader):
    html = client.get(f"/reports/attendance?year={YEAR}").get_data(as_text=True)
    assert "Kehadiran per sesi" in html and 'data-testid="report-more-2"' in html
    part = html[html.index('data-testid="report-more-2"'):]
    assert part.index(">1/2<") < part.index(">2/2<")
    text = pdf_text(client.get(f"/reports/attendance.pdf?year={YEAR}").data)
    assert "Tidak hadir per koperasi" in text and "Kehadiran per sesi" in text and "2/2" in text


def test_a_date_range_and_filters_narrow_the_report(client, office_year, reader):
    html = client.get(f"/reports/trainings?begins={YEAR}-09-01&ends={YEAR}-09-30").get_data(as_text=True)
    assert "Rapat koordinasi" in html or "Coordination meeting" in html
    assert "Pelatihan SDM" not in html
    html = client.get(f"/reports/trainings?year={YEAR}&program_area=hr_training").get_data(as_text=True)
    assert html.count("<tr>") == 2  # the header and one row


def test_bad_filters_fall_back_to_this_year_without_an_error(client, office_year, reader):
    for query in ("year=abc", "begins=2025-13-40&ends=x", f"begins={YEAR}-09-01&ends={YEAR}-01-01", "year=99999"):
        assert client.get(f"/reports/reach?{query}").status_code == 200, query


def test_the_chart_is_svg_with_its_labels_as_text_and_no_script(client, office_year, reader):
    response = client.get(f"/reports/reach/chart.svg?year={YEAR}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<script" not in svg and ">Semau<" in svg and "Koperasi terjangkau per kecamatan" in svg
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_pdf_is_on_the_letterhead_and_searchable(client, office_year, reader):
    response = client.get(f"/reports/participants.pdf?year={YEAR}")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "laporan: peserta" in text.lower() and "Perempuan" in text and "menurut jenis kelamin" in text


@pytest.mark.parametrize("name", ["reach", "revival", "trainings", "attendance", "participants"])
def test_each_report_page_answers_for_a_leader_and_not_for_a_board_member(client, office_year, logged_in, name):
    logged_in(Role.LEADER)
    assert client.get(f"/reports/{name}?year={YEAR}").status_code == 200
    assert client.get(f"/reports/{name}.xlsx?year={YEAR}").status_code == 200


def test_a_board_member_is_refused_the_reports(client, office_year, logged_in):
    logged_in(Role.BOARD)
    assert client.get("/reports/reach").status_code == 403
    assert client.get("/reports/").status_code == 403


def test_an_unknown_report_is_a_404(client, reader):
    assert client.get("/reports/nothing").status_code == 404
    assert client.get("/reports/reach.doc").status_code == 404


def test_a_report_page_is_a_fixed_number_of_statements(client, office_year, reader, count_queries):
    client.get(f"/reports/attendance?year={YEAR}")
    with count_queries() as statements:
        assert client.get(f"/reports/attendance?year={YEAR}").status_code == 200
    assert len(statements) <= 12, statements


def test_the_directory_exports_under_its_filters(client, office_year, reader):
    rows = list(csv.reader(io.StringIO(client.get("/cooperatives/directory.csv?district=Semau").data
                                       .decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Koperasi C", "Koperasi D", "Koperasi E"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/cooperatives/directory.xlsx?status=inactive").data)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Koperasi B", "Koperasi C"]


def test_the_invitation_tracking_exports_who_answered_and_how(client, office_year, reader):
    event = office_year.training
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/organiser/events/{event.id}/invitations.xlsx").data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[3]) for row in rows] == [("Koperasi A", "Diterima"), ("Koperasi B", None)]
    assert rows[0][4].year == YEAR  # the answer's time as a date-time cell


def test_the_certificate_register_of_the_year(client, office_year, reader):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/organiser/certificates.xlsx?year={YEAR}").data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[1], row[3], row[5]) for row in rows] == [("Maria", "Pelatihan Pembukuan", 2)]
    assert client.get(f"/organiser/certificates.csv?year={YEAR - 1}").data.decode("utf-8-sig").count("\n") == 1


def test_a_long_report_pages_its_rows_and_the_exports_hold_them_all(client, office_year, reader, monkeypatch):
    """A country's reach report has thousands of rows: the page shows one page of them with a
    pager (here one row a page), the CSV all of them."""
    from portal.reports import report_views

    monkeypatch.setattr(report_views, "ROWS_SHOWN", 1)
    client.application.config["COUNT_LIMIT"] = 2  # the rows are counted exactly, past any count limit
    first = client.get(f"/reports/reach?year={YEAR}").get_data(as_text=True)
    second = client.get(f"/reports/reach?year={YEAR}&page=2").get_data(as_text=True)
    assert "Baris 1 sampai 1 dari 4" in first and "Baris 2 sampai 2 dari 4" in second
    assert f"/reports/reach?page=2&amp;year={YEAR}" in first
    assert first.count('data-value="') == second.count('data-value="') == 8  # one row of eight figures
    beyond = client.get(f"/reports/reach?year={YEAR}&page=99")
    assert beyond.status_code == 200
    rows = client.get(f"/reports/reach.csv?year={YEAR}&page=2").data.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 5  # the header and the four rows, whatever the page
