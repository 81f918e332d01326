"""Open a CSV or XLSX list within limits checked before parsing: file size, line count and, for
XLSX (a zip), the unpacked size, so that a zip bomb is refused before it is opened."""

import csv
import io
import re
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
    rows = _csv_rows_within_limit(content) if file_format == "csv" else _xlsx_declared_rows(content)
    if rows - 1 > MAX_ROWS:
        raise ValidationError(
            _("Le fichier compte plus de %(max)s lignes, la limite d'un import : découpez-le en plusieurs listes.")
            % {"max": MAX_ROWS}
        )
    return file_format


def _csv_rows_within_limit(content: bytes) -> int:
    """The rows the CSV reader will produce (blank ones left out, as read_table does), counted
    while streaming and stopping past the limit: whatever the line endings (CR LF, LF or a lone
    CR, which a count of LF bytes missed), a row the reader would read is a row counted."""
    rows = 0
    for row in _csv_rows(content):
        if any(cell.strip() for cell in row):
            rows += 1
            if rows > MAX_ROWS + 1:
                break
    return rows


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
    encoding = _utf16(content)
    if encoding:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            raise ValidationError(_("Ce fichier en UTF-16 est illisible : enregistrez-le en CSV UTF-8.")) from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved as CSV on French Windows use cp1252.
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ValidationError(
            _("Ce fichier contient des caractères nuls : ce n'est pas un CSV lisible. Enregistrez-le en CSV UTF-8.")
        )
    return text


def _utf16(content: bytes) -> str | None:
    """UTF-16 with its byte order mark, or without one (« Texte Unicode » of some spreadsheets):
    then the text's ASCII characters leave a NUL byte at every other position, odd ones for
    little-endian, even ones for big-endian. Read as UTF-8, such a file gives columns of NULs."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = content[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


class _Lines:
    """The text's lines for the CSV reader, noting when the reader asked past the last one."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))  # splits on CR LF, LF and a lone CR
        self.exhausted = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            self.exhausted = True
            raise


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """The file's rows as the CSV reader reads them. Read strictly first, so that a quote opened
    and never closed, which the lenient reader would take as one cell running to the end of the
    file, is reported with its line; a file sloppy in other ways (text after a closing quote) is
    then read leniently, as spreadsheets do."""
    text = _decode(content)
    first = re.split(r"\r\n|\r|\n", text.lstrip("\r\n"), maxsplit=1)[0]
    delimiter = max([";", ",", "\t"], key=first.count)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    read = 0
    try:
        for row in reader:
            read += 1
            yield row
        return
    except csv.Error:
        if lines.exhausted:
            raise ValidationError(
                _(
                    "Ligne %(line)s : un guillemet (\") ouvre une cellule qui n'est jamais fermée, le reste du "
                    "fichier y serait lu. Fermez ou retirez ce guillemet."
                )
                % {"line": read + 1}
            ) from None
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if n > read:
                yield row
    except csv.Error:
        raise ValidationError(_("Ce fichier CSV est illisible (cellule trop longue ?).")) from None


def _read_csv(content: bytes) -> list[list[Any]]:
    return [list(row) for row in _csv_rows(content)]


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
