"""Importing the office's cooperative list, as files: refusal of files that cannot be read, the
command line, a large list, and two imports at once."""

import io
import random
import time
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from portal.cooperatives.importing import import_cooperatives
from portal.cooperatives.models import KUPANG_DISTRICTS, Cooperative
from portal.extensions import db
from tests.concurrency import run_together
from tests.import_samples import SAMPLE_CSV, SAMPLE_SUMMARY, a_row, csv_bytes, refused, run_import, table_sizes


def zip_with(members: dict, big: tuple[str, int] | None = None) -> bytes:
    """A zip of small members plus, optionally, one member of ``size`` zero bytes, written in
    1 MB pieces so the test never holds it in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
        if big:
            with archive.open(big[0], "w", force_zip64=True) as member:
                piece = bytes(1024 * 1024)
                for _ in range(big[1] // len(piece)):
                    member.write(piece)
    return buffer.getvalue()


WORKBOOK_SKELETON = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)  # an old .xls
UNREADABLE = {  # file name: (how to build its content, what the message says)
    "empty.csv": (lambda: b"", "The file is empty."),
    "empty.xlsx": (lambda: b"", "The file is empty."),
    "logo.png": (lambda: PNG, "not a CSV or XLSX file"),
    "logo.csv": (lambda: PNG, "not a CSV or XLSX file"),
    "list.txt": (lambda: SAMPLE_CSV, "not a CSV or XLSX file"),
    "list.xls": (lambda: OLE, "not a CSV or XLSX file"),
    "list.xlsx": (lambda: OLE, "not a CSV or XLSX file"),
    "noise.csv": (lambda: random.Random(4).randbytes(4096) + b"\x00", "not a CSV or XLSX file"),
    "noise.xlsx": (lambda: random.Random(4).randbytes(4096), "not a CSV or XLSX file"),
    "archive.xlsx": (lambda: zip_with({"hello.txt": "hello"}), "not a CSV or XLSX file"),
    "broken.xlsx": (lambda: zip_with(WORKBOOK_SKELETON), "could not be read; it may be damaged"),
    "bomb.xlsx": (lambda: zip_with(WORKBOOK_SKELETON, ("xl/worksheets/sheet1.xml", 200 * 1024 * 1024)),
                  "unpacks to far more data"),
    "dense.xlsx": (lambda: zip_with(WORKBOOK_SKELETON, ("xl/sharedStrings.xml", 8 * 1024 * 1024)),
                   "unpacks to far more data"),
    "huge.csv": (lambda: b"No,Nama Koperasi\n" + b"x" * (11 * 1024 * 1024), "larger than 10 MB"),
    "other.csv": (lambda: b"a,b,c\n1,2,3\n", "No header row found in the first 15 rows. The list needs at least "
                                              "the columns Nama Koperasi, No. Badan Hukum, Kecamatan."),
    "partial.csv": (lambda: b"No;Nama Koperasi;Kecamatan;Status\n1;KSP;Semau;A\n",
                    "The header row lacks the required columns: No. Badan Hukum."),
}


@pytest.mark.parametrize("filename", list(UNREADABLE))
def test_unreadable_files_are_refused_and_nothing_is_written(app, filename):
    build, message = UNREADABLE[filename]
    assert message in refused(filename, build())


def test_xlsx_without_the_headers_is_refused(app):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nama Koperasi", "Jenis Koperasi", "Status"])
    workbook.active.append(["KSP Maju", "KSP", "A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert refused("list.xlsx", buffer.getvalue()) == (
        "The header row lacks the required columns: No. Badan Hukum, Kecamatan.")


def test_header_only_file_reads_as_an_empty_report(app):
    report = run_import("list.csv", csv_bytes([]))
    assert (report.rows, report.summary_line()) == ([], "created 0, updated 0, unchanged 0, rejected 0, warnings 0")


def write_sample(tmp_path, name="koperasi.csv", data=SAMPLE_CSV) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_reports_problem_rows_then_the_summary_and_commits(app, runner, tmp_path):
    result = runner.invoke(args=["import-cooperatives", write_sample(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == SAMPLE_SUMMARY
    assert len(lines) == 4 + 9 + 1  # rejected rows, rows with warnings, the summary
    assert lines[0].startswith("line 2: Koperasi Produsen Harapan Baru 7: ") and "080913909960" in lines[0]
    assert any(line.startswith("line 27: 991/BH/XXIV/2016: ") for line in lines)
    assert any(line.startswith("line 29: KSP Jagung Emas 59: ") and "Kupang Timur" in line for line in lines)
    db.session.rollback()
    assert table_sizes()["cooperatives"] == 36


def test_command_dry_run_changes_nothing(app, runner, tmp_path):
    result = runner.invoke(args=["import-cooperatives", write_sample(tmp_path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == SAMPLE_SUMMARY
    db.session.rollback()
    assert table_sizes()["cooperatives"] == 0


def test_command_fails_on_a_missing_or_unreadable_file(app, runner, tmp_path):
    missing = runner.invoke(args=["import-cooperatives", str(tmp_path / "nowhere.csv")])
    assert missing.exit_code != 0 and "nowhere.csv" in missing.output
    unreadable = runner.invoke(args=["import-cooperatives", write_sample(tmp_path, "logo.png", b"\x89PNG\r\n")])
    assert unreadable.exit_code == 1 and "Error:" in unreadable.output
    assert "created" not in unreadable.output


def big_list(n: int) -> bytes:
    rows = []
    for i in range(1, n + 1):
        district = KUPANG_DISTRICTS[i % len(KUPANG_DISTRICTS)]
        rows.append(a_row(i, **{
            "Nama Koperasi": f" KSP  Uji {i} ", "No. Badan Hukum": f"{i:05d}/BH/XXIV/{1980 + i % 40}",
            "Tgl Badan Hukum": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1980 + i % 40}",
            "Jenis Koperasi": ["KSP", "Koperasi Konsumen", "KSU", "Koperasi Jasa"][i % 4],
            "Kecamatan": district.upper() if i % 2 else f" {district.lower()} ",
            "Jumlah Anggota": f"{i // 1000}.{i % 1000:03d}" if i >= 1000 else str(i),
            "Email": f"ksp{i}@example.org", "No. HP": f"0812{i:08d}", "Status": ["Aktif", "TA"][i % 2],
            "Pengawas": f"Pengawas A{i}; Pengawas B{i}"}))
    return csv_bytes(rows)


def test_five_thousand_rows_import_quickly_and_reimport_unchanged(app):
    data = big_list(5000)
    statements = []
    record = lambda *args: statements.append(args[2])  # noqa: E731
    started = time.perf_counter()
    report = run_import("big.csv", data)
    first = time.perf_counter() - started
    assert report.counts == {"created": 5000, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 0}
    assert table_sizes() == {"cooperatives": 5000, "board_members": 25000, "status_changes": 5000, "audit": 5000}

    sa.event.listen(db.engine, "before_cursor_execute", record)
    started = time.perf_counter()
    try:
        again = run_import("big.csv", data)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    second = time.perf_counter() - started
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 5000, "rejected": 0, "warnings": 0}
    assert len(statements) < 40, statements[:50]  # districts, cooperatives and boards by 500, no per-row query
    print(f"\n5,000 rows on {db.engine.dialect.name}: import {first:.2f} s, re-import {second:.2f} s")


@pytest.mark.postgres
def test_two_imports_of_the_same_new_cooperatives_at_once_create_each_once(app):
    data = csv_bytes([a_row(n) for n in range(1, 6)])
    results = run_together(app, 2, lambda i: import_cooperatives(None, "koperasi.csv", data, dry_run=False,
                                                                  today=date(2024, 6, 1)).counts["created"])

    assert sorted(results) == [0, 5]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cooperative)) == 5
