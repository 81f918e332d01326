"""Writes of reperes.operations: an administrator launches a scheduled job before its time, or a
dry run of the retention job."""

from django.db import transaction

from reperes.network.models import User
from reperes.operations.models import JobLaunch
from reperes.operations.schedule import ScheduledJob
from reperes.privacy.audit import record_write
from reperes.privacy.enums import WriteAction
from reperes.privacy.tasks import retention_task

# The JobLaunch of a dry run, beside the scheduled jobs' keys.
RETENTION_DRY_RUN = "conservation-simulation"


@transaction.atomic
def launch(job: ScheduledJob, *, acting_user: User) -> JobLaunch:
    """Enqueue the job's task now (the worker runs it as it would the clock's), with its author."""
    result = job.task.enqueue(launched_by=acting_user.pk) if job.records_author else job.task.enqueue()  # type: ignore[call-arg]
    launched = JobLaunch.objects.create(job=job.key, task_result_id=str(result.id), launched_by=acting_user)
    record_write(launched, acting_user=acting_user, action=WriteAction.CREATE, after={"job": job.key})
    return launched


@transaction.atomic
def simulate_retention(*, acting_user: User) -> JobLaunch:
    """Enqueue a dry run of the retention job: it records what a pass would change, changing nothing."""
    result = retention_task.enqueue(dry_run=True, launched_by=acting_user.pk)
    launched = JobLaunch.objects.create(job=RETENTION_DRY_RUN, task_result_id=str(result.id), launched_by=acting_user)
    record_write(launched, acting_user=acting_user, action=WriteAction.CREATE, after={"job": RETENTION_DRY_RUN})
    return launched
