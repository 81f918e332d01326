"""Reads of reperes.operations: each scheduled job with its last run."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from reperes.network.models import Organisation
from reperes.operations.models import JobLaunch
from reperes.operations.schedule import JOBS, ScheduledJob
from reperes.privacy.models import RetentionRun
from reperes.privacy.tasks import retention_task


@dataclass(frozen=True)
class JobRow:
    job: ScheduledJob
    next_run: datetime | None
    last: DBTaskResult[Any, Any] | None
    launched_by: str  # the administrator who launched the last run by hand, or ""

    @property
    def pending(self) -> bool:
        return self.last is not None and self.last.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)

    @property
    def failure(self) -> str:
        """The failed run's exception class (never its message or traceback: they may quote data)."""
        if self.last is None or self.last.status != TaskResultStatus.FAILED:
            return ""
        path: str = self.last.exception_class_path
        return path.rsplit(".", 1)[-1]


def job_rows() -> list[JobRow]:
    """One row per scheduled job, in the schedule's order (one query per job, and one for the
    launches: the jobs are a handful)."""
    latest = {
        job.key: DBTaskResult.objects.filter(task_path=job.task.module_path)
        .order_by("-enqueued_at")
        .defer("args_kwargs", "return_value", "traceback")
        .first()
        for job in JOBS
    }
    launched = {str(result.pk) for result in latest.values() if result is not None}
    launches = {
        launch.task_result_id: launch.launched_by.get_full_name() if launch.launched_by else ""
        for launch in JobLaunch.objects.filter(task_result_id__in=launched).select_related("launched_by")
    }
    return [
        JobRow(
            job=job,
            next_run=job.next_run(),
            last=(last := latest[job.key]),
            launched_by=launches.get(str(last.pk), "") if last else "",
        )
        for job in JOBS
    ]


def pending(job: ScheduledJob) -> bool:
    """Whether a run of the job waits in the queue or runs now."""
    return DBTaskResult.objects.filter(
        task_path=job.task.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


RUNS_SHOWN = 30


@dataclass(frozen=True)
class RunRow:
    run: RetentionRun
    files: int
    signals: int
    access_log: int
    files_by_mission: list[tuple[str, int]]
    signals_by_mission: list[tuple[str, int]]


def retention_runs() -> list[RunRow]:
    """The latest passes of the retention job, newest first, each Mission locale named (two queries)."""
    runs = list(RetentionRun.objects.select_related("launched_by")[:RUNS_SHOWN])
    ids = {
        int(pk) for run in runs for key in ("files_by_mission", "signals_by_mission") for pk in run.counts.get(key, {})
    }
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))

    def named(counts: dict[str, int]) -> list[tuple[str, int]]:
        return sorted(((names.get(int(pk), pk), n) for pk, n in counts.items()), key=lambda item: str(item[0]))

    return [
        RunRow(
            run=run,
            files=run.counts.get("files", 0),
            signals=run.counts.get("signals", 0),
            access_log=run.counts.get("access_log", 0),
            files_by_mission=named(run.counts.get("files_by_mission", {})),
            signals_by_mission=named(run.counts.get("signals_by_mission", {})),
        )
        for run in runs
    ]


def retention_pending() -> bool:
    """Whether a pass of the retention job, dry or not, waits in the queue or runs now."""
    return DBTaskResult.objects.filter(
        task_path=retention_task.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()
