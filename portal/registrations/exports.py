"""The registrations of an event as CSV and XLSX. A cell that a spreadsheet would read as a
formula (starting with = + - @, or a tab or carriage return) is written with a leading
apostrophe, so a name like "=HYPERLINK(...)" stays text. Attendance writes its export with the
same helpers."""

import csv
import io

import openpyxl
from flask_babel import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _header() -> list[str]:
    return [_("Name"), _("Position"), _("Cooperative or organisation"), _("District"), _("Email"), _("Phone"),
            _("State"), _("Waiting-list position"), _("Signed up at")]


def rows(registrations, positions: dict[int, int]) -> list[list]:
    result = []
    for registration in registrations:
        person = registration.participant
        cooperative = registration.cooperative
        result.append([person.full_name, str(person.position.label), person.affiliation,
                       cooperative.district.name if cooperative else "", person.email or "", person.phone or "",
                       str(registration.status.label), positions.get(registration.id, ""),
                       registration.created_at.isoformat(timespec="seconds")])
    return [[neutralise(value) for value in row] for row in result]


def to_csv(data: list[list], header: list[str] | None = None) -> bytes:
    """Rows (already neutralised) under ``header`` (the registrations' own by default)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(value) for value in header or _header()])
    writer.writerows(data)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(data: list[list], header: list[str] | None = None, title: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = (title or _("Registrations"))[:31]
    sheet.append([neutralise(value) for value in header or _header()])
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
