"""Report tables as an XLSX workbook (openpyxl): one sheet per table, or all stacked on one.

Numbers stay numbers that add up: counts are integers, euros are written from their `Decimal`
exactly (never through a float) with a two-decimal format, percentages are ratios with a
percent format. Every text cell goes through `safe_cell` (a quote before « = », « + », « - »,
« @ »…) and is stored as text, so that no cell of a file sent to the Région runs as a formula;
a masked count is the text « < 11 », never a number. The document properties name Repères, never
the person who asked for the file.
"""

import io
import re
from collections.abc import Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reperes.exports.csv import safe_cell
from reperes.exports.tables import Cell, Column, Kind, ReportTable, display, is_suppressed, plain

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {Kind.INTEGER: "#,##0", Kind.MONEY: '#,##0.00\\ "€"', Kind.QUANTITY: "#,##0.00", Kind.PERCENT: "0.0%"}
TITLE_FONT = Font(bold=True, size=13)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")  # black on light grey: 15:1
RULE = Side(style="thin", color="000000")
NOTE_FONT = Font(italic=True)
MAX_WIDTH = 60
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _text(value: str) -> str:
    # openpyxl refuses the control characters XML cannot hold; a pasted label may carry one.
    return str(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))


def _write_text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row=row, column=column, value=_text(value))
    cell.data_type = "s"  # text, whatever it starts with


def _write_cell(sheet: Worksheet, row: int, index: int, column: Column, value: Cell) -> None:
    raw = plain(value)
    if raw is None:
        return
    if is_suppressed(value) or isinstance(raw, str):
        _write_text(sheet, row, index, str(raw))
        if column.is_numeric:
            sheet.cell(row=row, column=index).alignment = Alignment(horizontal="right")
        return
    number: int | Decimal | float = raw
    if column.kind in (Kind.MONEY, Kind.QUANTITY) and isinstance(raw, int):
        number = Decimal(raw)
    cell = sheet.cell(row=row, column=index, value=number)
    cell.number_format = NUMBER_FORMATS[column.kind]


def _write_table(sheet: Worksheet, table: ReportTable, top: int) -> int:
    """Writes the table from row `top` (its title, then its header); returns the next free row."""
    _write_text(sheet, top, 1, table.title)
    sheet.cell(row=top, column=1).font = TITLE_FONT
    header_row = top + 1
    for index, column in enumerate(table.columns, start=1):
        _write_text(sheet, header_row, index, column.header)
        cell = sheet.cell(row=header_row, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.border = Border(bottom=RULE)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right" if column.is_numeric else "left")
    row = header_row + 1
    for line in table.rows:
        for index, (column, value) in enumerate(zip(table.columns, line, strict=True), start=1):
            _write_cell(sheet, row, index, column, value)
        row += 1
    if table.total is not None:
        for index, (column, value) in enumerate(zip(table.columns, table.total, strict=True), start=1):
            _write_cell(sheet, row, index, column, value)
            cell = sheet.cell(row=row, column=index)
            cell.font, cell.border = HEADER_FONT, Border(top=RULE)
        row += 1
    if table.footnotes:
        row += 1
        for note in table.footnotes:
            _write_text(sheet, row, 1, note)
            sheet.cell(row=row, column=1).font = NOTE_FONT
            row += 1
    return row


def _widths(tables: Sequence[ReportTable]) -> dict[int, float]:
    """Each column as wide as its longest header word or value, within bounds."""
    widths: dict[int, float] = {}
    for table in tables:
        for index, column in enumerate(table.columns, start=1):
            texts = [*column.header.split(), *(display(line[index - 1], column.kind) for line in table.rows)]
            if table.total is not None:
                texts.append(display(table.total[index - 1], column.kind))
            longest = max((len(text) for text in texts), default=8)
            widths[index] = max(widths.get(index, 8), min(longest + 2, MAX_WIDTH))
    return widths


def _sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: 31 characters at most, none of []:*?/\\, unique whatever the case."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title)).split()).strip("'") or "Tableau"
    name, n = base[:31], 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _fill_sheet(sheet: Worksheet, tables: Sequence[ReportTable]) -> None:
    top, first_header = 1, 0
    for table in tables:
        next_free = _write_table(sheet, table, top)
        first_header = first_header or top + 1
        top = next_free + 1
    for index, width in _widths(tables).items():
        sheet.column_dimensions[get_column_letter(index)].width = width
    # The first table's header stays in view while scrolling and on every printed page.
    sheet.freeze_panes = sheet.cell(row=first_header + 1, column=1)
    sheet.print_title_rows = f"{first_header}:{first_header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook(tables: Sequence[ReportTable], *, title: str, stacked: bool = False) -> Workbook:
    """A workbook of the tables: one sheet each, or all on one sheet named `title` (`stacked`)."""
    if not tables:
        raise ValueError("a workbook needs at least one table")
    book = Workbook()
    book.properties.creator = "Repères"
    book.properties.lastModifiedBy = "Repères"
    book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    first = book.active
    assert isinstance(first, Worksheet)
    taken: set[str] = set()
    groups = [(title, list(tables))] if stacked else [(table.title, [table]) for table in tables]
    for position, (name, group) in enumerate(groups):
        sheet = first if position == 0 else book.create_sheet()
        sheet.title = _sheet_title(name, taken)
        _fill_sheet(sheet, group)
    return book


def workbook_bytes(tables: Sequence[ReportTable], *, title: str, stacked: bool = False) -> bytes:
    stream = io.BytesIO()
    workbook(tables, title=title, stacked=stacked).save(stream)
    return stream.getvalue()


def xlsx_response(filename: str, tables: Sequence[ReportTable], *, title: str, stacked: bool = False) -> HttpResponse:
    response = HttpResponse(workbook_bytes(tables, title=title, stacked=stacked), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
