"""The access log's lines for reperes.reporting (merged into READS by test_access_log).

No bilan names a young person: counts (protected for all but the carrier's coordinator on its own
project's page), actions, money and the coordinators' words on their partnership. Their files are
reports of the same figures. The pages read the programme's campaign and project of
tests/privacy/access_programme.py, in which the world's youths of Mission locale A count.
"""

from typing import Any

from tests.privacy.test_access_log import NoYouth, Read
from tests.privacy.test_permission_matrix import Route

READS: dict[str, NoYouth | tuple[Read, ...]] = {
    "reporting:index": NoYouth("the campaigns and projects whose bilan the user reads"),
    "reporting:campaign": NoYouth("a campaign's bilan: counts, protected"),
    "reporting:campaign_export": NoYouth("the campaign's bilan as XLSX or CSV, protected"),
    "reporting:campaign_pdf": NoYouth("starts the PDF bilan and redirects", method="POST"),
    "reporting:project": NoYouth("a project's bilan: counts, exact for the carrier's coordinator"),
    "reporting:project_export": NoYouth("the project's bilan as XLSX or CSV, protected"),
    "reporting:project_pdf": NoYouth("starts the PDF bilan and redirects", method="POST"),
    "reporting:assessment": NoYouth("the form of the partnership's strengths and difficulties"),
    "reporting:funder": NoYouth("the bilan across a funder's campaigns"),
    "reporting:funder_export": NoYouth("the bilan across campaigns as XLSX or CSV"),
    "reporting:funder_pdf": NoYouth("starts the PDF bilan and redirects", method="POST"),
}


def populate(world: Any) -> dict[str, Any]:
    return {}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    return None  # campaign_id and project_id: tests/privacy/access_programme.py
