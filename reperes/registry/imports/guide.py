"""What the upload page tells a new user about the file it expects: the columns the mapping
recognises (fields.TARGETS), and a sample list of three made-up youths living in the Mission
locale's own territory, so that the sample imports cleanly wherever it is downloaded."""

import io
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.utils import timezone

from reperes.csv_export import csv_response, safe_cell
from reperes.network.models import Organisation
from reperes.registry.imports.fields import TARGETS
from reperes.territory.models import Commune

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_NAME = "exemple-liste-jeunes"

# One header per field, as a list would write it; each is recognised by fields.guess_mapping.
SAMPLE_HEADERS = {
    "last_name": "Nom",
    "usage_name": "Nom d'usage",
    "first_names": "Prénom",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "commune": "Commune",
    "postcode": "Code postal",
    "ine": "INE",
    "phone": "Téléphone",
    "email": "E-mail",
    "left_school_on": "Date de sortie",
    "last_level": "Dernière classe",
}


@dataclass(frozen=True)
class Column:
    label: str
    required: bool
    headers: list[str]


def column_guide() -> list[Column]:
    """The fields in the mapping's order, with the headers that name them. Headers are shown
    folded (lower case, no accents), as they are compared; a spelling that differs from another
    only by a space (« e mail », « ne e le ») is left out of the list, not out of the mapping."""
    guide = []
    for target in TARGETS:
        shown: list[str] = []
        for header in target.headers:
            if header.replace(" ", "") not in {h.replace(" ", "") for h in shown}:
                shown.append(header)
        guide.append(Column(str(target.label), target.required, shown))
    return guide


# Made-up people: invented names, phone numbers of the range ARCEP keeps for fiction (06 39 98),
# addresses of a domain reserved for examples (RFC 2606), no INE.
# (last name, first name, sex, age, month of birth, phone, e-mail, last class)
_PEOPLE = [
    ("Exemple", "Camille", "F", 17, 3, "06 39 98 12 34", "camille.exemple@example.org", "3e"),
    ("Modèle", "Sacha", "M", 19, 7, "", "", "CAP"),
    ("Essai", "Alix", "F", 22, 11, "06 39 98 56 78", "alix.essai@example.org", "Terminale"),
]


def _communes(mission: Organisation | None) -> list[Commune]:
    communes: list[Commune] = []
    if mission is not None and mission.territory_id:
        communes = list(Commune.objects.filter(territories=mission.territory_id).order_by("-population", "code")[:3])
    if not communes:  # no territory: the sample still shows the format
        communes = list(Commune.objects.filter(code="67482"))
    return communes


def sample_rows(mission: Organisation | None, today: date | None = None) -> list[dict[str, object]]:
    """Three lines by field name, with dates as dates: the largest communes of the territory (one
    written as its INSEE code, as some extracts do), ages the programme follows (16–25)."""
    today = today or timezone.localdate()
    communes = _communes(mission)
    rows = []
    for n, (last_name, first_name, sex, age, month, phone, email, level) in enumerate(_PEOPLE):
        commune = communes[n % len(communes)] if communes else None
        by_code = n == 1
        rows.append(
            {
                "last_name": last_name,
                "usage_name": "",
                "first_names": first_name,
                "sex": sex,
                "birth_date": date(today.year - age, month, 14),
                "commune": (commune.code if by_code else commune.name) if commune else "",
                "postcode": commune.main_postcode if commune and not by_code else "",
                "ine": "",
                "phone": phone,
                "email": email,
                "left_school_on": date(today.year - 1, 7, 5),
                "last_level": level,
            }
        )
    return rows


def sample_response(file_format: str, mission: Organisation | None) -> HttpResponse:
    """The sample as a CSV (UTF-8 with a BOM, « ; ») or an XLSX workbook, as an attachment."""
    names = list(SAMPLE_HEADERS)
    header = [SAMPLE_HEADERS[name] for name in names]
    rows = sample_rows(mission)
    if file_format == "csv":
        return csv_response(
            f"{SAMPLE_NAME}.csv",
            header,
            [[_csv_cell(row[name]) for name in names] for row in rows],
        )
    return _xlsx_response(header, [[row[name] for name in names] for row in rows])


def _csv_cell(value: object) -> object:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else value


def _xlsx_response(header: list[str], rows: list[list[object]]) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Jeunes"
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(cell) if cell != "" else None for cell in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(len(str(c.value or "")) for c in column) + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{SAMPLE_NAME}.xlsx"'
    return response
