"""A tiny export for the tests (the real ones — the bilan, the financial reports — live in their
apps): a table of figures as XLSX or CSV, made in a few steps that report their progress. The
worker imports this module back from the job's `kind`, so it must stay importable as
`tests.exports.example`."""

import time
from decimal import Decimal
from typing import Any

from reperes.exports import csv, xlsx
from reperes.exports.jobs import ExportFile, Progress, export
from reperes.exports.tables import Column, Kind, ReportTable, Suppressed
from reperes.network.models import User


def figures_table() -> ReportTable:
    return ReportTable(
        title="Jeunes accompagnés par commune",
        columns=[
            Column("Commune"),
            Column("Jeunes", Kind.INTEGER),
            Column("Heures financées", Kind.MONEY),
            Column("Part", Kind.PERCENT),
        ],
        rows=[
            ["Saverne", 1234, Decimal("10234.50"), Decimal("0.6")],
            ['=HYPERLINK("http://example.org","Cliquez")', Suppressed(), Decimal("0.10"), Suppressed()],
            ["Colmar; « centre »", 822, Decimal("1999.99"), Decimal("0.4")],
        ],
        total=["Total", 2056, Decimal("12234.59"), Decimal("1")],
        footnotes=["< 11 : effectif inférieur à 11, masqué."],
    )


@export(title="Exemple de tableau")
def figures(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
    steps, pause = int(parameters.get("steps", 2)), float(parameters.get("pause", 0))
    for step in range(steps):
        time.sleep(pause)
        progress(100 * (step + 1) // steps)
    table = figures_table()
    if parameters.get("format") == "csv":
        return ExportFile("exemple.csv", "text/csv; charset=utf-8", csv.table_csv(table))
    return ExportFile("exemple.xlsx", xlsx.CONTENT_TYPE, xlsx.workbook_bytes([table], title="Exemple"))


@export(title="Exemple qui échoue")
def broken(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
    progress(30)
    raise RuntimeError("a bug in the export")


def not_registered(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
    raise AssertionError("never run: not an export")
