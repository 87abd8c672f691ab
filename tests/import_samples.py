"""The office's sample lists and the helpers the import tests share: run an import, see it
refused, build a CSV from rows, and read back what the registry holds."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.audit.models import AuditEntry
from portal.cooperatives.importing import ImportFileError, import_cooperatives
from portal.cooperatives.models import BoardMember, Cooperative, StatusChange
from portal.extensions import db

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_CSV = (DATA / "koperasi_sample.csv").read_bytes()
SAMPLE_XLSX = (DATA / "koperasi_sample.xlsx").read_bytes()
TODAY = date(2024, 5, 17)
# In the sample files, by the "No" column: the rows rejected and why, and the rows imported
# with warnings. A CSV line is No + 1 (one header line); an XLSX row is No + 3 (title, blank, header).
SAMPLE_REJECTED = {
    26: ["Nama Koperasi is empty."],
    28: ["Unknown district Kupang Timr; did you mean Kupang Timur?"],
    29: ["The date 31/02/2015 in Tgl Badan Hukum does not exist."],
    30: ["Jumlah Anggota cannot be negative (-15)."],
}
SAMPLE_WARNED = {
    1: ["The phone number 080913909960 is not valid; it is left out."],
    4: ["The same legal number is on line {13}, which is imported instead of this row."],
    11: ["The phone number 8478878384 is not valid; it is left out."],
    14: ["The phone number 08426462889 is not valid; it is left out."],
    15: ["The phone number 0808-3124-023 is not valid; it is left out."],
    24: ["The phone number 0808-2276-5444 is not valid; it is left out."],
    27: ["The email address ketua.koperasi@@gmail is not valid; it is left out.",
         "The phone number 0848-6111-489 is not valid; it is left out."],
    34: ["The phone number 080107375043 is not valid; it is left out."],
    36: ["The phone number 628495660536 is not valid; it is left out."],
}
SAMPLE_SUMMARY = "created 36, updated 0, unchanged 1, rejected 4, warnings 10"
HEADER = ["No", "Nama Koperasi", "No. Badan Hukum", "Tgl Badan Hukum", "Jenis Koperasi", "Kecamatan",
          "Desa/Kelurahan", "Jumlah Anggota", "RAT Terakhir", "Email", "No. HP", "Status", "Ketua", "Sekretaris",
          "Bendahara", "Pengawas"]


def run_import(filename, data, dry_run=False, actor=None, today=TODAY):
    with force_locale("en"):
        report = import_cooperatives(actor, filename, data, dry_run=dry_run, today=today)
    db.session.commit()
    return report


def refused(filename, data) -> str:
    with force_locale("en"), pytest.raises(ImportFileError) as caught:
        import_cooperatives(None, filename, data, dry_run=False, today=TODAY)
    db.session.rollback()
    assert table_sizes() == {"cooperatives": 0, "board_members": 0, "status_changes": 0, "audit": 0}
    return caught.value.message


def table_sizes() -> dict:
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return {"cooperatives": count(Cooperative), "board_members": count(BoardMember),
            "status_changes": count(StatusChange), "audit": count(AuditEntry)}


def cooperative(legal_number) -> Cooperative:
    return db.session.scalar(sa.select(Cooperative).where(Cooperative.legal_number == legal_number))


def registry_state() -> dict:
    """Everything an import writes, comparable between imports."""
    state = {}
    for coop in db.session.scalars(sa.select(Cooperative)):
        state[coop.legal_number_key] = (
            coop.name, coop.legal_number, coop.legal_date, coop.nik, coop.type, coop.district.name, coop.village,
            coop.address, coop.member_count, coop.last_rat_year, coop.email, coop.phone, coop.status,
            coop.status_reason, coop.status_date, coop.updated_at,
            sorted((m.position.value, m.full_name) for m in coop.board_members))
    return state


def sample_rows():
    return list(csv.reader(io.StringIO(SAMPLE_CSV.decode("utf-8"), newline="")))


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    return buffer.getvalue().encode(encoding)


def a_row(n=1, **values) -> dict:
    row = {"No": str(n), "Nama Koperasi": f"KSP Uji {n}", "No. Badan Hukum": f"{n:03d}/BH/XXIV/2010",
           "Tgl Badan Hukum": "06/11/2020", "Jenis Koperasi": "KSP", "Kecamatan": "Kupang Timur",
           "Desa/Kelurahan": "Oelamasi", "Jumlah Anggota": "1.250", "RAT Terakhir": "2023",
           "Email": "ksp@example.org", "No. HP": "0812-3456-7890", "Status": "Aktif", "Ketua": "Yohanes Bani",
           "Sekretaris": "Maria Kolo", "Bendahara": "Ester Benu", "Pengawas": ""}
    row.update(values)
    return row


def assert_sample_report(report, offset):
    lines = {row.line: row for row in report.rows}
    assert report.summary_line() == SAMPLE_SUMMARY
    assert report.counts == {"created": 36, "updated": 0, "unchanged": 1, "rejected": 4, "warnings": 10}
    assert len(report.rows) == 41  # the blank row is skipped and not counted
    assert all(line - offset != 21 for line in lines)
    rejected = {line - offset: row.errors for line, row in lines.items() if row.outcome == "rejected"}
    assert rejected == SAMPLE_REJECTED
    assert all(not row.warnings for row in report.rows if row.outcome == "rejected")
    warned = {line - offset: row.warnings for line, row in lines.items() if row.warnings}
    expected = {no: [w.replace("{13}", str(13 + offset)) for w in warnings] for no, warnings in SAMPLE_WARNED.items()}
    assert warned == expected
    assert lines[4 + offset].outcome == "unchanged" and lines[13 + offset].outcome == "created"
    assert lines[30 + offset].name == "KSU Flobamora 58"
    assert lines[26 + offset].name is None and lines[26 + offset].legal_number == "991/BH/XXIV/2016"
