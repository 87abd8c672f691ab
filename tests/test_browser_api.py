"""The API's pages in Chromium at 360 px, under the enforced Content-Security-Policy (the
fixtures fail the test on any violation, and on critical or serious axe findings): Swagger UI
from the portal's own files, and an organiser making a token on the account page."""

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-42"


def test_the_documentation_page_runs_swagger_ui_from_local_files_under_the_policy(live_server, page):
    server = live_server()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Portal Koperasi API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() >= 10
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    assert all(url.startswith(server.url) for url in requested), [u for u in requested if not u.startswith(server.url)]
    screenshot(page, "api-docs-360")


def test_an_organiser_makes_a_token_and_sees_it_once(live_server, page):
    server = live_server(WTF_CSRF_ENABLED=True)
    with server.app.app_context():
        from portal.accounts.models import Role
        from portal.accounts.services import create_user
        from portal.extensions import db

        create_user(None, "panitia@example.org", "Maria Panitia", Role.ORGANISER, PASSWORD)
        db.session.commit()
    log_in(page, server.url, "panitia@example.org", PASSWORD)
    page.goto(f"{server.url}/account/api-tokens")
    page.get_by_label("Nama token").fill("Dasbor provinsi")
    page.get_by_label("Membaca kegiatan dan sesinya").check()
    page.get_by_label("Membaca angka laporan").check()
    page.get_by_role("button", name="Buat token").click()
    secret = page.get_by_label("Token baru").input_value()
    assert secret.startswith("pko_")
    expect(page.get_by_test_id("new-token")).to_contain_text("hanya ditampilkan sekali")
    screenshot(page, "api-token-created-360")
    page.goto(f"{server.url}/account/api-tokens")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.locator("[data-testid^=token-]")).to_contain_text("Dasbor provinsi")
