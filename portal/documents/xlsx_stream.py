"""An XLSX written as its rows are read: the first bytes leave with the first rows.

openpyxl, even in write-only mode, assembles the zip only when the workbook is saved, after the
last row: an export of 50,000 rows sent nothing for seconds. Here the zip is written to an
unseekable sink (``zipfile`` then ends each member with a data descriptor instead of going back to
its header), the sheet's XML is compressed into it row by row, and what the sink holds is sent
whenever it passes a block. The workbook is the minimal one Excel, LibreOffice and openpyxl open:
one sheet, text as inline strings (typed text, so "=HYPERLINK(...)" or "0812..." stays as
written), numbers, dates and times with their formats, the bold header frozen and filterable.
"""

import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - spreadsheets count days from it, zone-less
BLOCK = 64 * 1024
# Characters XML 1.0 cannot hold (openpyxl refuses them too): dropped.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Styles (cellXfs): 0 plain, 1 bold, 2 date and time, 3 date.
BOLD, DATETIME, DATE = 1, 2, 3

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>")
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _workbook(title: str, columns: int, rows: int) -> str:
    area = f"'{title.replace(chr(39), chr(39) * 2)}'!$A$1:${get_column_letter(columns)}${rows}"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets><sheet name={quoteattr(title)} sheetId=\"1\" r:id=\"rId1\"/></sheets>"
            f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{escape(area)}'
            "</definedName></definedNames></workbook>")


class _Sink:
    """Where the zip is written: no ``seek`` or ``tell``, so ``zipfile`` writes straight through."""

    def __init__(self):
        self.parts, self.size = [], 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts, self.size = b"".join(self.parts), [], 0
        return data


def _text(value: str) -> str:
    return escape(ILLEGAL.sub("", value))


def _cell(reference: str, value, local) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        serial = (local(value) - EPOCH).total_seconds() / 86400
        return f'<c r="{reference}" s="{DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{reference}" s="{DATE}"><v>{(value - EPOCH.date()).days}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def streamed_xlsx(header: list[str], rows, title: str, widths: list[int], local):
    """The workbook's bytes in blocks: ``header`` bold, frozen and filterable, then ``rows``
    (plain values; ``local`` turns a datetime into the office's wall-clock time), the columns
    ``widths`` characters wide."""
    sink = _Sink()
    letters = [get_column_letter(n) for n in range(1, len(header) + 1)]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        count = 1
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            columns = "".join(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                              for n, width in enumerate(widths, start=1))
            titles = "".join(f'<c r="{letter}1" s="{BOLD}" t="inlineStr"><is><t>{_text(str(value))}</t></is></c>'
                             for letter, value in zip(letters, header, strict=True))
            sheet.write((
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
                ' state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
                f'<cols>{columns}</cols><sheetData><row r="1">{titles}</row>').encode())
            batch = []
            for row in rows:
                count += 1
                cells = "".join(_cell(f"{letter}{count}", value, local) for letter, value in zip(letters, row,
                                                                                                 strict=False))
                batch.append(f'<row r="{count}">{cells}</row>')
                if len(batch) == 200:
                    sheet.write("".join(batch).encode())
                    batch = []
                    if sink.size >= BLOCK:
                        yield sink.take()
            sheet.write(("".join(batch) + f'</sheetData><autoFilter ref="A1:{letters[-1]}{count}"/>'
                         "</worksheet>").encode())
        package.writestr("xl/workbook.xml", _workbook(title, len(header), count))
    yield sink.take()
