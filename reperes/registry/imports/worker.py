"""Checks and imports of large files run in the background worker (`manage.py db_worker`, Django's
tasks framework with the django-tasks-db backend, ADR 006), so that the page answers at once and
shows progress. A small file is handled in the request, which is as quick as queueing it.

The state lives in the database (ListImport.status, .progress). An import writes in short
batches (services.run_import); should its worker stop mid-way, `recover_stalled` marks it failed
and undoes the batches it wrote — nothing half-imported stays."""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone

from reperes.network.models import User
from reperes.registry.enums import ImportStatus
from reperes.registry.imports import services
from reperes.registry.models import ImportedRow, ListImport

logger = logging.getLogger(__name__)

# Beyond this many lines a check or an import goes to the background.
INLINE_ROWS = 300
# A running check reports progress every 100 lines, an import every batch: this long without
# any means that its worker stopped.
STALLED_AFTER = timedelta(minutes=10)


def step(list_import_id: int, user_id: int) -> str:
    """Run the pending step of an import (its check or its import); its new status."""
    try:
        list_import = ListImport.objects.select_related("mission_locale").get(pk=list_import_id)
        if list_import.status == ImportStatus.CHECKING:
            services.run_check(list_import)
        elif list_import.status == ImportStatus.IMPORTING:
            services.run_import(list_import, user=User.objects.get(pk=user_id))
    except Exception as error:
        # The error's text may quote values (a database error names the row): log its kind only.
        logger.error("list_import=%s failed: %s", list_import_id, type(error).__name__)
        services.fail(list_import_id)
    return str(ListImport.objects.filter(pk=list_import_id).values_list("status", flat=True).first())


def launch(list_import: ListImport, *, user: User) -> bool:
    """Run the pending step now or in the background; True when it went to the background."""
    if list_import.row_count <= INLINE_ROWS:
        step(list_import.pk, user.pk)
        list_import.refresh_from_db()
        return False
    from reperes.registry.tasks import run_list_import  # tasks.py calls step()

    # After the request's transaction commits, so the worker sees the new status.
    transaction.on_commit(lambda: run_list_import.enqueue(list_import.pk, user.pk))
    return True


def _queued() -> set[int]:
    """Imports whose task waits in the queue: not started, so not stalled however long they wait."""
    from django_tasks_db.models import DBTaskResult

    from reperes.registry.tasks import run_list_import

    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=run_list_import.module_path)
    return {result.args_kwargs["args"][0] for result in waiting.only("args_kwargs")}


def recover_stalled(*, besides: int | None = None) -> int:
    """Checks and imports left running by a stopped worker (or web process): marked failed, and
    what their batches wrote undone; and undoings that stopped half-way, taken up again."""
    stalled = ListImport.objects.filter(
        status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING], updated_at__lt=timezone.now() - STALLED_AFTER
    ).exclude(pk__in=_queued() | {besides})
    ids = list(stalled.values_list("pk", flat=True))
    for pk in ids:
        services.fail(pk)
    half_undone = ListImport.objects.filter(
        status=ImportStatus.FAILED, pk__in=ImportedRow.objects.values("list_import")
    ).select_related("mission_locale")
    for list_import in half_undone:
        services.undo_import(list_import)
    return len(ids)
