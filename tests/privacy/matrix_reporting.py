"""The permission matrix's lines for reperes.reporting (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rules' docstrings (reperes/privacy/rules/reporting.py).
RELATIONS: none of its own. The bilans name the campaigns and projects of tests/privacy/matrix_programme.py:
  campaign_id -> own (the world's funder's campaign, where Mission locale A carries a project),
  other (another funder's); project_id -> own (A's project there), other (B's project in the other
  funder's campaign).
populate(world): nothing more (the bilans read the programme's objects).
"""

from typing import Any

from tests.privacy.test_permission_matrix import ADMIN, COORDINATOR, FUNDER, NOBODY, Rule, form, get, post

READERS = frozenset({COORDINATOR, FUNDER, ADMIN})
RELATIONS: dict[frozenset[str], tuple[str, ...]] = {}

EXPECTED: dict[str, Rule] = {
    # can_read_bilans: the funder's officers, coordinators and administrators.
    "reporting:index": get(none=READERS),
    # bilan_campaigns_visible_to: administrators every campaign, a funder's officer their own, a
    # coordinator those in which their Mission locale carries a project. Files alike (GET: XLSX or
    # CSV in the request; POST: the PDF started in the background).
    "reporting:campaign": get(own=READERS, other={ADMIN}),
    "reporting:campaign_export": get(own=READERS, other={ADMIN}),
    "reporting:campaign_pdf": post(lambda world: {}, own=READERS, other={ADMIN}),
    # bilan_projects_visible_to: administrators every project, the funder's officer those of its
    # campaigns, a coordinator those their Mission locale carries.
    "reporting:project": get(own=READERS, other={ADMIN}),
    "reporting:project_export": get(own=READERS, other={ADMIN}),
    "reporting:project_pdf": post(lambda world: {}, own=READERS, other={ADMIN}),
    # can_write_assessment: the carrier's coordinator only (an empty body is refused by the form).
    "reporting:assessment": get(own={COORDINATOR}, other=NOBODY, action=form(own={COORDINATOR}, other=NOBODY)),
    # bilan_funders_visible_to: a funder's officer their own, administrators every funder.
    "reporting:funder": get(none={FUNDER, ADMIN}),
    "reporting:funder_export": get(none={FUNDER, ADMIN}),
    "reporting:funder_pdf": post(lambda world: {}, none={FUNDER, ADMIN}),
}


def populate(world: Any) -> dict[str, dict[str, int]]:
    return {}
