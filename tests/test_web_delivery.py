"""Web delivery: responses compressed when the browser accepts it, fingerprinted static files kept
for a year without revalidation, and scripts that do not block the page from rendering."""

import gzip
import re
from pathlib import Path

from flask import url_for

ROOT = Path(__file__).resolve().parent.parent
GZIP = {"Accept-Encoding": "gzip"}


def test_a_page_is_gzipped_when_the_browser_accepts_it(client):
    response = client.get("/login", headers=GZIP)
    assert response.headers.get("Content-Encoding") == "gzip"
    assert "<html" in gzip.decompress(response.data).decode()
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    assert "Content-Security-Policy" in response.headers, "the security headers stay"


def test_a_page_is_plain_without_accept_encoding(client):
    response = client.get("/login")
    assert "Content-Encoding" not in response.headers
    assert "<html" in response.text


def test_stylesheets_and_scripts_are_gzipped_too(client):
    with client.application.test_request_context():
        urls = [url_for("static", filename="css/portal.css"),
                url_for("bootstrap.static", filename="css/bootstrap.min.css"),
                url_for("bootstrap.static", filename="js/bootstrap.min.js")]
    for url in urls:
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert response.headers.get("Content-Encoding") == "gzip", url
        body = gzip.decompress(response.data)
        assert len(body) > len(response.data), url


def test_streamed_responses_pass_through_uncompressed(client):
    """The calendar feed and the exports stream from a generator: compressing them would hold back
    bytes in the compressor, so they go out as they are written (nginx may compress them)."""
    response = client.get("/events.ics", headers=GZIP)
    assert response.status_code == 200
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert response.text.startswith("BEGIN:VCALENDAR")


def test_fingerprinted_static_files_are_immutable_for_a_year(client):
    with client.application.test_request_context():
        urls = [url_for("static", filename="css/portal.css"),
                url_for("bootstrap.static", filename="css/bootstrap.min.css")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url


def test_static_files_without_their_current_fingerprint_are_revalidated(client):
    for url in ("/static/css/portal.css", "/static/css/portal.css?v=000000000000",
                "/bootstrap/static/css/bootstrap.min.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url


def test_scripts_are_deferred_in_the_head(client):
    page = client.get("/login").text
    head, _, body = page.partition("</head>")
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts
    assert not re.search(r"<script\b", body), "no script blocks the body"
    assert all(re.search(r"\sdefer\b", tag) for tag in re.findall(r"<script\b[^>]*>", head)), scripts
