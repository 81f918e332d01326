"""The access log's lines for reperes.operations (merged into READS by test_access_log): the
scheduled jobs name tasks, times and counts, never a young person."""

from typing import Any

from tests.privacy.test_access_log import NoYouth, Read
from tests.privacy.test_permission_matrix import Route

READS: dict[str, NoYouth | tuple[Read, ...]] = {
    "health": NoYouth("the process and its database answer"),
    "operations:jobs": NoYouth("the scheduled jobs and their last runs"),
    "operations:launch": NoYouth("enqueues a job and redirects", method="POST"),
    "operations:retention": NoYouth("the retention job's passes: cutoffs and counts per Mission locale"),
    "operations:retention_dry_run": NoYouth("enqueues a dry run and redirects", method="POST"),
}


def populate(world: Any) -> dict[str, Any]:
    return {}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    return None
