"""Tables as CSV and XLSX, the way the office opens them.

A row holds plain values and each keeps its type: a ``datetime`` is written in the office's zone
(the caller names the zone in the column's title), a ``date`` as a date, numbers as numbers,
``None`` as an empty cell and every string as text. In XLSX a text cell is typed as text, so
"=HYPERLINK(...)" or a phone number starting with 0 stays as written; CSV has no types, so a
string that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) gets a leading apostrophe there, and only there. CSV is separated by ``;`` unless asked
otherwise: Excel with Indonesian settings reads ``;`` (the decimal separator is the comma).
"""

import csv
import io
from datetime import date, datetime

import openpyxl
from flask import Response
from openpyxl.utils import get_column_letter

from portal.i18n import to_local

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEPARATORS = {"semicolon": ";", "comma": ","}
DEFAULT_SEPARATOR = "semicolon"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_COLUMN_WIDTH = 50


def separator(name: str | None) -> str:
    """The CSV separator a request asks for by name (``?separator=comma``); ``;`` otherwise."""
    return SEPARATORS.get(name or DEFAULT_SEPARATOR, SEPARATORS[DEFAULT_SEPARATOR])


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(value: datetime) -> datetime:
    """The wall-clock time in the office's zone, without a zone: spreadsheets have none."""
    return to_local(value).replace(tzinfo=None) if value.tzinfo else value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def to_csv(header: list[str], rows: list[list], delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([_csv_text(value) for value in header])
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, datetime):
        cell.value, cell.number_format = _local(value), DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value, cell.number_format = value, DATE_FORMAT
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text even when it looks like a formula
    else:
        cell.value = value
    return cell


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    """One sheet: the header row frozen and filterable, then the rows with their types."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    widths = [len(str(value)) for value in header]
    for number, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            _xlsx_cell(sheet, number, column, value)
            widths[column - 1] = max(widths[column - 1], 16 if isinstance(value, datetime) else len(str(value or "")))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(kind: str, header: list[str], rows: list[list], *, title: str, filename: str,
             separator_name: str | None = None) -> Response:
    """The table as an attachment: ``kind`` is "csv" or "xlsx"; ``filename`` has no extension."""
    if kind == "csv":
        body, content_type = to_csv(header, rows, separator(separator_name)), CSV_MIMETYPE
    else:
        body, content_type = to_xlsx(header, rows, title), XLSX_MIMETYPE
    # content_type, not mimetype: Flask would add a second charset to a text/* mimetype.
    return Response(body, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{kind}"'})
