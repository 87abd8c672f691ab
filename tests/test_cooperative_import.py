"""Importing the office's cooperative list: the messy sample files, normalisation, rejected and
changed rows, re-import without changes, and the dry run. (Files that cannot be read, the
command line, size and concurrency: test_cooperative_import_files.py.)"""

import csv
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.cooperatives.models import BoardPosition, Cooperative, CooperativeStatus, CooperativeType
from portal.extensions import db
from tests.import_samples import (
    HEADER,
    SAMPLE_CSV,
    SAMPLE_SUMMARY,
    SAMPLE_XLSX,
    TODAY,
    a_row,
    assert_sample_report,
    cooperative,
    csv_bytes,
    registry_state,
    run_import,
    sample_rows,
    table_sizes,
)


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
