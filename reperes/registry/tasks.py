"""Background tasks of the registry, run by the database worker (`manage.py db_worker`, ADR 006).
Their arguments are ids: the task row is stored in the database, and must hold no personal data."""

from django.tasks import task

from reperes.registry.imports import worker
from reperes.registry.review import sweep_all_missions


@task
def run_list_import(list_import_id: int, user_id: int) -> str:
    """The check or the import of a large list; first, imports a stopped worker left behind."""
    worker.recover_stalled(besides=list_import_id)  # this one may have waited long in the queue
    return worker.step(list_import_id, user_id)


@task
def nightly_sweep() -> dict[str, int]:
    """The nightly pass: new duplicate pairs to review, and imports a stopped worker left behind."""
    return {"candidates": sweep_all_missions(), "stalled": worker.recover_stalled()}
