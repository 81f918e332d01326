"""Writes of reperes.operations: an administrator launches a scheduled job before its time."""

from django.db import transaction

from reperes.network.models import User
from reperes.operations.models import JobLaunch
from reperes.operations.schedule import ScheduledJob
from reperes.privacy.audit import record_write
from reperes.privacy.enums import WriteAction


@transaction.atomic
def launch(job: ScheduledJob, *, acting_user: User) -> JobLaunch:
    """Enqueue the job's task now (the worker runs it as it would the clock's), with its author."""
    result = job.task.enqueue()
    launched = JobLaunch.objects.create(job=job.key, task_result_id=str(result.id), launched_by=acting_user)
    record_write(launched, acting_user=acting_user, action=WriteAction.CREATE, after={"job": job.key})
    return launched
