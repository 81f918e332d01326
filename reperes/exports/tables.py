"""A report table that every writer understands: the CSV, the XLSX workbook, the PDF and the page.

A table has a title, typed columns, rows of cells, an optional total row and footnotes. A cell is
a plain value of its column's kind (`int` for counts, `Decimal` for euros, a ratio for a
percentage, `str` for text), `None` for an empty cell, or a *masked cell*: any object with
`display`, `suppressed` and `value` (the statistical disclosure control of the programme builds
them; this module only reads them). A suppressed cell is always written as its display text
(« < 11 »), never as a number, so that no format or chart can reveal it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

THIN_SPACE = "\u202f"  # French thousands separator and space before « % » (espace fine insécable)
NO_BREAK_SPACE = "\u00a0"
SUPPRESSED_DISPLAY = "< 11"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # euros, Decimal, two decimals
    QUANTITY = "quantity"  # a Decimal quantity such as hours, two decimals, no unit
    PERCENT = "percent"  # a ratio: Decimal("0.253") is 25,3 %


@runtime_checkable
class MaskedCell(Protocol):
    """A cell that statistical disclosure control may have masked. When `suppressed`, `display`
    is what every format shows (« < 11 ») and `value` is not read."""

    @property
    def display(self) -> str: ...

    @property
    def suppressed(self) -> bool: ...

    @property
    def value(self) -> int | Decimal | None: ...


@dataclass(frozen=True)
class Suppressed:
    """A masked cell of our own: the writers' tests and callers without the programme's module."""

    display: str = SUPPRESSED_DISPLAY
    suppressed: bool = True
    value: None = None


Number = int | Decimal | float
Cell = str | Number | MaskedCell | None


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT

    @property
    def is_numeric(self) -> bool:
        return self.kind != Kind.TEXT


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    total: Sequence[Cell] | None = None
    footnotes: Sequence[str] = field(default=())

    def __post_init__(self) -> None:
        width = len(self.columns)
        for line in [*self.rows, *([self.total] if self.total is not None else [])]:
            if len(line) != width:
                raise ValueError(f"« {self.title} »: a row has {len(line)} cells for {width} columns")
            for column, cell in zip(self.columns, line, strict=True):
                check_cell(column, cell)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def is_wide(self) -> bool:
        """Too many columns to sit beside its chart on a page (it gets the full width below)."""
        return len(self.columns) > 6

    @property
    def has_suppressed(self) -> bool:
        lines = [*self.rows, *([self.total] if self.total is not None else [])]
        return any(is_suppressed(cell) for line in lines for cell in line)

    def displayed_rows(self) -> list[list["Shown"]]:
        """The rows as the page and the PDF show them (French formats, masked cells as text)."""
        return [self._shown(row) for row in self.rows]

    def displayed_total(self) -> list["Shown"] | None:
        return None if self.total is None else self._shown(self.total)

    def _shown(self, line: Sequence[Cell]) -> list["Shown"]:
        return [
            Shown(display(cell, column.kind), column.is_numeric, is_suppressed(cell))
            for column, cell in zip(self.columns, line, strict=True)
        ]


@dataclass(frozen=True)
class Shown:
    text: str
    numeric: bool
    suppressed: bool


def is_suppressed(cell: Cell) -> bool:
    return isinstance(cell, MaskedCell) and cell.suppressed


def plain(cell: Cell) -> str | Number | None:
    """The cell without its mask: the number of an unmasked cell; a masked one is its text."""
    if isinstance(cell, MaskedCell):
        return cell.display if cell.suppressed else cell.value
    return cell


def check_cell(column: Column, cell: Cell) -> None:
    value = plain(cell)
    if value is None or is_suppressed(cell):
        return
    kind = column.kind
    if kind == Kind.TEXT:
        ok = isinstance(value, str)
    elif kind == Kind.INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in (Kind.MONEY, Kind.QUANTITY):  # never a float: an amount claimed must add up to the cent
        ok = isinstance(value, Decimal | int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, Decimal | int | float) and not isinstance(value, bool)
    if not ok:
        raise TypeError(f"column « {column.header} » ({kind}) cannot hold {type(value).__name__} {value!r}")


def _grouped(digits: str) -> str:
    head, rest = digits[: len(digits) % 3 or 3], digits[len(digits) % 3 or 3 :]
    return THIN_SPACE.join([head, *(rest[i : i + 3] for i in range(0, len(rest), 3))])


def format_decimal(value: Number, places: int) -> str:
    """French digits: « 1 234,50 » (thin no-break spaces, decimal comma), rounded half up."""
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    return sign + _grouped(whole) + ("," + fraction if fraction else "")


def display(cell: Cell, kind: Kind) -> str:
    """How a cell reads in French on a page, in a PDF or under a chart's bar."""
    value = plain(cell)
    if value is None:
        return ""
    if is_suppressed(cell) or isinstance(value, str):
        return str(value)
    if kind == Kind.INTEGER:
        return format_decimal(value, 0)
    if kind == Kind.MONEY:
        return format_decimal(value, 2) + NO_BREAK_SPACE + "€"
    if kind == Kind.QUANTITY:
        return format_decimal(value, 2)
    if kind == Kind.PERCENT:
        return format_decimal(Decimal(str(value)) * 100, 1) + THIN_SPACE + "%"
    return str(value)
