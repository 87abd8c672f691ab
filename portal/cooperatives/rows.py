"""One row of the office's list, checked and normalised into the registry's values.

A fatal problem raises ``_Invalid`` (the row is rejected); a fixable one (``_Dropped``) leaves the value out and
records a warning.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.services import normalise_phone
from portal.cooperatives.models import BoardPosition, CooperativeStatus, CooperativeType, District
from portal.cooperatives.services import legal_number_key
from portal.cooperatives.spreadsheet import LABELS, REQUIRED, header_key
from portal.extensions import db
from portal.offices.scope import office_clause

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


@dataclass
class RowResult:
    line: int
    outcome: str
    name: str | None
    legal_number: str | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Invalid(Exception):
    """The value cannot be imported: the row is rejected."""


class _Dropped(Exception):
    """The value is left out with a warning; the row is imported without it."""


@dataclass
class Row:
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


def _district_key(name: str) -> str:
    return " ".join(name.casefold().split())


def district_lookup(office_id: int | None = None) -> dict[str, District]:
    """The districts rows may name, by their name: those of the office's regencies (every
    district when None)."""
    query = select(District)
    if office_id is not None:
        query = query.where(office_clause(District, frozenset({office_id})))
    return {_district_key(d.name): d for d in db.session.scalars(query)}


def districts_elsewhere(office_id: int) -> set[str]:
    """The names of districts outside the office's regencies, to say why such a row is refused."""
    query = select(District.name).where(~office_clause(District, frozenset({office_id})))
    return {_district_key(name) for name in db.session.scalars(query)}


InvalidCell = _Invalid  # what the readers below raise, for another list's reader (revival's RAT import)


def read_date(value, column: str, today: date) -> date:
    """A date cell as offices write it: a spreadsheet date, an Excel serial day, yyyy-mm-dd, or
    dd/mm/yyyy, dd-mm-yy, dd.mm.yyyy; ``InvalidCell`` names ``column`` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if isinstance(value, (int, float)) or re.fullmatch(r"\d{5}", text):  # an Excel serial day
        if isinstance(value, bool) or not 1 <= float(value) < 2958466:
            raise _Invalid(_("%(value)s in %(column)s is not a date; write dates as dd/mm/yyyy.", value=text,
                             column=column))
        return date(1899, 12, 30) + timedelta(days=int(float(value)))
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?", text):
        year, month, day = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if 2000 + year <= today.year else 1900
    else:
        raise _Invalid(_("%(value)s in %(column)s is not a date; write dates as dd/mm/yyyy.", value=text,
                         column=column))
    try:
        return date(year, month, day)
    except ValueError:
        raise _Invalid(_("The date %(value)s in %(column)s does not exist.", value=text, column=column)) from None


def read_whole_number(value, column: str) -> int:
    """A whole number cell: "1.250" (dots grouping thousands), " 40 ", 40.0; ``InvalidCell`` otherwise."""
    text = _text(value).replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # 1.250: the dot groups thousands
        text = text.replace(".", "")
    if isinstance(value, bool) or not re.fullmatch(r"-?\d{1,9}", text):
        raise _Invalid(_("%(value)s in %(column)s is not a whole number.", value=_text(value), column=column))
    return int(text)


class RowReader:
    def __init__(self, columns: dict, labels: dict, districts: dict, today: date, elsewhere: set | None = None):
        self.columns, self.labels, self.districts, self.today = columns, labels, districts, today
        self.elsewhere = elsewhere or set()

    def label(self, attr: str) -> str:
        return self.labels.get(attr) or LABELS[attr]

    def read(self, line: int, cells) -> Row | None:
        """The row checked and normalised, or None for a blank row."""
        raw = {attr: _clean(cells[index]) if index < len(cells) else None for attr, index in self.columns.items()}
        if all(value is None for value in raw.values()):
            return None
        row = Row(RowResult(line, "rejected", None, None), None, {}, {}, [])
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
        if key in self.elsewhere:
            raise _Invalid(_("District %(value)s lies outside the regencies of the importing office.", value=value))
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
        return read_date(value, self.label("legal_date"), self.today)

    def _whole_number(self, attr: str, value) -> int:
        return read_whole_number(value, self.label(attr))

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
