"""Security headers on every response, error pages included, and a Content-Security-Policy
without 'unsafe-inline' whose violations are reported to the portal and logged."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.accounts.access import public

ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def assert_hardened(response) -> None:
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = directives(response)
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["report-uri"] == "/csp-report"


@pytest.fixture
def failing_app(make_app):
    """The test app with two routes that fail: one unexpectedly, one with the database gone."""
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ADDRESS="1 per minute")

    @public
    def explode():
        raise RuntimeError("boom")

    @public
    def database_gone():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.add_url_rule("/explode", "explode", explode)
    app.add_url_rule("/database-gone", "database_gone", database_gone)
    return app


def test_every_kind_of_response_carries_the_headers(failing_app):
    client = failing_app.test_client()
    responses = {
        200: client.get("/"),
        302: client.get("/account/password"),
        404: client.get("/tidak-ada"),
        500: client.get("/explode"),
        503: client.get("/database-gone"),
    }
    client.post("/login", data={"email": "a@example.org", "password": "x"})
    responses[429] = client.post("/login", data={"email": "a@example.org", "password": "x"})
    for status, response in responses.items():
        assert response.status_code == status
        assert_hardened(response)


def test_static_files_and_json_answers_carry_them_too(client):
    assert_hardened(client.get("/static/css/portal.css"))
    assert_hardened(client.get("/healthz"))


def test_hsts_only_in_production(tmp_path, make_app):
    assert "Strict-Transport-Security" not in make_app().test_client().get("/healthz").headers
    production = create_app({"PORTAL_ENV": "production", "SECRET_KEY": "x" * 32,
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    response = production.test_client().get("/tidak-ada")
    assert response.status_code == 404
    hsts = response.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600


def test_the_email_preview_is_a_sandboxed_document_framed_only_by_the_portal(client, logged_in):
    from portal.accounts.models import Role
    from portal.extensions import db
    from portal.mail.services import queue_test_message

    logged_in(Role.ORGANISER)
    message = queue_test_message("siti@example.org")
    db.session.commit()
    page = client.get(f"/email/{message.id}")
    assert page.status_code == 200
    assert "srcdoc" not in page.text, "a srcdoc frame would inherit the page's policy"
    preview = client.get(f"/email/{message.id}/preview")
    assert preview.status_code == 200
    policy = directives(preview)
    assert policy["default-src"] == "'none'"
    assert "sandbox" in policy and policy["frame-ancestors"] == "'self'"
    assert "script-src" not in policy, "default-src 'none' forbids scripts"
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_page_templates_carry_no_inline_script_style_or_handler():
    """Nonces do not cover attributes: no style=, no on...=, no inline <script> or <style> in
    the pages (emails and the PDF documents are not pages a browser loads from the portal)."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT / "templates")
        if "email" in relative.parts or relative.parts[0] == "documents" or path.name in PDF_TEMPLATES:
            continue
        text = path.read_text()
        for pattern in (r"\sstyle=", r"\son[a-z]+=", r"<script(?![^>]*\ssrc=)", r"<style", r"javascript:"):
            offenders += [f"{relative}: {pattern}" for _ in re.finditer(pattern, text)]
    assert offenders == []


PDF_TEMPLATES = {"certificate.html", "letter.html", "daftar_hadir.html"}


def test_a_reported_violation_is_logged(client, csp_reports):
    report = {"csp-report": {"document-uri": "http://127.0.0.1:5000/events", "violated-directive": "style-src-attr",
                             "effective-directive": "style-src-attr", "blocked-uri": "inline",
                             "source-file": "http://127.0.0.1:5000/events", "line-number": 12}}
    response = client.post("/csp-report", data=json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    (received,) = csp_reports.take()
    assert received["effective-directive"] == "style-src-attr"
    assert received["document-uri"] == "http://127.0.0.1:5000/events"


def test_reports_in_the_reporting_api_format_are_logged_too(client, csp_reports):
    report = [{"type": "csp-violation", "url": "http://127.0.0.1:5000/", "body": {
        "documentURL": "http://127.0.0.1:5000/", "effectiveDirective": "script-src-elem", "blockedURL": "inline"}}]
    response = client.post("/csp-report", data=json.dumps(report), content_type="application/reports+json")
    assert response.status_code == 204
    (received,) = csp_reports.take()
    assert received["effective-directive"] == "script-src-elem"


def test_a_malformed_or_huge_report_is_refused_without_a_500(client, csp_reports):
    assert client.post("/csp-report", data="{not json", content_type="application/csp-report").status_code == 400
    huge = json.dumps({"csp-report": {"document-uri": "x" * 70_000}})
    assert client.post("/csp-report", data=huge, content_type="application/csp-report").status_code == 413
    assert client.get("/csp-report").status_code == 405
    assert csp_reports.take() == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, CSP_REPORT_RATE_LIMIT="3 per minute")
def test_browsers_report_without_a_csrf_token_and_a_flood_is_cut_short(client, csp_reports):
    report = json.dumps({"csp-report": {"document-uri": "http://127.0.0.1:5000/", "blocked-uri": "inline"}})
    answers = [client.post("/csp-report", data=report, content_type="application/csp-report").status_code
               for _ in range(4)]
    assert answers == [204, 204, 204, 429]
    assert len(csp_reports.take()) == 3
