"""Open a CSV or XLSX list within limits checked before parsing: file size, line count and, for
XLSX (a zip), the unpacked size, so that a zip bomb is refused before it is opened."""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_COLUMNS = 100


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cells), blank lines left out


def detect_format(file_name: str, content: bytes) -> str:
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def check_limits(file_name: str, content: bytes) -> str:
    """The file's format, once its size and line count are known to be within the limits."""
    if not content:
        raise ValidationError(_("Le fichier est vide."))
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("Le fichier pèse %(size)s Mo : la limite est de %(max)s Mo. Découpez-le en plusieurs listes.")
            % {"size": f"{len(content) / 1024 / 1024:.1f}".replace(".", ","), "max": MAX_BYTES // 1024 // 1024}
        )
    file_format = detect_format(file_name, content)
    if file_format == "csv":
        lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    else:
        lines = _xlsx_declared_rows(content)
    if lines - 1 > MAX_ROWS:
        raise ValidationError(
            _("Le fichier compte %(rows)s lignes : la limite est de %(max)s lignes par import.")
            % {"rows": lines - 1, "max": MAX_ROWS}
        )
    return file_format


def _xlsx_declared_rows(content: bytes) -> int:
    """The rows of the sheet openpyxl will read, counted by streaming it and stopping past the
    limit, once the archive's unpacked size is known to be reasonable (a zip bomb is refused)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(_("Ce fichier n'est pas un classeur XLSX lisible.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(_("Ce classeur est trop volumineux une fois décompressé."))
    rows = 0
    for _row in _xlsx_rows(content):
        rows += 1
        if rows > MAX_ROWS + 1:
            break
    return rows


def read_table(file_format: str, content: bytes) -> Table:
    raw = _read_xlsx(content) if file_format == "xlsx" else _read_csv(content)
    rows = [(n, row) for n, row in enumerate(raw, start=1) if any(cell_text(cell) for cell in row)]
    if not rows:
        raise ValidationError(_("Le fichier ne contient aucune ligne."))
    header = rows[0][1]
    while header and not cell_text(header[-1]):
        header = header[:-1]
    if len(header) > MAX_COLUMNS:
        raise ValidationError(
            _("Le fichier a %(n)s colonnes : la limite est de %(max)s.") % {"n": len(header), "max": MAX_COLUMNS}
        )
    columns = [cell_text(cell)[:100] or _("colonne %(n)d") % {"n": n + 1} for n, cell in enumerate(header)]
    width = len(columns)
    data = [(n, list(row[:width]) + [""] * (width - len(row))) for n, row in rows[1:]]
    if not data:
        raise ValidationError(_("Le fichier ne contient qu'une ligne d'en-têtes, aucun jeune."))
    return Table(columns, data)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved as CSV on French Windows use cp1252.
        return content.decode("cp1252", errors="replace")


def _read_csv(content: bytes) -> list[list[Any]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(_("Ce fichier est en UTF-16 : enregistrez-le en CSV UTF-8."))
    text = _decode(content)
    if "\n" not in text:
        text = text.replace("\r", "\n")  # old Mac line endings
    first = text.lstrip("\n").split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise ValidationError(
            _("Ce fichier CSV est illisible (cellule trop longue ou guillemets non fermés).")
        ) from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            yield from workbook.worksheets[0].iter_rows(values_only=True)
        finally:
            workbook.close()
    except ValidationError:
        raise
    except Exception:  # openpyxl and zipfile raise many kinds for a damaged or crafted file
        raise ValidationError(_("Ce fichier n'est pas un classeur XLSX lisible.")) from None


def _read_xlsx(content: bytes) -> list[list[Any]]:
    # Blank lines are kept here so that line numbers match what the person sees in the sheet.
    return [[cell if cell is not None else "" for cell in row] for row in _xlsx_rows(content)]


def cell_text(cell: Any) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
