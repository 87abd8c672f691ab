"""Import of past years' RAT status from the office's spreadsheet (CSV or XLSX), with the
registry import's reading and cleaning (``cooperatives.spreadsheet``, ``cooperatives.rows``):
messy cells, a row-by-row report, and idempotent: importing the same file again changes nothing.

A row is one cooperative (by legal number, ignoring case and spaces) and one book year; a row
with no RAT date says the RAT was not held. The office's own list is evidence: imported records
are verified. When the file repeats a cooperative's year, the last row wins and the earlier is
reported as a duplicate."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import Cooperative
from portal.cooperatives.rows import InvalidCell, read_date, read_whole_number
from portal.cooperatives.services import legal_number_key
from portal.cooperatives.spreadsheet import ImportFileError as ImportFileError
from portal.cooperatives.spreadsheet import Layout, header_key, read_table
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.revival.models import RatRecord, RatSource, RatStatus
from portal.revival.services import RAT_FIELDS, check_rat_values, refresh_last_rat_year

OUTCOMES = ("created", "updated", "unchanged", "rejected", "duplicate")


def _names(attr: str, *headers: str) -> dict[str, str]:
    return {header_key(header): attr for header in headers}


LAYOUT = Layout(
    headers={**_names("legal_number", "Nomor Badan Hukum", "No. Badan Hukum", "No. BH", "Nomor BH"),
             **_names("name", "Nama Koperasi", "Nama"),
             **_names("book_year", "Tahun Buku", "Tahun"),
             **_names("held_on", "Tanggal RAT", "Tgl RAT"),
             **_names("members_present", "Jumlah Anggota Hadir", "Anggota Hadir", "Hadir"),
             **_names("members_total", "Jumlah Anggota", "Anggota"),
             **_names("is_reported_to_ods", "Lapor ODS (Ya/Tidak)", "Lapor ODS", "ODS")},
    labels={"legal_number": "Nomor Badan Hukum", "book_year": "Tahun Buku", "held_on": "Tanggal RAT",
            "members_present": "Jumlah Anggota Hadir", "members_total": "Jumlah Anggota",
            "is_reported_to_ods": "Lapor ODS (Ya/Tidak)", "name": "Nama Koperasi"},
    required=("legal_number", "book_year"),
)
YES = {"ya", "y", "yes", "sudah", "1", "true", "v"}
NO = {"tidak", "t", "no", "belum", "0", "false", "-"}


@dataclass
class RatRow:
    line: int
    outcome: str
    legal_number: str | None
    name: str | None
    book_year: int | None
    errors: list[str] = field(default_factory=list)


@dataclass
class RatImportReport:
    rows: list[RatRow]

    @property
    def counts(self) -> dict:
        return {outcome: sum(row.outcome == outcome for row in self.rows) for outcome in OUTCOMES}

    def summary_line(self) -> str:
        return ", ".join(f"{key} {value}" for key, value in self.counts.items())


def _cell(cells, index):
    value = cells[index] if index is not None and index < len(cells) else None
    if isinstance(value, str):
        value = " ".join(value.strip().lstrip("'").split()) or None
    return value


def _read_row(line: int, cells, columns: dict, today: date):
    """``(RatRow, key, values)``; the row is rejected when ``RatRow.errors`` has anything."""
    raw = {attr: _cell(cells, index) for attr, index in columns.items()}
    if all(value is None for value in raw.values()):
        return None
    legal_number = str(raw["legal_number"]) if raw.get("legal_number") is not None else None
    row = RatRow(line, "rejected", legal_number, raw.get("name"), None)
    values = {"is_held": raw.get("held_on") is not None}
    readers = {"book_year": read_whole_number, "members_present": read_whole_number,
               "members_total": read_whole_number}
    for attr in ("book_year", "members_present", "members_total"):
        if raw.get(attr) is not None:
            try:
                values[attr] = readers[attr](raw[attr], LAYOUT.labels[attr])
            except InvalidCell as problem:
                row.errors.append(str(problem))
    if raw.get("held_on") is not None:
        try:
            values["held_on"] = read_date(raw["held_on"], LAYOUT.labels["held_on"], today)
        except InvalidCell as problem:
            row.errors.append(str(problem))
    ods = header_key(raw.get("is_reported_to_ods"))
    if ods and ods not in YES | NO:
        row.errors.append(_("%(value)s in %(column)s is neither Ya nor Tidak.", value=raw["is_reported_to_ods"],
                            column=LAYOUT.labels["is_reported_to_ods"]))
    values["is_reported_to_ods"] = ods in YES
    if legal_number is None:
        row.errors.append(_("%(column)s is empty.", column=LAYOUT.labels["legal_number"]))
    if "book_year" not in values and raw.get("book_year") is None:
        row.errors.append(_("%(column)s is empty.", column=LAYOUT.labels["book_year"]))
    row.book_year = values.get("book_year")
    return row, legal_number_key(legal_number) if legal_number else None, values


def import_rats(actor, filename: str, data: bytes, *, dry_run: bool, today: date) -> RatImportReport:
    """Read, check and (outside a dry run) write; the caller commits, or rolls a dry run back."""
    lines, columns, _labels = read_table(filename, data, LAYOUT)
    read = [found for line, cells in lines if (found := _read_row(line, cells, columns, today)) is not None]
    keys = {key for _row, key, _values in read if key}
    cooperatives = {c.legal_number_key: c for c in db.session.scalars(
        select(Cooperative).where(Cooperative.legal_number_key.in_(keys)))} if keys else {}
    last = {}
    for position, (row, key, values) in enumerate(read):
        if not row.errors and key in cooperatives:
            last[(key, values["book_year"])] = position
    touched = {}
    for position, (row, key, values) in enumerate(read):
        if row.errors:
            continue
        cooperative = cooperatives.get(key)
        if cooperative is None:
            row.errors.append(_("No cooperative with the legal number %(number)s is in the registry.",
                                number=row.legal_number))
            continue
        row.name = row.name or cooperative.name
        if last[(key, values["book_year"])] != position:
            row.outcome = "duplicate"
            row.errors.append(_("The same cooperative and book year appear again further down; the later row "
                                "counts."))
            continue
        try:
            clean = check_rat_values(cooperative, values, today)
        except RuleViolation as refusal:
            row.errors.append(refusal.message)
            continue
        row.outcome = _apply(actor, cooperative, clean, dry_run)
        touched[cooperative.id] = cooperative
    if not dry_run:
        for cooperative in touched.values():
            refresh_last_rat_year(actor, cooperative)
    return RatImportReport([row for row, _key, _values in read])


def _apply(actor, cooperative: Cooperative, clean: dict, dry_run: bool) -> str:
    record = db.session.scalar(select(RatRecord).where(RatRecord.cooperative_id == cooperative.id,
                                                       RatRecord.book_year == clean["book_year"]))
    if record is not None and record.status.is_verified and all(
            getattr(record, key) == value for key, value in clean.items()):
        return "unchanged"
    outcome = "created" if record is None else "updated"
    if dry_run:
        return outcome
    before = snapshot(record, RAT_FIELDS) if record is not None else None
    if record is None:
        record = RatRecord(cooperative=cooperative, book_year=clean["book_year"], source=RatSource.IMPORT,
                           status=RatStatus.VERIFIED)
        db.session.add(record)
    for key, value in clean.items():
        setattr(record, key, value)
    record.status, record.recorded_by_id = RatStatus.VERIFIED, actor.id if actor else None
    record.verified_by_id = actor.id if actor else None
    record.verified_at = record.recorded_at = utcnow()
    db.session.flush()
    record_change(actor, "rat.import", record, before, snapshot(record, RAT_FIELDS))
    return outcome
