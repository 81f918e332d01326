"""The access log's lines for reperes.exports (merged into READS by test_access_log).

READS: URL name -> NoYouth(...) (see test_access_log). An export's file holds aggregate figures
(counts masked under 11, amounts), never a young person: its pages and its download are logged by
job id in the application log, not as reads of a file. An export that would name youths does not
belong in reperes.exports (ADR 010).
populate(world): the coordinator's export, made as the worker would (a CSV, so that the walk can
  look for names in it); no_youth_kwargs(route, world) gives its id.
"""

from typing import Any

from reperes.exports import services
from tests.exports import example
from tests.privacy.test_access_log import NoYouth, Read
from tests.privacy.test_permission_matrix import Route

READS: dict[str, NoYouth | tuple[Read, ...]] = {
    "exports:job_list": NoYouth("the titles and dates of the user's own exports"),
    "exports:job_detail": NoYouth("an export's progress and its download link"),
    "exports:job_download": NoYouth("a file of aggregate figures, never a youth"),
}


def populate(world: Any) -> dict[str, Any]:
    job = services.start_export(example.figures, parameters={"format": "csv"}, acting_user=world.users["coordinator"])
    services.run_job(job.pk)
    return {"export_job": job.pk}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    if route.arguments == {"job_id"}:
        return {"job_id": world.extra["export_job"]}
    return None
