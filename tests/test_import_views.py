"""The organisers' import pages: preview first, nothing saved until they commit."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.cooperatives.models import Cooperative, CooperativeImport
from portal.extensions import db
from tests.import_samples import a_row, csv_bytes

SAMPLE = Path(__file__).parent / "data" / "koperasi_sample.csv"


def _count():
    return db.session.scalar(select(func.count(Cooperative.id)))


def test_preview_changes_nothing_and_commit_imports_once(client, logged_in):
    logged_in(Role.ORGANISER)
    upload = client.post("/cooperatives/import", data={"file": (io.BytesIO(SAMPLE.read_bytes()), "koperasi.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    preview = client.get(upload.headers["Location"])
    assert "Pratinjau" in preview.text and "Impor sekarang" in preview.text
    assert _count() == 0
    batch = db.session.scalar(select(CooperativeImport))
    created = batch.summary["counts"]["created"]
    assert created > 0
    commit_url = f"/cooperatives/import/{batch.token}/commit"
    assert client.post(commit_url).status_code == 302
    assert _count() == created
    assert client.post(commit_url).status_code == 302, "a double-click imports nothing twice"
    assert _count() == created
    report = client.get(f"/cooperatives/import/{batch.token}").text
    assert "Laporan impor" in report


def test_unreadable_file_gets_a_message_next_to_the_field(client, logged_in):
    logged_in(Role.ORGANISER)
    response = client.post("/cooperatives/import", data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\nnot a sheet"),
                                                                  "foto.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    assert db.session.scalar(select(func.count(CooperativeImport.id))) == 0
    assert _count() == 0


def test_missing_file_is_asked_for(client, logged_in):
    logged_in(Role.ORGANISER)
    response = client.post("/cooperatives/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Kolom ini wajib diisi." in response.text


@pytest.mark.app_config(IMPORT_PREVIEW_PER_PAGE=20)
def test_a_large_preview_is_paginated_and_says_how_many_rows_more(client, logged_in):
    logged_in(Role.ORGANISER)
    data = csv_bytes([a_row(n) for n in range(1, 51)])
    upload = client.post("/cooperatives/import", data={"file": (io.BytesIO(data), "besar.csv")},
                         content_type="multipart/form-data")
    first = client.get(upload.headers["Location"]).text
    assert first.count('data-testid="import-row"') == 20
    assert "30 baris lagi" in first
    last = client.get(upload.headers["Location"] + "?page=3").text
    assert last.count('data-testid="import-row"') == 10
    assert "baris lagi" not in last
    assert "Impor sekarang" in last, "the commit button stays on every page"
