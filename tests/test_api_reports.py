"""The reports' figures through the API: the same rows as the report page's CSV, for a year or a
range, scoped to the token owner's offices; bad filters refused with a problem document."""

import csv
import io

from portal.accounts.models import Role
from tests.api_fixtures import bearer
from tests.report_fixtures import YEAR


def _csv_rows(client, name, query):
    data = client.get(f"/reports/{name}.csv?{query}").data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data), delimiter=";"))


def test_each_report_gives_the_rows_of_its_csv(app, client, office_year, logged_in, api_token):
    organiser = logged_in(Role.ORGANISER)
    headers = bearer(api_token(organiser, scopes=["reports:read"]), **{"Accept-Language": "id"})
    for name in ("reach", "revival", "trainings", "attendance", "participants"):
        answer = client.get(f"/api/v1/reports/{name}?year={YEAR}", headers=headers)
        assert answer.status_code == 200, (name, answer.get_json())
        body = answer.get_json()
        assert body["report"] == name and body["begins"] == f"{YEAR}-01-01" and body["ends"] == f"{YEAR}-12-31"
        table = _csv_rows(client, name, f"year={YEAR}")
        assert body["header"] == table[0], name
        under = sum(len(part["rows"]) + 3 for part in body["more"])  # each: a blank row, its title, its header
        assert len(body["rows"]) == len(table) - 1 - under, name
        assert body["second"] == (body["more"][0] if body["more"] else None)
    attendance = client.get(f"/api/v1/reports/attendance?year={YEAR}", headers=headers).get_json()
    assert [part["title"] for part in attendance["more"]] == ["Tidak hadir per koperasi", "Kehadiran per sesi"]
    assert [row[1:] for row in attendance["more"][1]["rows"]] == [
        ["1/2", f"{YEAR}-06-10", 3, 2, 0.667], ["2/2", f"{YEAR}-06-11", 3, 1, 0.333]]
    reach = client.get(f"/api/v1/reports/reach?year={YEAR}", headers=headers).get_json()
    assert reach["rows"][-1][0] == "Semau"
    assert reach["rows"][-1][2:] == [2, 1, 2, 1, 1, 1, 1, 0]  # counted by hand in tests/report_fixtures.py
    assert [[str(value) for value in row] for row in reach["rows"]] == _csv_rows(client, "reach", f"year={YEAR}")[1:]


def test_a_range_narrows_the_report_and_bad_filters_are_a_problem(client, office_year, logged_in, api_token):
    organiser = logged_in(Role.ORGANISER)
    headers = bearer(api_token(organiser, scopes=["reports:read"]))
    june = client.get(f"/api/v1/reports/trainings?begins={YEAR}-06-01&ends={YEAR}-06-30", headers=headers)
    assert june.status_code == 200 and june.get_json()["begins"] == f"{YEAR}-06-01"
    for query in (f"begins={YEAR}-06-01", f"begins={YEAR}-06-30&ends={YEAR}-06-01", "year=abc",
                  "program_area=nothing", f"year={YEAR}&begins={YEAR}-01-01&ends={YEAR}-01-02"):
        refused = client.get(f"/api/v1/reports/reach?{query}", headers=headers)
        assert refused.status_code == 422, query
        assert refused.content_type.startswith("application/problem+json")
    assert client.get("/api/v1/reports/nothing", headers=headers).status_code == 404


def test_a_token_without_the_reports_scope_is_refused(client, office_year, logged_in, api_token):
    organiser = logged_in(Role.ORGANISER)
    headers = bearer(api_token(organiser, scopes=["events:read"]))
    assert client.get(f"/api/v1/reports/reach?year={YEAR}", headers=headers).status_code == 403


def test_dates_in_a_report_are_iso_dates(client, office_year, logged_in, api_token):
    organiser = logged_in(Role.ORGANISER)
    headers = bearer(api_token(organiser, scopes=["reports:read"]))
    rows = client.get(f"/api/v1/reports/attendance?year={YEAR}", headers=headers).get_json()["rows"]
    assert f"{YEAR}-06-10" in [value for row in rows for value in row]
