"""Reading the office's CSV and XLSX lists into plain rows, refusing what is not one."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePath

import openpyxl
from flask_babel import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # for members over 1 MB; real workbooks stay far below it
MAX_ZIP_MEMBERS = 1000
MAX_COLUMNS = 64
HEADER_SCAN_ROWS = 15


def header_key(value) -> str:
    """A header, or a coded value such as a type or status, as it is compared: lower case, words only."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(value or "").casefold()).split())


def _names(attr: str, *headers: str) -> dict[str, str]:
    return {header_key(header): attr for header in headers}


HEADERS = {
    **_names("name", "Nama Koperasi", "Nama"),
    **_names("legal_number", "No. Badan Hukum", "Nomor Badan Hukum", "No. BH", "Nomor BH"),
    **_names("legal_date", "Tgl Badan Hukum", "Tanggal Badan Hukum", "Tgl BH", "Tanggal BH"),
    **_names("nik", "NIK Koperasi", "NIK", "Nomor Induk Koperasi"),
    **_names("type", "Jenis Koperasi", "Jenis"),
    **_names("district", "Kecamatan"),
    **_names("village", "Desa/Kelurahan", "Desa", "Kelurahan"),
    **_names("address", "Alamat"),
    **_names("member_count", "Jumlah Anggota"),
    **_names("last_rat_year", "RAT Terakhir", "Tahun RAT Terakhir", "Tahun RAT"),
    **_names("email", "Email", "E-mail", "Alamat Email"),
    **_names("phone", "No. HP", "Nomor HP", "HP", "Telepon", "No. Telepon", "Nomor Telepon", "No. Telp", "Telp"),
    **_names("status", "Status"),
    **_names("chair", "Ketua"),
    **_names("secretary", "Sekretaris"),
    **_names("treasurer", "Bendahara"),
    **_names("supervisors", "Pengawas"),
}
# How a column is named in messages when the file has no column for it.
LABELS = {"name": "Nama Koperasi", "legal_number": "No. Badan Hukum", "district": "Kecamatan",
          "type": "Jenis Koperasi", "status": "Status"}
REQUIRED = ("name", "legal_number", "district")


class ImportFileError(Exception):
    """The file cannot be read at all; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message



def _not_a_list() -> ImportFileError:
    return ImportFileError(_("The file is not a CSV or XLSX file. Save the list from your spreadsheet as "
                             ".xlsx or .csv and try again."))


@dataclass(frozen=True)
class Layout:
    """What a list's header row may say: the header of each field (by ``header_key``), how a
    missing column is named, and the columns a row needs. The registry's is ``REGISTRY``; another
    list the office keeps (past RATs, in revival) brings its own and reads through the same code."""

    headers: dict
    labels: dict
    required: tuple


REGISTRY = Layout(HEADERS, LABELS, REQUIRED)


def read_table(filename: str, data: bytes, layout: Layout = REGISTRY):
    """The data rows as (line, cells), the column of each field, and the headers as written."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(limit)s MB.", limit=MAX_FILE_BYTES // (1024 * 1024)))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _not_a_list()
    if data.startswith(b"PK\x03\x04"):
        return _read_workbook(data, layout)
    if suffix == ".xlsx" or b"\x00" in data:
        raise _not_a_list()
    return _read_csv(_decode(data), layout)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_lines(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(_("The CSV file could not be read near line %(line)s.", line=line)) from error


def _read_csv(text: str, layout: Layout):
    """Comma, semicolon or tab: whichever makes a header row of the first lines."""
    candidates = [(_find_header(islice(_csv_lines(text, delimiter), HEADER_SCAN_ROWS), layout), delimiter)
                  for delimiter in (",", ";", "\t")]
    (position, columns, labels), delimiter = max(candidates, key=lambda candidate: _rank(candidate[0][1], layout))
    _require_headers(columns, layout)
    return islice(_csv_lines(text, delimiter), position + 1, None), columns, labels


def _read_workbook(data: bytes, layout: Layout):
    """The first sheet with a header row (title rows above it are fine); values, not formulas."""
    _refuse_zip_bomb(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            candidates = [(_find_header(enumerate(sheet.iter_rows(max_row=HEADER_SCAN_ROWS, max_col=MAX_COLUMNS,
                                                                   values_only=True), start=1), layout), sheet)
                          for sheet in workbook.worksheets]
            (position, columns, labels), sheet = max(candidates,
                                                     key=lambda candidate: _rank(candidate[0][1], layout))
            _require_headers(columns, layout)
            rows = sheet.iter_rows(min_row=position + 2, max_col=MAX_COLUMNS, values_only=True)
            return list(enumerate(rows, start=position + 2)), columns, labels
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file; all mean the same here
        raise ImportFileError(_("The XLSX file could not be read; it may be damaged.")) from error


def _refuse_zip_bomb(data: bytes) -> None:
    """An XLSX is a zip: refuse one that would unpack to far more than a list can hold. Reading
    a member stops at its declared size, so the declared sizes are the ones to check."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _not_a_list() from error
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise _not_a_list()
    too_dense = any(member.file_size > 1024 * 1024
                    and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1) for member in members)
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES or too_dense:
        raise ImportFileError(_("The file unpacks to far more data than a cooperative list holds, so it was "
                                "not opened."))


def _rank(columns: dict, layout: Layout = REGISTRY) -> tuple[bool, int]:
    return all(attr in columns for attr in layout.required), len(columns)


def _find_header(rows, layout: Layout = REGISTRY) -> tuple[int | None, dict, dict]:
    """(index, columns, labels) of the first row with the required headers, else of the row that
    looks most like a header; ``columns`` maps a field to its column, ``labels`` to its header."""
    best = (None, {}, {})
    for position, (_line, cells) in enumerate(rows):
        columns, labels = {}, {}
        for index, cell in enumerate(cells or ()):
            attr = layout.headers.get(header_key(cell))
            if attr and attr not in columns:
                columns[attr], labels[attr] = index, " ".join(str(cell).split())
        if _rank(columns, layout) > _rank(best[1], layout):
            best = (position, columns, labels)
        if _rank(best[1], layout)[0]:
            break
    return best


def _require_headers(columns: dict, layout: Layout = REGISTRY) -> None:
    missing = [layout.labels[attr] for attr in layout.required if attr not in columns]
    if not missing:
        return
    if len(columns) >= 2:
        raise ImportFileError(_("The header row lacks the required columns: %(columns)s.",
                                columns=", ".join(missing)))
    raise ImportFileError(_("No header row found in the first %(rows)s rows. The list needs at least the columns "
                            "%(columns)s.", rows=HEADER_SCAN_ROWS,
                            columns=", ".join(layout.labels[a] for a in layout.required)))

