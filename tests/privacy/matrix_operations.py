"""The permission matrix's lines for reperes.operations (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rules' docstrings (reperes/privacy/rules/operations.py).
RELATIONS: none (no URL names an object).
populate(world): nothing.
"""

from typing import Any

from tests.privacy.test_permission_matrix import ADMIN, EVERYONE, Rule, get, post

RELATIONS: dict[frozenset[str], tuple[str, ...]] = {}

EXPECTED: dict[str, Rule] = {
    # The proxy's health check: public, answers without a session.
    "health": get(none=EVERYONE),
    # can_view_scheduled_jobs: platform administrators only.
    "operations:jobs": get(none={ADMIN}),
    # can_launch_scheduled_job: an administrator, while no run of the job is waiting.
    "operations:launch": post(lambda world: {"job": "orientations"}, none={ADMIN}),
    # can_view_retention_runs: platform administrators only.
    "operations:retention": get(none={ADMIN}),
    # can_simulate_retention: an administrator, while no pass is waiting.
    "operations:retention_dry_run": post(lambda world: {}, none={ADMIN}),
}


def populate(world: Any) -> dict[str, Any]:
    return {}
