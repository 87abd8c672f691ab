"""Import of past RATs from the office's spreadsheet: the messy sample (three date shapes, stray
spaces, a duplicate, an unknown legal number), a row-by-row report, idempotent."""

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.extensions import db
from portal.revival.importing import ImportFileError, import_rats
from portal.revival.models import RatRecord, RatSource, RatStatus

SAMPLE = (Path(__file__).parent / "data" / "rat_sample.csv").read_bytes()
TODAY = date(2026, 4, 10)


@pytest.fixture
def registry(make_cooperative):
    return {
        "sehati": make_cooperative(name="KSP Sehati", legal_number="518/BH/XIV/2011", legal_date=date(2011, 5, 2)),
        "harapan": make_cooperative(name="Kopdit Harapan", legal_number="077/BH/IX/1998"),
        "maju": make_cooperative(name="KUD Maju", legal_number="230/BH/XII/2005"),
    }


def _records():
    return {(r.cooperative.name, r.book_year): r for r in db.session.scalars(select(RatRecord))}


def test_the_messy_sample_is_read_row_by_row(app, registry, make_user):
    organiser = make_user(Role.ORGANISER)
    with app.test_request_context(headers={"Accept-Language": "id"}):
        report = import_rats(organiser, "rat.csv", SAMPLE, dry_run=False, today=TODAY)
    outcomes = {row.line: row.outcome for row in report.rows}
    assert outcomes == {3: "created", 4: "created", 5: "duplicate", 6: "created", 7: "created", 8: "rejected",
                        9: "rejected", 10: "rejected"}
    errors = {row.line: " ".join(row.errors) for row in report.rows}
    assert "999/BH/XX/2020" in errors[8] and "tidak ada" in errors[8]
    assert "(80)" in errors[9] and "(60)" in errors[9]
    assert "31/02/2026" in errors[10]
    records = _records()
    assert set(records) == {("KSP Sehati", 2024), ("KSP Sehati", 2023), ("Kopdit Harapan", 2024),
                            ("Kopdit Harapan", 2023)}
    sehati = records[("KSP Sehati", 2024)]
    assert (sehati.held_on, sehati.members_present, sehati.members_total, sehati.is_reported_to_ods) == (
        date(2025, 3, 15), 40, 55, True)
    assert records[("KSP Sehati", 2023)].held_on == date(2024, 3, 10)
    harapan = records[("Kopdit Harapan", 2024)]
    assert (harapan.held_on, harapan.members_present, harapan.members_total) == (date(2025, 3, 22), 121, 1250)
    assert records[("Kopdit Harapan", 2023)].is_held is False
    assert all(r.status == RatStatus.VERIFIED and r.source == RatSource.IMPORT for r in records.values())
    assert (registry["sehati"].last_rat_year, registry["harapan"].last_rat_year) == (2024, 2024)
    assert registry["maju"].last_rat_year is None


def test_importing_again_changes_nothing(app, registry, make_user):
    organiser = make_user(Role.ORGANISER)
    import_rats(organiser, "rat.csv", SAMPLE, dry_run=False, today=TODAY)
    db.session.commit()
    again = import_rats(organiser, "rat.csv", SAMPLE, dry_run=False, today=TODAY)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 3, "duplicate": 1}
    assert db.session.scalar(select(func.count()).select_from(RatRecord)) == 4


def test_a_dry_run_writes_nothing(app, registry, make_user):
    organiser = make_user(Role.ORGANISER)
    with db.session.begin_nested() as preview:
        report = import_rats(organiser, "rat.csv", SAMPLE, dry_run=True, today=TODAY)
        preview.rollback()
    assert report.counts["created"] == 4
    assert db.session.scalar(select(func.count()).select_from(RatRecord)) == 0


def test_a_file_without_the_columns_is_refused(app):
    with pytest.raises(ImportFileError):
        import_rats(None, "rat.csv", b"Nama;Alamat\nKSP;Oelamasi\n", dry_run=True, today=TODAY)


@pytest.mark.app_config(PORTAL_CLOCK=lambda: datetime(2026, 4, 10, 2, tzinfo=UTC))
def test_the_organiser_uploads_the_list_and_reads_the_report(client, logged_in, registry):
    logged_in(Role.ORGANISER)
    preview = client.post("/rat/import", data={"file": (io.BytesIO(SAMPLE), "rat.csv"), "dry_run": "y"},
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and 'data-line="8"' in preview.text
    assert db.session.scalar(select(func.count()).select_from(RatRecord)) == 0
    done = client.post("/rat/import", data={"file": (io.BytesIO(SAMPLE), "rat.csv")},
                       content_type="multipart/form-data")
    assert "baru 4" in done.text
    assert db.session.scalar(select(func.count()).select_from(RatRecord)) == 4
    bad = client.post("/rat/import", data={"file": (io.BytesIO(b"hello"), "rat.txt")},
                      content_type="multipart/form-data")
    assert bad.status_code == 200 and "CSV" in bad.text


def test_a_board_member_cannot_import(client, login, make_cooperative, make_board_user):
    login(client, make_board_user(make_cooperative()))
    assert client.get("/rat/import").status_code == 403


REGISTRY_LIST = (b"Nama Koperasi;No. Badan Hukum;Jenis Koperasi;Kecamatan;RAT Terakhir\n"
                 b"KSP Sehati;518/BH/XIV/2011;KSP;Kupang Timur;2022\n"
                 b"KSP Baru;601/BH/XIV/2020;KSP;Semau;2023\n")


def test_the_registry_lists_last_rat_year_becomes_a_verified_record_and_never_lowers_it(app, registry, make_user):
    from portal.cooperatives.importing import import_cooperatives
    organiser = make_user(Role.ORGANISER)
    import_rats(organiser, "rat.csv", SAMPLE, dry_run=False, today=TODAY)  # Sehati: verified 2024
    first = import_cooperatives(organiser, "daftar.csv", REGISTRY_LIST, dry_run=False, today=TODAY)
    db.session.commit()
    records = _records()
    assert records[("KSP Baru", 2023)].source == RatSource.REGISTRY
    assert ("KSP Sehati", 2022) not in records  # the list's older year adds nothing
    assert (registry["sehati"].last_rat_year, records[("KSP Baru", 2023)].cooperative.last_rat_year) == (2024, 2023)
    again = import_cooperatives(organiser, "daftar.csv", REGISTRY_LIST, dry_run=False, today=TODAY)
    assert [row.outcome for row in first.rows] == ["unchanged", "created"]
    assert [row.outcome for row in again.rows] == ["unchanged", "unchanged"]


def test_the_command_line_imports_and_reports_row_by_row(app, runner, registry, tmp_path):
    path = tmp_path / "rat.csv"
    path.write_bytes(SAMPLE)
    preview = runner.invoke(args=["import-rats", str(path), "--dry-run"])
    assert preview.exit_code == 0 and "created 4" in preview.output and "line 8:" in preview.output
    assert db.session.scalar(select(func.count()).select_from(RatRecord)) == 0
    done = runner.invoke(args=["import-rats", str(path)])
    assert done.exit_code == 0 and "created 4, updated 0, unchanged 0, rejected 3, duplicate 1" in done.output
    assert db.session.scalar(select(func.count()).select_from(RatRecord)) == 4
