"""The organiser's home at 360 and 1366 px on the demo data, then a report with its chart drawn on
the server, its table beside it and its XLSX read back with openpyxl."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import PHONE, log_in, screenshot

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}


def test_the_organiser_home_and_a_report_with_its_chart(live_server, page):
    server = live_server(WTF_CSRF_ENABLED=True)
    result = server.app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    log_in(page, server.url, "organiser@demo.portal-koperasi.example.org", "demo12345")
    page.goto(server.url + "/")
    expect(page.get_by_test_id("waiting")).to_be_visible()
    expect(page.get_by_test_id("key-figures")).to_be_visible()
    assert int(page.locator('[data-figure="participants"]').inner_text()) > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "reports-home-phone")
    page.set_viewport_size(WIDE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
    screenshot(page, "reports-home-wide")

    page.get_by_role("link", name="Laporan", exact=True).first.click()
    page.get_by_role("link", name="Pelatihan").first.click()
    chart = page.get_by_test_id("report-chart").locator("img")
    expect(chart).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", chart.element_handle())
    expect(page.get_by_test_id("report-table")).to_contain_text("Diklat SDM")
    screenshot(page, "reports-trainings-wide")
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "reports-trainings-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet.cell(1, 1).value == "Jenis"
    numbers = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers and all(isinstance(n, int) for n in numbers)
