"""Import of the office's own cooperative list (CSV or XLSX), re-importable without duplicates.

The file is read into plain rows and every row is checked and normalised first; the rows are
then compared with the cooperatives the database holds, and only after that, outside a dry run,
is anything written. An empty cell, or a value dropped with a warning, never erases what the
portal already knows. A cooperative is "the same" when its legal number is, ignoring case and
spaces (``legal_number_key``).
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from portal.accounts.services import normalise_phone
from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import (
    BoardMember,
    BoardPosition,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    District,
    StatusChange,
)
from portal.cooperatives.services import legal_number_key
from portal.cooperatives.spreadsheet import LABELS, REQUIRED, header_key, read_table
from portal.cooperatives.spreadsheet import MAX_FILE_BYTES as MAX_FILE_BYTES  # re-exported for the CLI and views
from portal.cooperatives.spreadsheet import ImportFileError as ImportFileError
from portal.extensions import db

QUERY_CHUNK = 500
IMPORTED = "imported"  # the status reason the import writes; a code word, translated where shown
OUTCOMES = ("created", "updated", "unchanged", "rejected")
TYPES = {
    **dict.fromkeys(["koperasi simpan pinjam", "simpan pinjam", "ksp"], CooperativeType.SAVINGS_AND_LOAN),
    **dict.fromkeys(["koperasi konsumen", "konsumen"], CooperativeType.CONSUMER),
    **dict.fromkeys(["koperasi produsen", "produsen"], CooperativeType.PRODUCER),
    **dict.fromkeys(["koperasi pemasaran", "pemasaran"], CooperativeType.MARKETING),
    **dict.fromkeys(["koperasi jasa", "jasa"], CooperativeType.SERVICES),
    **dict.fromkeys(["koperasi serba usaha", "serba usaha", "ksu"], CooperativeType.MULTI_PURPOSE),
    **{member.value.replace("_", " "): member for member in CooperativeType},
}
STATUSES = {
    **dict.fromkeys(["aktif", "a", "active"], CooperativeStatus.ACTIVE),
    **dict.fromkeys(["tidak aktif", "tdk aktif", "ta", "non aktif", "nonaktif", "inactive"],
                    CooperativeStatus.INACTIVE),
}
BOARD = {"chair": BoardPosition.CHAIR, "secretary": BoardPosition.SECRETARY, "treasurer": BoardPosition.TREASURER}
MAX_LENGTHS = {"name": 200, "legal_number": 80, "nik": 40, "village": 120, "chair": 120, "secretary": 120,
               "treasurer": 120, "supervisors": 120}
CONVERTED = {"supervisors", "district", "type", "status", "legal_date", "member_count", "last_rat_year", "email",
             "phone"}
AUDIT_FIELDS = ["name", "legal_number", "legal_date", "nik", "type", "district_id", "village", "address",
                "member_count", "last_rat_year", "email", "phone", "status", "status_reason", "status_date"]


@dataclass
class RowResult:
    line: int
    outcome: str
    name: str | None
    legal_number: str | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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
        return ", ".join(f"{key} {self.counts[key]}" for key in (*OUTCOMES, "warnings"))


def import_cooperatives(actor, filename: str, data: bytes, *, dry_run: bool, today: date) -> ImportReport:
    """Read the list and create or update its cooperatives; flushes, never commits.

    A dry run reports the same outcomes and writes nothing. Raises ImportFileError, before
    anything is written, when the file cannot be read.
    """
    lines, columns, labels = read_table(filename, data)
    reader = _RowReader(columns, labels, _district_lookup(), today)
    rows = [row for line, cells in lines if (row := reader.read(line, cells)) is not None]
    winners = _last_row_per_cooperative(rows)
    existing = _existing_cooperatives(list(winners))
    _reject_taken_niks(winners, existing)
    plans = [_Plan(row, existing.get(key)) for key, row in winners.items() if not row.result.errors]
    for plan in plans:
        plan.decide()
    if not dry_run:
        _apply(actor, [plan for plan in plans if plan.row.result.outcome in ("created", "updated")], today)
    return ImportReport.from_rows([row.result for row in rows])


# -- one row: check and normalise ---------------------------------------------------------------

class _Invalid(Exception):
    """The value cannot be imported: the row is rejected."""


class _Dropped(Exception):
    """The value is left out with a warning; the row is imported without it."""


@dataclass
class _Row:
    result: RowResult
    key: str | None
    values: dict  # the Cooperative attributes the row gives
    board: dict  # BoardPosition -> full name, for the chair, secretary and treasurer
    supervisors: list[str]


def _clean(value):
    """Text trimmed, without the leading apostrophe spreadsheets use to force text, inner runs of
    spaces collapsed; empty is None. Numbers, dates and formula-looking text stay as they are."""
    if isinstance(value, str):
        value = " ".join(value.strip().lstrip("'").split())
    return None if value in ("", None) else value


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _district_lookup() -> dict[str, District]:
    return {" ".join(d.name.casefold().split()): d for d in db.session.scalars(select(District))}


class _RowReader:
    def __init__(self, columns: dict, labels: dict, districts: dict, today: date):
        self.columns, self.labels, self.districts, self.today = columns, labels, districts, today

    def label(self, attr: str) -> str:
        return self.labels.get(attr) or LABELS[attr]

    def read(self, line: int, cells) -> _Row | None:
        """The row checked and normalised, or None for a blank row."""
        raw = {attr: _clean(cells[index]) if index < len(cells) else None for attr, index in self.columns.items()}
        if all(value is None for value in raw.values()):
            return None
        row = _Row(RowResult(line, "rejected", None, None), None, {}, {}, [])
        for attr in REQUIRED:
            if raw.get(attr) is None:
                row.result.errors.append(_("%(column)s is empty.", column=self.label(attr)))
        for attr, value in raw.items():
            if value is None:
                continue
            try:
                value = getattr(self, attr)(value) if attr in CONVERTED else self.plain(attr, value)
            except _Invalid as problem:
                row.result.errors.append(str(problem))
                continue
            except _Dropped as problem:
                row.result.warnings.append(str(problem))
                continue
            if attr in BOARD:
                row.board[BOARD[attr]] = value
            elif attr == "supervisors":
                row.supervisors = value
            else:
                row.values["district_id" if attr == "district" else attr] = value
        row.result.name, row.result.legal_number = row.values.get("name"), row.values.get("legal_number")
        if row.values.get("legal_number"):
            row.key = legal_number_key(row.values["legal_number"])
        if row.result.errors:
            row.result.warnings = []
        return row

    def plain(self, attr: str, value) -> str:
        text = " ".join(_text(value).split())
        if len(text) > MAX_LENGTHS.get(attr, len(text)):
            raise _Invalid(_("%(column)s is longer than %(max)s characters.", column=self.label(attr),
                             max=MAX_LENGTHS[attr]))
        return text

    def supervisors(self, value) -> list[str]:
        names = {}
        for part in re.split(r"[;,]", _text(value)):
            if part.strip():
                name = self.plain("supervisors", part)
                names.setdefault(name.casefold(), name)
        return list(names.values())

    def district(self, value) -> int:
        key = " ".join(_text(value).casefold().split())
        if key in self.districts:
            return self.districts[key].id
        close = difflib.get_close_matches(key, list(self.districts), n=1, cutoff=0.8)
        if close:
            raise _Invalid(_("Unknown district %(value)s; did you mean %(suggestion)s?", value=value,
                             suggestion=self.districts[close[0]].name))
        raise _Invalid(_("Unknown district %(value)s.", value=value))

    def type(self, value) -> CooperativeType:
        found = TYPES.get(header_key(value))
        if found is None:
            raise _Invalid(_("Unknown cooperative type %(value)s.", value=value))
        return found

    def status(self, value) -> CooperativeStatus:
        found = STATUSES.get(header_key(value))
        if found is None:
            raise _Invalid(_("Unknown status %(value)s; use Aktif or Tidak Aktif.", value=value))
        return found

    def legal_date(self, value) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if isinstance(value, (int, float)) or re.fullmatch(r"\d{5}", text):  # an Excel serial day
            if isinstance(value, bool) or not 1 <= float(value) < 2958466:
                raise _Invalid(_("%(value)s in %(column)s is not a date; write dates as dd/mm/yyyy.", value=text,
                                 column=self.label("legal_date")))
            return date(1899, 12, 30) + timedelta(days=int(float(value)))
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?", text):
            year, month, day = (int(part) for part in match.groups())
        elif match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", text):
            day, month, year = (int(part) for part in match.groups())
            if len(match.group(3)) == 2:
                year += 2000 if 2000 + year <= self.today.year else 1900
        else:
            raise _Invalid(_("%(value)s in %(column)s is not a date; write dates as dd/mm/yyyy.", value=text,
                             column=self.label("legal_date")))
        try:
            return date(year, month, day)
        except ValueError:
            raise _Invalid(_("The date %(value)s in %(column)s does not exist.", value=text,
                             column=self.label("legal_date"))) from None

    def _whole_number(self, attr: str, value) -> int:
        text = _text(value).replace(" ", "")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # 1.250: the dot groups thousands
            text = text.replace(".", "")
        if isinstance(value, bool) or not re.fullmatch(r"-?\d{1,9}", text):
            raise _Invalid(_("%(value)s in %(column)s is not a whole number.", value=_text(value),
                             column=self.label(attr)))
        return int(text)

    def member_count(self, value) -> int:
        count = self._whole_number("member_count", value)
        if count < 0:
            raise _Invalid(_("%(column)s cannot be negative (%(value)s).", column=self.label("member_count"),
                             value=count))
        return count

    def last_rat_year(self, value) -> int:
        year = value.year if isinstance(value, (date, datetime)) else self._whole_number("last_rat_year", value)
        if not 1900 <= year <= self.today.year:
            raise _Invalid(_("%(value)s in %(column)s is not a year between 1900 and %(year)s.", value=year,
                             column=self.label("last_rat_year"), year=self.today.year))
        return year

    def email(self, value) -> str:
        try:
            return validate_email(_text(value), check_deliverability=False).normalized
        except EmailNotValidError:
            raise _Dropped(_("The email address %(value)s is not valid; it is left out.", value=value)) from None

    def phone(self, value) -> str:
        """To +62 form: 0812..., 62812..., +62 812-... and 812... all mean +62812...."""
        text = _text(value)
        try:
            return normalise_phone(text)
        except ValueError:
            raise _Dropped(_("The phone number %(value)s is not valid; it is left out.", value=text)) from None


# -- matching rows with the registry ------------------------------------------------------------

def _last_row_per_cooperative(rows: list[_Row]) -> dict[str, _Row]:
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


def _reject_taken_niks(winners: dict[str, _Row], existing: dict[str, Cooperative]) -> None:
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

    def __init__(self, row: _Row, cooperative: Cooperative | None):
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


def _apply(actor, plans: list[_Plan], today: date) -> None:
    """Write the plans, then one audit entry per cooperative. New cooperatives go in with one
    flush; their board members and first status entries as one bulk insert each."""
    history = {"reason": IMPORTED, "effective_date": today, "changed_by_id": actor.id if actor else None}
    created, updated = [], []
    for plan in plans:
        cooperative = plan.cooperative
        if cooperative is None:
            cooperative = Cooperative(legal_number_key=plan.row.key, **plan.row.values)
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
