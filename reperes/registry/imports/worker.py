"""Checks and imports of large files run in a background thread of the web process, one at a
time, so that the page answers at once and shows progress. A small file is handled inline.

There is no task queue in this deployment: a thread is enough for lists of a few thousand lines,
and the state lives in the database (ListImport.status, .progress). Should the process stop mid-way,
the import's transaction rolls back and `recover_stalled` marks it failed — nothing half-imported."""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from reperes.network.models import User
from reperes.registry.enums import ImportStatus
from reperes.registry.imports import services
from reperes.registry.models import ListImport

logger = logging.getLogger(__name__)

# Beyond this many lines a check or an import goes to the background.
INLINE_ROWS = 300
STALLED_AFTER = timedelta(minutes=30)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="list-import")


def _step(list_import_id: int, user_id: int) -> None:
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


def _in_thread(list_import_id: int, user_id: int) -> None:
    close_old_connections()
    try:
        _step(list_import_id, user_id)
    finally:
        connections.close_all()


def launch(list_import: ListImport, *, user: User) -> bool:
    """Run the pending step now or in the background; True when it went to the background."""
    background = list_import.row_count > INLINE_ROWS and getattr(settings, "LIST_IMPORTS_IN_BACKGROUND", True)
    if not background:
        _step(list_import.pk, user.pk)
        list_import.refresh_from_db()
        return False
    # After the request's transaction commits, so the thread sees the new status.
    transaction.on_commit(lambda: _executor.submit(_in_thread, list_import.pk, user.pk))
    return True


def recover_stalled() -> int:
    """Imports left running by a stopped process: nothing of them was written."""
    stalled = ListImport.objects.filter(
        status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING], updated_at__lt=timezone.now() - STALLED_AFTER
    )
    ids = list(stalled.values_list("pk", flat=True))
    for pk in ids:
        services.fail(pk)
    return len(ids)
