"""The clock: enqueue each scheduled job (reperes/operations/schedule.py) at its time, for the
worker to run. Run exactly one per instance (docs/deployment.md): two clocks enqueue every job twice."""

from typing import Any

from django.core.management import BaseCommand, call_command

from reperes.operations.schedule import JOBS, register


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs at their times (one clock per instance)."

    def handle(self, *args: Any, **options: Any) -> None:
        register()
        for job in JOBS:
            self.stdout.write(f"{job.key}: {job.crontab} ({job.task.module_path})")
        # django-crontask runs APScheduler's blocking scheduler until SIGTERM or SIGINT. Without its
        # heartbeat, which would enqueue a task every minute.
        call_command("crontask", no_task_loading=True, no_heartbeat=True)
