"""CSV exports that spreadsheets open safely: UTF-8 with a BOM, and formulas neutralised.

Kept for its callers; the helpers now live in `reperes.exports.csv`, beside the XLSX and PDF
writers that share `safe_cell`."""

from reperes.exports.csv import csv_response, safe_cell

__all__ = ["csv_response", "safe_cell"]
