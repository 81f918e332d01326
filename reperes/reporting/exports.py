"""The bilan's files: XLSX, CSV and PDF (reperes.exports, ADR 010). Always the protected bilan,
whoever asks, the carrier's coordinator included: a file is made to be sent on, to the funder or
anyone else, and must hold no count a reader could trace back to a person.

Each export asks the policy again when it runs (the worker runs it as the user who asked, who may
have lost the right meanwhile): a scope out of reach raises LookupError and the job fails."""

import csv as csv_module
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from reperes.exports import csv, pdf, xlsx
from reperes.exports.jobs import ExportFile, Progress, export
from reperes.exports.tables import ReportTable
from reperes.network.models import User
from reperes.privacy import policy
from reperes.reporting import selectors
from reperes.reporting.bilan import Bilan, campaign_bilan, funder_bilan, project_bilan

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def protected_bilan(parameters: dict[str, Any], *, user: User) -> Bilan:
    """The protected bilan that `parameters` name (scope: campaign, project or funder, and its id),
    if the user may read it."""
    scope, pk = parameters.get("scope"), int(parameters.get("id") or 0)
    if scope == "campaign":
        campaign = policy.bilan_campaigns_visible_to(user).filter(pk=pk).select_related("funder").first()
        if campaign is not None:
            return campaign_bilan(campaign)
    elif scope == "project":
        project = policy.bilan_projects_visible_to(user).filter(pk=pk).select_related("campaign", "carrier").first()
        if project is not None:
            return project_bilan(project)
    elif scope == "funder":
        funder = policy.bilan_funders_visible_to(user).filter(pk=pk).first()
        if funder is not None:
            return funder_bilan(funder, list(policy.bilan_campaigns_visible_to(user).filter(funder=funder)))
    raise LookupError("no such bilan for this user")


def file_name(bilan: Bilan, extension: str) -> str:
    day = bilan.reference_date or timezone.localdate()
    return f"{slugify(bilan.title)[:80]}-{day:%Y-%m-%d}.{extension}"


def csv_bytes(tables: list[ReportTable]) -> bytes:
    """Every table of the bilan in one CSV, one line per cell (« tableau ; ligne ; colonne ;
    valeur »): the same number of fields on every line (RFC 4180), easy to filter and to load
    elsewhere. The secret cells read « secret », the footnotes are lines of their own."""
    stream = io.StringIO(newline="")
    stream.write(csv.BOM)
    writer = csv_module.writer(stream, delimiter=csv.DELIMITER, lineterminator="\r\n")
    writer.writerow(["tableau", "ligne", "colonne", "valeur"])
    for table in tables:
        lines = [*table.rows, *([table.total] if table.total is not None else [])]
        for line in lines:
            label = str(line[0]) if line and not table.columns[0].is_numeric else ""
            for column, cell in list(zip(table.columns, line, strict=True))[1:]:
                writer.writerow(
                    [
                        csv.safe_cell(table.title),
                        csv.safe_cell(label),
                        csv.safe_cell(column.header),
                        csv.csv_value(cell, column),
                    ]
                )
        for note in table.footnotes:
            writer.writerow([csv.safe_cell(table.title), "", "note", csv.safe_cell(note)])
    return stream.getvalue().encode()


@export(title=_("Bilan (tableur XLSX)"))
def bilan_xlsx(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
    bilan = protected_bilan(parameters, user=user)
    progress(60)
    content = xlsx.workbook_bytes(_with_notes(bilan), title=bilan.title)
    return ExportFile(file_name(bilan, "xlsx"), xlsx.CONTENT_TYPE, content)


@export(title=_("Bilan (CSV)"))
def bilan_csv(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
    bilan = protected_bilan(parameters, user=user)
    progress(60)
    return ExportFile(file_name(bilan, "csv"), CSV_CONTENT_TYPE, csv_bytes(_with_notes(bilan)))


@export(title=_("Bilan (PDF)"))
def bilan_pdf(parameters: dict[str, Any], *, user: User, progress: Progress) -> ExportFile:
    bilan = protected_bilan(parameters, user=user)
    progress(30)
    context = pdf_context(bilan, user=user)
    progress(50)
    html = render_to_string("reporting/bilan_pdf.html", context)
    progress(60)
    return ExportFile(file_name(bilan, "pdf"), pdf.CONTENT_TYPE, pdf.html_to_pdf(html))


def pdf_context(bilan: Bilan, *, user: User) -> dict[str, Any]:
    return {
        "bilan": bilan,
        "title": bilan.title,
        "subtitle": bilan.subtitle,
        "organisation": bilan.project.carrier.name
        if bilan.project
        else (bilan.campaigns[0].funder.name if bilan.campaigns else ""),
        "period": _period(bilan),
        "made_on": timezone.localdate(),
        "assessments": selectors.assessments_shown(bilan.project, bilan.campaign, user=user),
    }


def _period(bilan: Bilan) -> str:
    if bilan.campaign is None:
        return ""
    return f"{bilan.campaign.starts_on:%d/%m/%Y} – {bilan.campaign.ends_on:%d/%m/%Y}"


def _with_notes(bilan: Bilan) -> list[ReportTable]:
    """The tables, the secret's footnote on each one that holds a secret cell."""
    found = []
    for table in bilan.tables:
        if table.has_suppressed and bilan.note and bilan.note not in table.footnotes:
            table = ReportTable(table.title, table.columns, table.rows, table.total, [*table.footnotes, bilan.note])
        found.append(table)
    return found
