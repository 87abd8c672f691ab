"""Import of the office's own cooperative list (CSV or XLSX), re-importable without duplicates.

The file is read into plain rows and every row is checked and normalised first; the rows are
then compared with the cooperatives the database holds, and only after that, outside a dry run,
is anything written. An empty cell, or a value dropped with a warning, never erases what the
portal already knows. A cooperative is "the same" when its legal number is, ignoring case and
spaces (``legal_number_key``).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select, text
from sqlalchemy.orm import selectinload

from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import (
    BoardMember,
    BoardPosition,
    Cooperative,
    CooperativeStatus,
    StatusChange,
)
from portal.cooperatives.rows import Row, RowReader, district_lookup, districts_elsewhere
from portal.cooperatives.rows import RowResult as RowResult  # re-exported: part of the report
from portal.cooperatives.signals import cooperatives_renamed, registry_imported
from portal.cooperatives.spreadsheet import LABELS, read_table
from portal.cooperatives.spreadsheet import MAX_FILE_BYTES as MAX_FILE_BYTES  # re-exported for the CLI and views
from portal.cooperatives.spreadsheet import ImportFileError as ImportFileError
from portal.extensions import db
from portal.offices.context import default_office

QUERY_CHUNK = 500
IMPORT_LOCK_KEY = 0x4B4F5045  # "KOPE": one registry import at a time
IMPORTED = "imported"  # the status reason the import writes; a code word, translated where shown
OUTCOMES = ("created", "updated", "unchanged", "rejected")
AUDIT_FIELDS = ["name", "legal_number", "legal_date", "nik", "type", "district_id", "village", "address",
                "member_count", "last_rat_year", "email", "phone", "status", "status_reason", "status_date"]


@dataclass
class ImportReport:
    rows: list[RowResult]
    counts: dict

    @classmethod
    def from_rows(cls, rows: list[RowResult]) -> "ImportReport":
        counts = {outcome: sum(row.outcome == outcome for row in rows) for outcome in OUTCOMES}
        counts["warnings"] = sum(len(row.warnings) for row in rows)
        return cls(rows, counts)

    def summary_line(self) -> str:
        """The counts as the command line prints them, in fixed English words."""
        return ", ".join(f"{key} {self.counts[key]}" for key in (*OUTCOMES, "warnings"))

    def summary_text(self) -> str:
        """The counts in the reader's language, for the page."""
        return _("new %(created)d, changed %(updated)d, unchanged %(unchanged)d, rejected %(rejected)d, "
                 "warnings %(warnings)d", **self.counts)


def importing_office_id(actor, office=None) -> int:
    """The office an import works for: the one named, else the actor's, else the first office."""
    if office is not None:
        return office.id
    return getattr(actor, "office_id", None) or default_office().id


def import_cooperatives(actor, filename: str, data: bytes, *, dry_run: bool, today: date,
                        office=None) -> ImportReport:
    """Read the list and create or update its cooperatives; flushes, never commits.

    Districts are matched within the importing office's regencies only (``importing_office_id``):
    a row naming another regency's district, or the legal number of another office's
    cooperative, is rejected with the reason. A dry run reports the same outcomes and writes
    nothing. Raises ImportFileError, before anything is written, when the file cannot be read.
    """
    lines, columns, labels = read_table(filename, data)
    if not dry_run:
        _one_import_at_a_time()
    office_id = importing_office_id(actor, office)
    reader = RowReader(columns, labels, district_lookup(office_id), today, districts_elsewhere(office_id))
    rows = [row for line, cells in lines if (row := reader.read(line, cells)) is not None]
    winners = _last_row_per_cooperative(rows)
    existing = _existing_cooperatives(list(winners))
    _reject_other_offices(winners, existing, office_id)
    _reject_taken_niks(winners, existing)
    plans = [_Plan(row, existing.get(key)) for key, row in winners.items() if not row.result.errors]
    for plan in plans:
        plan.decide()
    if not dry_run:
        written = _apply(actor, [plan for plan in plans if plan.row.result.outcome in ("created", "updated")], today,
                         office_id)
        registry_imported.send(actor, cooperative_ids=written)
        renamed = [plan.cooperative.id for plan in plans if plan.cooperative is not None and "name" in plan.changes]
        if renamed:
            cooperatives_renamed.send(actor, cooperative_ids=renamed)
    return ImportReport.from_rows([row.result for row in rows])


def _one_import_at_a_time() -> None:
    """Two imports of the same new cooperative at once would both try to create it; on PostgreSQL
    a transaction-scoped advisory lock makes the second wait and then find it. (SQLite writers
    already take turns.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


# -- matching rows with the registry ------------------------------------------------------------

def _last_row_per_cooperative(rows: list[Row]) -> dict[str, Row]:
    """One row per legal number: the last valid one. An earlier row it replaces imports nothing
    and says so."""
    winners = {}
    for row in rows:
        if row.result.errors:
            continue
        earlier = winners.get(row.key)
        if earlier is not None:
            earlier.result.outcome = "unchanged"
            earlier.result.warnings = [_("The same legal number is on line %(line)s, which is imported instead "
                                         "of this row.", line=row.result.line)]
        winners[row.key] = row
    return winners


def _chunks(values: list, size: int = QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_cooperatives(keys: list[str]) -> dict[str, Cooperative]:
    found = {}
    for chunk in _chunks(keys):
        query = (select(Cooperative).where(Cooperative.legal_number_key.in_(chunk))
                 .options(selectinload(Cooperative.board_members)))
        found.update((cooperative.legal_number_key, cooperative) for cooperative in db.session.scalars(query))
    return found


def _reject_other_offices(winners: dict[str, Row], existing: dict[str, Cooperative], office_id: int) -> None:
    """A row may not change another office's cooperative."""
    for key, row in winners.items():
        cooperative = existing.get(key)
        if cooperative is not None and cooperative.office_id != office_id:
            row.result.errors.append(_("This legal number belongs to a cooperative of another office."))
            row.result.warnings, row.result.outcome = [], "rejected"
            del existing[key]


def _reject_taken_niks(winners: dict[str, Row], existing: dict[str, Cooperative]) -> None:
    """A NIK identifies one cooperative: refuse a row giving one that another already holds."""
    by_nik = {row.values["nik"]: row for row in winners.values() if row.values.get("nik")}
    holders = {cooperative.nik: cooperative.legal_number_key for cooperative in existing.values() if cooperative.nik}
    for chunk in _chunks(list(by_nik)):
        holders.update(db.session.execute(
            select(Cooperative.nik, Cooperative.legal_number_key).where(Cooperative.nik.in_(chunk))).all())
    claimed = {}
    for key, row in winners.items():
        nik = row.values.get("nik")
        if nik and (holders.get(nik, key) != key or claimed.setdefault(nik, key) != key):
            row.result.errors.append(_("NIK %(value)s already belongs to another cooperative.", value=nik))
            row.result.warnings = []


class _Plan:
    """What one row does to its cooperative: create it, change some of it, or nothing."""

    def __init__(self, row: Row, cooperative: Cooperative | None):
        self.row, self.cooperative = row, cooperative
        self.changes, self.renames, self.additions = {}, [], []

    def decide(self) -> None:
        result, values = self.row.result, self.row.values
        if self.cooperative is None:
            if "type" not in values:
                result.errors.append(_("%(column)s is empty.", column=LABELS["type"]))
                result.warnings, result.outcome = [], "rejected"
                return
            if "status" not in values:
                values["status"] = CooperativeStatus.ACTIVE
                result.warnings.append(_("No status given; the cooperative is recorded as active."))
            self.additions = [*self.row.board.items(),
                              *((BoardPosition.SUPERVISOR, name) for name in self.row.supervisors)]
            result.outcome = "created"
            return
        current = self.cooperative
        if (values.get("last_rat_year") or 0) <= (current.last_rat_year or 0):
            values.pop("last_rat_year", None)  # derived from RAT records: a list can add a later year, not lower it
        self.changes = {attr: value for attr, value in values.items() if getattr(current, attr) != value}
        holders = {}
        for member in current.board_members:
            holders.setdefault(member.position, member)
        for position, name in self.row.board.items():
            member = holders.get(position)
            if member is None:
                self.additions.append((position, name))
            elif member.full_name != name:
                self.renames.append((member, name))
        supervisors = {m.full_name.casefold() for m in current.board_members if m.position == BoardPosition.SUPERVISOR}
        self.additions += [(BoardPosition.SUPERVISOR, name) for name in self.row.supervisors
                           if name.casefold() not in supervisors]
        result.outcome = "updated" if self.changes or self.renames or self.additions else "unchanged"


def _snapshot(cooperative: Cooperative, board: list[tuple] | None = None) -> dict:
    if board is None:
        board = [(member.position, member.full_name) for member in cooperative.board_members]
    return {**snapshot(cooperative, AUDIT_FIELDS), "board": [f"{position.value}: {name}" for position, name in board]}


def _set_status_details(cooperative: Cooperative, today: date) -> None:
    cooperative.status_reason = IMPORTED if cooperative.status == CooperativeStatus.INACTIVE else None
    cooperative.status_date = today


def _apply(actor, plans: list[_Plan], today: date, office_id: int) -> list[int]:
    """Write the plans, then one audit entry per cooperative. New cooperatives go in with one
    flush; their board members and first status entries as one bulk insert each. Returns the
    ids of the cooperatives written."""
    history = {"reason": IMPORTED, "effective_date": today, "changed_by_id": actor.id if actor else None}
    created, updated = [], []
    for plan in plans:
        cooperative = plan.cooperative
        if cooperative is None:
            cooperative = Cooperative(legal_number_key=plan.row.key, office_id=office_id, **plan.row.values)
            _set_status_details(cooperative, today)
            created.append((cooperative, plan.additions))
            continue
        updated.append((cooperative, _snapshot(cooperative)))
        for attr, value in plan.changes.items():
            setattr(cooperative, attr, value)
        if "status" in plan.changes:
            _set_status_details(cooperative, today)
            db.session.add(StatusChange(cooperative_id=cooperative.id, status=cooperative.status, **history))
        for member, name in plan.renames:
            member.full_name = name
        cooperative.board_members.extend(BoardMember(position=position, full_name=name)
                                         for position, name in plan.additions)
    db.session.add_all(cooperative for cooperative, _board in created)
    db.session.flush()
    members = [{"cooperative_id": cooperative.id, "position": position, "full_name": name}
               for cooperative, board in created for position, name in board]
    for model, rows in ((BoardMember, members),
                        (StatusChange, [{"cooperative_id": c.id, "status": c.status, **history} for c, _b in created])):
        if rows:
            db.session.execute(insert(model), rows)
    for cooperative, board in created:
        record_change(actor, "cooperative.import_create", cooperative, None, _snapshot(cooperative, board))
    for cooperative, before in updated:
        record_change(actor, "cooperative.import_update", cooperative, before, _snapshot(cooperative))
    return [cooperative.id for cooperative, _board in created] + [cooperative.id for cooperative, _before in updated]
