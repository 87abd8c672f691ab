"""Tables as CSV and XLSX, the way the office opens them.

A row holds plain values and each keeps its type: a ``datetime`` is written in the office's zone
(the caller names the zone in the column's title), a ``date`` as a date, numbers as numbers,
``None`` as an empty cell and every string as text. In XLSX a text cell is typed as text, so
"=HYPERLINK(...)" or a phone number starting with 0 stays as written; CSV has no types, so a
string that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) gets a leading apostrophe there, and only there. CSV is separated by ``;`` unless asked
otherwise: Excel with Indonesian settings reads ``;`` (the decimal separator is the comma).

Rows may be any iterable, a generator over a database cursor included: both formats are written
as the rows come, never held whole. CSV leaves in chunks of ``CSV_BATCH`` rows from the first
one; XLSX is zipped as it is written (``xlsx_stream``) and leaves in blocks from the first rows
(``write_xlsx``, openpyxl's write-only mode, writes a whole file). The column widths come before
the first row, so they are measured on the first ``WIDTH_SAMPLE`` rows. The generators run after the
request is over: the office's zone is named by the caller, not looked up.
"""

import csv
import io
import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
from flask import Response
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.documents.xlsx_stream import streamed_xlsx
from portal.i18n import office_zone

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEPARATORS = {"semicolon": ";", "comma": ","}
DEFAULT_SEPARATOR = "semicolon"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_COLUMN_WIDTH = 50
CSV_BATCH = 500
WIDTH_SAMPLE = 200


def separator(name: str | None) -> str:
    """The CSV separator a request asks for by name (``?separator=comma``); ``;`` otherwise."""
    return SEPARATORS.get(name or DEFAULT_SEPARATOR, SEPARATORS[DEFAULT_SEPARATOR])


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock time in the office's zone, without a zone: spreadsheets have none."""
    return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value


def _csv_text(value, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def csv_chunks(header: list[str], rows, zone: ZoneInfo, delimiter: str = ";"):
    """The CSV's bytes: the byte-order mark and the header first, then ``CSV_BATCH`` rows a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([_csv_text(value, zone) for value in header])
    yield buffer.getvalue().encode("utf-8-sig")
    rows = iter(rows)
    while batch := list(itertools.islice(rows, CSV_BATCH)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_text(value, zone) for value in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value, zone: ZoneInfo):
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, _local(value, zone))
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # text even when it looks like a formula
    else:
        return value  # numbers, None and other text: openpyxl types them itself
    return cell


def _width(value) -> int:
    return 16 if isinstance(value, datetime) else len(str(value if value is not None else ""))


def write_xlsx(target, header: list[str], rows, title: str, zone: ZoneInfo) -> None:
    """One sheet into ``target`` (a path or a binary file): the header row bold, frozen and
    filterable, then the rows with their types."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = [max((_width(row[column]) for row in [header, *sample]), default=0) for column in range(len(header))]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    titles = []
    for value in header:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type, cell.font = "s", bold
        titles.append(cell)
    sheet.append(titles)
    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append([_xlsx_cell(sheet, value, zone) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    workbook.save(target)


def xlsx_chunks(header: list[str], rows, title: str, zone: ZoneInfo):
    """The XLSX's bytes as its rows are read (``xlsx_stream``): the column widths measured on the
    first ``WIDTH_SAMPLE`` rows, which then leave with the rest."""
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = [min(max((_width(row[column]) for row in [header, *sample]), default=0) + 2, MAX_COLUMN_WIDTH)
              for column in range(len(header))]
    yield from streamed_xlsx(header, itertools.chain(sample, rows), title[:31], widths,
                             lambda value: _local(value, zone))


def download(kind: str, header: list[str], rows, *, title: str, filename: str,
             separator_name: str | None = None) -> Response:
    """The table as an attachment, written as ``rows`` are read: ``kind`` is "csv" or "xlsx";
    ``filename`` has no extension. ``rows`` may be a generator that runs after the request (see
    ``portal.database.streamed``): it must not need the request or its session."""
    zone = office_zone()
    if kind == "csv":
        body, content_type = csv_chunks(header, rows, zone, separator(separator_name)), CSV_MIMETYPE
    else:
        body, content_type = xlsx_chunks(header, rows, title, zone), XLSX_MIMETYPE
    # content_type, not mimetype: Flask would add a second charset to a text/* mimetype.
    return Response(body, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{kind}"'})
