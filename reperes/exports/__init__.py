"""The export and chart layer of reports and bilans (issue 13): neutral report tables written as
CSV, XLSX and PDF, charts drawn on the server as accessible SVG, and long exports run by the
background worker (ADR 010)."""
