"""The permission matrix's lines for reperes.exports (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rule's docstring (reperes/privacy/rules/exports.py).
RELATIONS: job_id -> own (an export the coordinator of Mission locale A asked for, ready), other
  (one a coordinator of another Mission locale asked for).
populate(world): makes both files through the service, as the worker would; returns their pks.
"""

from typing import Any

from reperes.exports import services
from reperes.network.enums import Role
from tests.exports import example
from tests.network.factories import MembershipFactory
from tests.privacy.test_permission_matrix import COORDINATOR, MEMBERS, NOBODY, Rule, get

RELATIONS: dict[frozenset[str], tuple[str, ...]] = {frozenset({"job_id"}): ("own", "other")}

EXPECTED: dict[str, Rule] = {
    # export_jobs_visible_to: every member sees the list of their own exports (empty or not).
    "exports:job_list": get(none=MEMBERS),
    # export_jobs_visible_to: a job is read by the user who asked for it, nobody else — not their
    # colleagues, not an administrator.
    "exports:job_detail": get(own={COORDINATOR}, other=NOBODY),
    "exports:job_download": get(own={COORDINATOR}, other=NOBODY),
}


def _made(user: Any) -> int:
    job = services.start_export(example.figures, parameters={"format": "csv"}, acting_user=user)
    services.run_job(job.pk)  # the test's transaction never commits: run as the worker would
    return job.pk


def populate(world: Any) -> dict[str, dict[str, int]]:
    elsewhere = MembershipFactory(role=Role.COORDINATOR).user
    return {"job_id": {"own": _made(world.users[COORDINATOR]), "other": _made(elsewhere)}}
