"""The writes of background exports: start a job, run it in the worker, clean up (ADR 010)."""

import json
import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.exports.enums import ExportStatus
from reperes.exports.jobs import Export, resolve
from reperes.exports.models import KEEP_FOR, STALLED_AFTER, ExportJob
from reperes.network.models import User

logger = logging.getLogger(__name__)

# Progress is written at most this often (each write is an UPDATE the page polls).
PROGRESS_EVERY = 1.0


@transaction.atomic
def start_export(export: Export, *, parameters: dict[str, Any], acting_user: User) -> ExportJob:
    """Queue an export for the worker, once the request's transaction commits. The caller has
    asked the policy; `parameters` are ids, dates and choices (JSON), never personal data."""
    json.dumps(parameters)  # refuses what the task row could not hold
    job = ExportJob.objects.create(
        requested_by=acting_user, kind=export.module_path, title=str(export.title), parameters=parameters
    )
    from reperes.exports.tasks import run_export  # tasks.py calls run_job()

    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    logger.info("export_job=%s queued kind=%s", job.pk, export.module_path)
    return job


class _Reporter:
    """The progress callback given to an export: monotonic, below 100 until the file is stored,
    written at most once a second (a job silent for STALLED_AFTER is taken for dead)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.percent = 0
        self.written_at = time.monotonic()

    def __call__(self, percent: int) -> None:
        self.percent = max(self.percent, min(int(percent), 99))
        if time.monotonic() - self.written_at >= PROGRESS_EVERY:
            ExportJob.objects.filter(pk=self.job_id).update(progress=self.percent, updated_at=timezone.now())
            self.written_at = time.monotonic()


def run_job(job_id: int) -> str:
    """The worker's side: claim the queued job, make its file as the user who asked, store it."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=0, updated_at=timezone.now()
    )
    if not claimed:  # gone (expired), or already taken by another worker
        return "skipped"
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        made = resolve(job.kind).function(dict(job.parameters), user=job.requested_by, progress=_Reporter(job_id))
    except Exception:
        logger.exception("export_job=%s failed kind=%s", job_id, job.kind)
        now = timezone.now()
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED,
            error=_("L'export a échoué. Réessayez ; si cela se reproduit, signalez-le."),
            finished_at=now,
            updated_at=now,
        )
        return ExportStatus.FAILED
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.DONE,
        progress=100,
        file_name=made.name,
        content_type=made.content_type,
        content=made.content,
        finished_at=now,
        updated_at=now,
        expires_at=now + KEEP_FOR,
    )
    logger.info("export_job=%s done bytes=%s", job_id, len(made.content))
    return ExportStatus.DONE


def delete_expired() -> int:
    """Jobs past their expiry, with their files."""
    deleted, _by_model = ExportJob.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def recover_stalled() -> int:
    """Jobs left running by a stopped worker: marked failed, so that their page says so."""
    now = timezone.now()
    return ExportJob.objects.filter(status=ExportStatus.RUNNING, updated_at__lt=now - STALLED_AFTER).update(
        status=ExportStatus.FAILED, error=_("L'export a été interrompu. Relancez-le."), finished_at=now, updated_at=now
    )
