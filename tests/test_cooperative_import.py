"""Importing the office's cooperative list: the messy sample files, normalisation, refusal of
files that cannot be read, re-import without changes, dry run, the command line, and speed."""

import csv
import io
import random
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.audit.models import AuditEntry
from portal.cooperatives.importing import ImportFileError, import_cooperatives
from portal.cooperatives.models import (
    KUPANG_DISTRICTS,
    BoardMember,
    BoardPosition,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    StatusChange,
)
from portal.extensions import db
from tests.concurrency import run_together

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


@pytest.mark.parametrize(("filename", "data", "offset"), [
    ("koperasi_sample.csv", SAMPLE_CSV, 1),
    ("koperasi_sample.xlsx", SAMPLE_XLSX, 3),
], ids=["csv", "xlsx"])
def test_sample_file_imports_row_by_row_and_reimports_unchanged(app, make_user, filename, data, offset):
    organiser = make_user()
    assert_sample_report(run_import(filename, data, actor=organiser), offset)

    assert {**table_sizes(), "audit": None} == {"cooperatives": 36, "board_members": 108, "status_changes": 36,
                                                "audit": None}
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("cooperative.%"))).all()
    assert actions == ["cooperative.import_create"] * 36
    nelayan = cooperative("169/BH/XXIV/1992")
    assert nelayan.name == "Koperasi Produsen Nelayan Bahari 10"
    assert (nelayan.member_count, nelayan.phone, nelayan.type) == (2367, "+6285979711471", CooperativeType.PRODUCER)
    assert (nelayan.status, nelayan.status_reason, nelayan.status_date) == (CooperativeStatus.INACTIVE, "imported",
                                                                           TODAY)
    assert [(c.status, c.reason, c.effective_date, c.changed_by_id) for c in nelayan.status_changes] == [
        (CooperativeStatus.INACTIVE, "imported", TODAY, organiser.id)]
    assert cooperative("927/BH/XXIV/1986").district.name == "Semau"
    assert cooperative("151/BH/XXIV/1998").name == "KSU Lontar Jaya"
    emas = cooperative("106/BH/XXIV/2020")
    assert (emas.legal_date, emas.phone, emas.last_rat_year) == (date(2020, 11, 6), "+6288657975432", 2022)
    assert (emas.status, emas.status_reason) == (CooperativeStatus.ACTIVE, None)
    sumber = cooperative("AHU-5863967.AH.01.26.TAHUN 2007")
    assert (sumber.name, sumber.type, sumber.phone) == ("KSP Sumber Rejeki 25", CooperativeType.SAVINGS_AND_LOAN,
                                                        "+628751163726")
    assert sorted((m.position, m.full_name) for m in sumber.board_members) == [
        (BoardPosition.CHAIR, "Simon Bani"), (BoardPosition.SECRETARY, "Markus Selan"),
        (BoardPosition.TREASURER, "Markus Bani")]
    cendana = db.session.scalars(sa.select(Cooperative).where(Cooperative.legal_number_key == "120/BH/XXIV/2007")).all()
    assert [c.phone for c in cendana] == ["+6281234567890"]  # the later row won
    sinar = cooperative("965/BH/XXIV/2018")
    assert (sinar.email, sinar.phone, sinar.member_count) == (None, None, 2352)
    assert cooperative("375/BH/XXIV/1989").phone is None
    assert cooperative("991/BH/XXIV/2016") is None and cooperative("AHU-2778874.AH.01.26.TAHUN 2005") is None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_label == "KSU Lontar Jaya"))
    assert (entry.action, entry.actor_id, entry.before) == ("cooperative.import_create", organiser.id, None)
    assert entry.after["phone"] == "+6283888539336" and "chair: Margaretha Lakapu" in entry.after["board"]

    before, sizes = registry_state(), table_sizes()
    again = run_import(filename, data, actor=organiser)
    assert again.summary_line() == "created 0, updated 0, unchanged 37, rejected 4, warnings 10"
    assert registry_state() == before and table_sizes() == sizes


def test_csv_and_xlsx_give_the_same_registry(app):
    run_import("koperasi_sample.csv", SAMPLE_CSV)
    state = registry_state()
    report = run_import("koperasi_sample.xlsx", SAMPLE_XLSX)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 37, "rejected": 4, "warnings": 10}
    assert registry_state() == state


def test_semicolon_csv_with_bom_reads_like_the_comma_one(app):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows(sample_rows())
    data = buffer.getvalue().encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data.splitlines()[0]
    assert_sample_report(run_import("export.csv", data), 1)


def test_windows_encoded_csv_is_read(app):
    data = csv_bytes([a_row(1, **{"Nama Koperasi": "KSP Kopi Café Bajawa", "Ketua": "José Manu"})],
                     encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert run_import("list.csv", data).counts["created"] == 1
    assert cooperative("001/BH/XXIV/2010").name == "KSP Kopi Café Bajawa"


def test_headers_are_recognised_in_any_case_spacing_and_variant(app):
    header = ["NO", "  NAMA   KOPERASI ", "Nomor Badan Hukum", "tanggal badan hukum", "NIK Koperasi", "JENIS",
              "kecamatan", "Desa", "Alamat", "jumlah anggota", "Rat Terakhir", "E-mail", "Telepon", "STATUS",
              "ketua", "Pengawas"]
    row = {"NO": "1", "  NAMA   KOPERASI ": "KSP  Maju", "Nomor Badan Hukum": "12/bh/xxiv/2010",
           "tanggal badan hukum": "2010-01-05", "NIK Koperasi": "5301010001", "JENIS": "Koperasi Jasa",
           "kecamatan": "semau selatan", "Desa": "Uitiuhtuan", "Alamat": " Jl. Timor Raya  12 ",
           "jumlah anggota": "17", "Rat Terakhir": "2020", "E-mail": "Ketua@Example.org", "Telepon": "81234567890",
           "STATUS": "AKTIF", "ketua": "Obed Kolo", "Pengawas": "Ruth Kolo; Simon Leo, ruth kolo"}
    assert run_import("list.csv", csv_bytes([row], header=header)).counts["created"] == 1
    coop = cooperative("12/bh/xxiv/2010")
    assert (coop.name, coop.legal_number_key, coop.nik, coop.type, coop.district.name, coop.village) == (
        "KSP Maju", "12/BH/XXIV/2010", "5301010001", CooperativeType.SERVICES, "Semau Selatan", "Uitiuhtuan")
    assert (coop.address, coop.member_count, coop.email, coop.phone) == ("Jl. Timor Raya 12", 17,
                                                                         "Ketua@example.org", "+6281234567890")
    assert sorted((m.position, m.full_name) for m in coop.board_members) == [
        (BoardPosition.CHAIR, "Obed Kolo"), (BoardPosition.SUPERVISOR, "Ruth Kolo"),
        (BoardPosition.SUPERVISOR, "Simon Leo")]


@pytest.mark.parametrize(("column", "written", "attr", "stored"), [
    ("Tgl Badan Hukum", "06/11/2020", "legal_date", date(2020, 11, 6)),
    ("Tgl Badan Hukum", "06-11-2020", "legal_date", date(2020, 11, 6)),
    ("Tgl Badan Hukum", "6/11/20", "legal_date", date(2020, 11, 6)),
    ("Tgl Badan Hukum", "01/02/88", "legal_date", date(1988, 2, 1)),
    ("Tgl Badan Hukum", "2020-11-06", "legal_date", date(2020, 11, 6)),
    ("Tgl Badan Hukum", "44141", "legal_date", date(2020, 11, 6)),
    ("Jumlah Anggota", "1.250", "member_count", 1250),
    ("Jumlah Anggota", "1732", "member_count", 1732),
    ("Jumlah Anggota", "0", "member_count", 0),
    ("No. HP", "081234567890", "phone", "+6281234567890"),
    ("No. HP", "6281234567890", "phone", "+6281234567890"),
    ("No. HP", "+62 812-3456-7890", "phone", "+6281234567890"),
    ("No. HP", "81234567890", "phone", "+6281234567890"),
    ("No. HP", "'081234567890", "phone", "+6281234567890"),
    ("Jenis Koperasi", "Koperasi Simpan Pinjam", "type", CooperativeType.SAVINGS_AND_LOAN),
    ("Jenis Koperasi", "koperasi konsumen", "type", CooperativeType.CONSUMER),
    ("Jenis Koperasi", "KOPERASI PRODUSEN", "type", CooperativeType.PRODUCER),
    ("Jenis Koperasi", "Koperasi Pemasaran", "type", CooperativeType.MARKETING),
    ("Jenis Koperasi", "Koperasi Jasa", "type", CooperativeType.SERVICES),
    ("Jenis Koperasi", "ksu", "type", CooperativeType.MULTI_PURPOSE),
    ("Status", "A", "status", CooperativeStatus.ACTIVE),
    ("Status", "aktif", "status", CooperativeStatus.ACTIVE),
    ("Status", "TA", "status", CooperativeStatus.INACTIVE),
    ("Status", "Non Aktif", "status", CooperativeStatus.INACTIVE),
    ("Status", "tidak  aktif", "status", CooperativeStatus.INACTIVE),
    ("Kecamatan", " AMFOANG   barat daya ", "district_id", "Amfoang Barat Daya"),
    ("Nama Koperasi", "  KSP  Sumber   Rejeki ", "name", "KSP Sumber Rejeki"),
    ("RAT Terakhir", "", "last_rat_year", None),
])
def test_values_are_normalised(app, column, written, attr, stored):
    report = run_import("list.csv", csv_bytes([a_row(1, **{column: written})]))
    assert report.counts["created"] == 1, report.rows
    coop = cooperative("001/BH/XXIV/2010")
    value = coop.district.name if attr == "district_id" else getattr(coop, attr)
    assert value == stored


@pytest.mark.parametrize(("column", "written", "error"), [
    ("Nama Koperasi", "", "Nama Koperasi is empty."),
    ("No. Badan Hukum", " ", "No. Badan Hukum is empty."),
    ("Kecamatan", "", "Kecamatan is empty."),
    ("Kecamatan", "Kupang Timr", "Unknown district Kupang Timr; did you mean Kupang Timur?"),
    ("Kecamatan", "Oelamasi", "Unknown district Oelamasi."),
    ("Tgl Badan Hukum", "31/02/2015", "The date 31/02/2015 in Tgl Badan Hukum does not exist."),
    ("Tgl Badan Hukum", "kemarin", "kemarin in Tgl Badan Hukum is not a date; write dates as dd/mm/yyyy."),
    ("Jumlah Anggota", "-15", "Jumlah Anggota cannot be negative (-15)."),
    ("Jumlah Anggota", "12,5", "12,5 in Jumlah Anggota is not a whole number."),
    ("RAT Terakhir", "2099", "2099 in RAT Terakhir is not a year between 1900 and 2024."),
    ("Jenis Koperasi", "Koperasi Kredit", "Unknown cooperative type Koperasi Kredit."),
    ("Jenis Koperasi", "", "Jenis Koperasi is empty."),
    ("Status", "Bubar", "Unknown status Bubar; use Aktif or Tidak Aktif."),
    ("Nama Koperasi", "K" * 201, "Nama Koperasi is longer than 200 characters."),
])
def test_rows_that_cannot_be_imported_are_rejected_with_the_reason(app, column, written, error):
    report = run_import("list.csv", csv_bytes([a_row(1, **{column: written}), a_row(2)]))
    assert [(row.line, row.outcome, row.errors) for row in report.rows] == [
        (2, "rejected", [error]), (3, "created", [])]
    assert table_sizes()["cooperatives"] == 1


def test_fixable_problems_import_the_row_without_the_value(app):
    report = run_import("list.csv", csv_bytes([a_row(1, Email="ketua@@gmail", **{"No. HP": "0808-3124-023",
                                                                                   "Status": ""})]))
    assert [(row.outcome, row.warnings) for row in report.rows] == [("created", [
        "The email address ketua@@gmail is not valid; it is left out.",
        "The phone number 0808-3124-023 is not valid; it is left out.",
        "No status given; the cooperative is recorded as active."])]
    coop = cooperative("001/BH/XXIV/2010")
    assert (coop.email, coop.phone, coop.status) == (None, None, CooperativeStatus.ACTIVE)


def test_formulas_and_html_are_stored_as_plain_text(app):
    names = ['=HYPERLINK("http://evil.example/","Klik")', "<script>alert(1)</script> KSP <b>Jaya</b>",
             "@SUM(A1:A9)", "+KSP Plus", "-KSP Minus", "'=1+1"]
    rows = [a_row(n, **{"Nama Koperasi": name}) for n, name in enumerate(names, start=1)]
    assert run_import("list.csv", csv_bytes(rows)).counts["created"] == len(names)
    stored = [cooperative(f"{n:03d}/BH/XXIV/2010").name for n in range(1, len(names) + 1)]
    assert stored == [*names[:-1], "=1+1"]


def test_xlsx_formulas_are_never_evaluated(app):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([a_row(1)[column] for column in HEADER])
    sheet.append([a_row(2)[column] for column in HEADER])
    sheet["B2"] = '=HYPERLINK("http://evil.example/","Klik")'  # a real formula, no cached value
    sheet["B3"] = "=1+1"
    sheet["B3"].data_type = "s"  # text that looks like a formula
    sheet["H3"] = 44141.0  # a number where the count is
    sheet["D3"] = 44141  # an Excel serial date
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import("list.xlsx", buffer.getvalue())
    assert [(row.line, row.outcome, row.errors) for row in report.rows] == [
        (2, "rejected", ["Nama Koperasi is empty."]), (3, "created", [])]
    coop = cooperative("002/BH/XXIV/2010")
    assert (coop.name, coop.member_count, coop.legal_date) == ("=1+1", 44141, date(2020, 11, 6))


def test_changed_row_updates_once_with_one_audit_entry_and_status_history(app, make_user):
    organiser = make_user()
    run_import("list.csv", csv_bytes([a_row(1, Status="Tidak Aktif"), a_row(2)]), actor=organiser)
    second_before = registry_state()["002/BH/XXIV/2010"]
    first = cooperative("001/BH/XXIV/2010")
    created_at, updated_at = first.created_at, first.updated_at
    sizes = table_sizes()

    changed = a_row(1, Status="Aktif", Ketua="Obed Kolo", Pengawas="Ruth Kolo", **{"No. HP": "0813-1111-2222"})
    report = run_import("list.csv", csv_bytes([changed, a_row(2)]), actor=organiser)
    assert [row.outcome for row in report.rows] == ["updated", "unchanged"]

    db.session.expire_all()
    first = cooperative("001/BH/XXIV/2010")
    assert (first.phone, first.status, first.status_reason, first.status_date) == (
        "+6281311112222", CooperativeStatus.ACTIVE, None, TODAY)
    assert first.created_at == created_at and first.updated_at > updated_at
    assert sorted((m.position, m.full_name) for m in first.board_members) == [
        (BoardPosition.CHAIR, "Obed Kolo"), (BoardPosition.SECRETARY, "Maria Kolo"),
        (BoardPosition.SUPERVISOR, "Ruth Kolo"), (BoardPosition.TREASURER, "Ester Benu")]
    assert [(c.status, c.reason) for c in first.status_changes] == [
        (CooperativeStatus.ACTIVE, "imported"), (CooperativeStatus.INACTIVE, "imported")]
    assert registry_state()["002/BH/XXIV/2010"] == second_before
    assert table_sizes() == {**sizes, "board_members": sizes["board_members"] + 1,
                             "status_changes": sizes["status_changes"] + 1, "audit": sizes["audit"] + 1}
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.object_id, entry.actor_id) == ("cooperative.import_update", str(first.id),
                                                               organiser.id)
    assert entry.before == {"phone": "+6281234567890", "status": "inactive", "status_reason": "imported",
                            "board": ["chair: Yohanes Bani", "secretary: Maria Kolo", "treasurer: Ester Benu"]}
    assert entry.after["status"] == "active" and entry.after["board"][-1] == "supervisor: Ruth Kolo"


def test_empty_cells_keep_what_the_registry_already_knows(app):
    run_import("list.csv", csv_bytes([a_row(1)]))
    emptied = a_row(1, Email="", Ketua="", **{"No. HP": "0808", "Jumlah Anggota": ""})
    report = run_import("list.csv", csv_bytes([emptied]))
    assert report.rows[0].outcome == "unchanged"
    coop = cooperative("001/BH/XXIV/2010")
    assert (coop.email, coop.phone, coop.member_count) == ("ksp@example.org", "+6281234567890", 1250)


def test_legal_number_matches_ignoring_case_and_spaces(app):
    run_import("list.csv", csv_bytes([a_row(1, **{"No. Badan Hukum": "120/BH/XXIV/2007"})]))
    report = run_import("list.csv", csv_bytes([a_row(1, **{"No. Badan Hukum": " 120 /bh/ XXIV/2007 "})]))
    assert report.rows[0].outcome == "updated"
    assert db.session.scalars(sa.select(Cooperative.legal_number)).all() == ["120 /bh/ XXIV/2007"]


def test_nik_held_by_another_cooperative_rejects_the_row(app):
    header = [*HEADER, "NIK"]
    run_import("list.csv", csv_bytes([a_row(1, NIK="5301")], header=header))
    assert cooperative("001/BH/XXIV/2010").nik == "5301"
    report = run_import("list.csv", csv_bytes([a_row(2, NIK="5301"), a_row(3, NIK="77"), a_row(4, NIK="77")],
                                              header=header))
    assert [(row.outcome, row.errors) for row in report.rows] == [
        ("rejected", ["NIK 5301 already belongs to another cooperative."]), ("created", []),
        ("rejected", ["NIK 77 already belongs to another cooperative."])]


def test_dry_run_reports_the_same_and_changes_nothing(app):
    dry = run_import("koperasi_sample.csv", SAMPLE_CSV, dry_run=True)
    assert dry.summary_line() == SAMPLE_SUMMARY
    assert table_sizes() == {"cooperatives": 0, "board_members": 0, "status_changes": 0, "audit": 0}

    run_import("koperasi_sample.csv", SAMPLE_CSV)
    state, sizes = registry_state(), table_sizes()
    rows = sample_rows()
    rows[3][10] = "0813-1111-2222"
    rows[3][11] = "Aktif"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    dry = run_import("koperasi_sample.csv", buffer.getvalue().encode(), dry_run=True)
    assert dry.rows[2].outcome == "updated"
    assert dry.counts == {"created": 0, "updated": 1, "unchanged": 36, "rejected": 4, "warnings": 10}
    assert registry_state() == state and table_sizes() == sizes


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
