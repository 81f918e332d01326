"""Background tasks of reperes.operations, run by the database worker (ADR 006)."""

from datetime import timedelta

from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

# Finished task results are kept this long: the « Tâches planifiées » page shows each job's last run,
# and a list import's failure stays readable for a month. They hold ids and counts, never a name.
KEEP_DAYS = 30


@task
def prune_task_results() -> dict[str, int]:
    """The weekly pass: finished task results older than KEEP_DAYS days are deleted; each job's
    latest result is kept whatever its age, so that its page still says when it last ran."""
    cutoff = timezone.now() - timedelta(days=KEEP_DAYS)
    old = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    )
    latest = {
        pk
        for path in old.values_list("task_path", flat=True).distinct()
        if (
            pk := DBTaskResult.objects.filter(task_path=path)
            .order_by("-enqueued_at")
            .values_list("pk", flat=True)
            .first()
        )
    }
    deleted, _ = old.exclude(pk__in=latest).delete()
    return {"deleted": deleted}
