"""CSV that French spreadsheets open as they are, and that never runs a formula.

The format is RFC 4180 (CRLF line ends; a field holding the separator, a quote or a line break is
quoted, its quotes doubled) with two departures chosen for the people who open these files in
Excel or LibreOffice set to French: the separator is the semicolon, since the comma is the decimal
separator there, and the file starts with a UTF-8 byte order mark, without which Excel reads it as
Windows-1252. Numbers are written bare with a decimal comma (« 1234,50 »), so that the spreadsheet
reads them as numbers; a masked count is its text « < 11 ». Every text cell that a spreadsheet
would run as a formula is prefixed with a quote (`safe_cell`, OWASP « CSV injection »).
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from reperes.exports.tables import Cell, Column, Kind, ReportTable, format_decimal, is_suppressed, plain

BOM = "\ufeff"
DELIMITER = ";"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula is prefixed with a quote (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _writer(stream: io.StringIO | HttpResponse) -> Any:
    # lineterminator "\r\n" and QUOTE_MINIMAL are RFC 4180's; they are the csv module's defaults,
    # named here so that nobody "simplifies" them away.
    return csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def csv_response(filename: str, header: list[str], rows: Iterable[list[object]]) -> HttpResponse:
    """A download of plain rows (the coverage export, an import's lines to correct)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response.write(BOM)
    writer = _writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return response


def csv_value(cell: Cell, column: Column) -> object:
    """One cell as the CSV writes it: a bare French number, a masked cell's text, or safe text."""
    value = plain(cell)
    if value is None:
        return ""
    if is_suppressed(cell) or isinstance(value, str):
        return safe_cell(str(value))
    if column.kind == Kind.INTEGER:
        return str(value)
    if column.kind in (Kind.MONEY, Kind.QUANTITY):
        return format_decimal(value, 2).replace("\u202f", "")
    return format_decimal(Decimal(str(value)) * 100, 1).replace("\u202f", "") + " %"


def table_rows(table: ReportTable) -> list[list[object]]:
    """The header, the rows, the total row, then each footnote alone in its first field (the
    notes say what « < 11 » means): every record has as many fields as the header (RFC 4180)."""
    width = len(table.columns)
    lines: list[list[object]] = [[safe_cell(header) for header in table.headers]]
    lines.extend(
        [csv_value(cell, column) for column, cell in zip(table.columns, row, strict=True)]
        for row in [*table.rows, *([table.total] if table.total is not None else [])]
    )
    lines.extend([safe_cell(note), *[""] * (width - 1)] for note in table.footnotes)
    return lines


def table_csv(table: ReportTable) -> bytes:
    """The table as a CSV file (UTF-8 with its BOM), for a background export."""
    stream = io.StringIO(newline="")
    stream.write(BOM)
    _writer(stream).writerows(table_rows(table))
    return stream.getvalue().encode()


def table_csv_response(filename: str, table: ReportTable) -> HttpResponse:
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
