"""Every scheduled job, in one place: what runs when. The clock (`manage.py clock`, one process per
instance, docs/deployment.md) enqueues each job's task at its time; the worker runs it. The jobs take
no arguments: a task row holds no personal data."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from crontask import cron
from django.tasks import Task
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reperes.operations.tasks import prune_task_results
from reperes.privacy.tasks import retention_task
from reperes.referrals.tasks import referrals_sweep
from reperes.registry.tasks import nightly_sweep
from reperes.reporting.tasks import freeze_bilans_task


@dataclass(frozen=True)
class ScheduledJob:
    key: str  # stable, in URLs and in JobLaunch
    label: Promise
    purpose: Promise
    when: Promise  # the crontab in words
    crontab: str  # minute hour day month weekday, in the platform's time zone (TIME_ZONE)
    task: Task[[], Any]
    # The task takes `launched_by`: a pass launched by hand is the administrator's, in its record.
    records_author: bool = False

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.crontab, timezone=timezone.get_default_timezone())

    def next_run(self, now: datetime | None = None) -> datetime | None:
        upcoming: datetime | None = self.trigger().get_next_fire_time(None, now or timezone.now())
        return upcoming


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        key="bilans",
        label=_("Arrêt des bilans"),
        purpose=_("Fige le bilan de chaque campagne à sa date d'arrêté, avant que quiconque le lise."),
        when=_("chaque nuit à 0 h 30"),
        crontab="30 0 * * *",
        task=freeze_bilans_task,
    ),
    ScheduledJob(
        key="doublons",
        label=_("Recherche des doublons"),
        purpose=_("Propose les nouvelles paires de doublons possibles et reprend les imports interrompus."),
        when=_("chaque nuit à 2 h"),
        crontab="0 2 * * *",
        task=nightly_sweep,
    ),
    ScheduledJob(
        key="orientations",
        label=_("Relances des orientations"),
        purpose=_("Marque à relancer les orientations sans réponse et fait expirer celles passées leur délai."),
        when=_("chaque matin à 7 h"),
        crontab="0 7 * * *",
        task=referrals_sweep,
    ),
    ScheduledJob(
        key="conservation",
        label=_("Conservation des données"),
        purpose=_(
            "Anonymise les dossiers sans contact depuis deux ans, supprime les signalements restés sans dossier "
            "et les consultations du journal arrivés au terme de leur durée de conservation."
        ),
        when=_("chaque nuit à 3 h 30"),
        crontab="30 3 * * *",
        task=retention_task,
        records_author=True,
    ),
    ScheduledJob(
        key="purge-taches",
        label=_("Purge des exécutions terminées"),
        purpose=_(
            "Supprime les exécutions de tâches terminées depuis plus de 30 jours (la dernière de chaque tâche reste)."
        ),
        when=_("chaque dimanche à 3 h"),
        crontab="0 3 * * sun",
        task=prune_task_results,
    ),
)


def register() -> None:
    """Hand every job to django-crontask's scheduler (the clock's, reperes/operations/management/
    commands/clock.py): at each job's time it enqueues the job's task."""
    for scheduled in JOBS:
        cron(scheduled.trigger(), sentry_monitor_config=None)(scheduled.task)


def job(key: str) -> ScheduledJob | None:
    return next((j for j in JOBS if j.key == key), None)
