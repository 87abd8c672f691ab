"""Static URLs carry a fingerprint of the file's content, so nginx can let browsers keep them for a
year and a release with a changed stylesheet is still fetched at once."""

import hashlib
import re
from pathlib import Path

from flask import url_for

from portal.static_files import Fingerprints

ROOT = Path(__file__).resolve().parent.parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_the_stylesheet_url_names_the_content_it_serves(app):
    with app.test_request_context():
        url = url_for("static", filename="css/portal.css")
    assert url == f"/static/css/portal.css?v={_digest(ROOT / 'static/css/portal.css')}"


def test_every_page_links_bootstrap_and_its_own_files_with_fingerprints(client):
    page = client.get("/login").text
    links = re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"]+)"', page)
    assert any(link.startswith("/bootstrap/static/css/") for link in links)
    assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links), links


def test_a_fingerprinted_url_still_serves_the_file(client):
    with client.application.test_request_context():
        url = url_for("static", filename="css/portal.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == (ROOT / "static/css/portal.css").read_bytes()


def test_the_fingerprint_changes_when_the_file_changes(tmp_path):
    asset = tmp_path / "site.css"
    asset.write_text("body { color: black; }")
    fingerprints = Fingerprints()
    before = fingerprints.of(tmp_path, "site.css")
    asset.write_text("body { color: navy; margin: 0; }")
    after = fingerprints.of(tmp_path, "site.css")
    assert before != after and after == _digest(asset)


def test_a_missing_or_outside_file_gets_no_fingerprint(tmp_path):
    fingerprints = Fingerprints()
    assert fingerprints.of(tmp_path, "nope.css") is None
    assert fingerprints.of(tmp_path, "../etc/passwd") is None
