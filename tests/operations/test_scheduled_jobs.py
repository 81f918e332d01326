"""The scheduled jobs (issue 14): one schedule, a clock that hands it to the scheduler, a page
that tells the administrator when each job runs next and how its last run went, a launch by hand
that the real worker runs, and the weekly pruning of finished task results."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import crontask
import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reperes.network.enums import Role
from reperes.operations import schedule
from reperes.operations.models import JobLaunch
from reperes.operations.tasks import prune_task_results
from reperes.privacy.models import WriteRecord
from tests.conftest import DATABASE_BACKEND
from tests.network.factories import MembershipFactory

PARIS = ZoneInfo("Europe/Paris")


def _result(job_key: str, *, status: str, finished_days_ago: float | None = None, **fields) -> DBTaskResult:
    job = schedule.job(job_key)
    assert job is not None
    finished = timezone.now() - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    result = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=job.task.module_path,
        backend_name="default",
        run_after=timezone.now(),
        finished_at=finished,
        **fields,
    )
    if finished is not None:  # enqueued_at is set on creation
        DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=finished - timedelta(minutes=1))
    return result


def test_each_job_runs_at_its_hour_in_paris():
    keys = [job.key for job in schedule.JOBS]
    assert len(keys) == len(set(keys))
    # A winter evening: the bilans are frozen at 0:30 the next night, the sweep follows at 2:00, the
    # retention at 3:30, the referral reminders at 7:00, the pruning on Sunday at 3:00 (6 December
    # 2026 is a Sunday).
    evening = datetime(2026, 12, 3, 21, 0, tzinfo=PARIS)
    next_runs = {job.key: job.next_run(evening).astimezone(PARIS) for job in schedule.JOBS}
    assert next_runs == {
        "bilans": datetime(2026, 12, 4, 0, 30, tzinfo=PARIS),
        "doublons": datetime(2026, 12, 4, 2, 0, tzinfo=PARIS),
        "conservation": datetime(2026, 12, 4, 3, 30, tzinfo=PARIS),
        "orientations": datetime(2026, 12, 4, 7, 0, tzinfo=PARIS),
        "purge-taches": datetime(2026, 12, 6, 3, 0, tzinfo=PARIS),
    }
    # Summer time does not move them: 2:00 in Paris is 0:00 UTC in July.
    july = schedule.job("doublons").next_run(datetime(2026, 7, 1, 12, 0, tzinfo=PARIS))
    assert july.astimezone(ZoneInfo("UTC")).hour == 0


def test_the_clock_hands_every_job_to_the_scheduler():
    crontask.scheduler.remove_all_jobs()
    try:
        schedule.register()
        registered = {job.name: job for job in crontask.scheduler.get_jobs()}
        assert set(registered) == {job.task.name for job in schedule.JOBS}
        for job in schedule.JOBS:
            assert registered[job.task.name].func == job.task.enqueue
            assert str(registered[job.task.name].trigger) == str(job.trigger())
    finally:
        crontask.scheduler.remove_all_jobs()


@pytest.mark.django_db
def test_the_page_is_the_administrators_and_says_when_each_job_runs(client):
    client.force_login(MembershipFactory(role=Role.COORDINATOR).user)
    assert client.get(reverse("operations:jobs")).status_code == 404
    admin = MembershipFactory(role=Role.ADMIN).user
    client.force_login(admin)
    page = client.get(reverse("operations:jobs")).content.decode()
    for job in schedule.JOBS:
        assert str(job.label) in page and str(job.when) in page
    assert page.count("jamais exécutée") == len(schedule.JOBS)
    assert page.count("Lancer maintenant") == len(schedule.JOBS)
    assert "prochain passage" in page
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("operations:jobs") in home


@pytest.mark.django_db
def test_a_failed_run_shows_its_exception_class_never_its_message(client):
    _result(
        "doublons",
        status=TaskResultStatus.FAILED,
        finished_days_ago=0.1,
        exception_class_path="builtins.ValueError",
        traceback="ValueError: Dupont Kevin, né le 3 mars 2008",
    )
    client.force_login(MembershipFactory(role=Role.ADMIN).user)
    page = client.get(reverse("operations:jobs")).content.decode()
    assert "échec" in page and "ValueError" in page
    assert "Dupont" not in page


@pytest.mark.django_db
def test_a_job_already_waiting_is_not_launched_a_second_time(client, settings):
    settings.TASKS = DATABASE_BACKEND  # no worker: the first run stays in the queue
    admin = MembershipFactory(role=Role.ADMIN).user
    client.force_login(admin)
    first = client.post(reverse("operations:launch"), {"job": "orientations"}, follow=True)
    assert "est lancée" in first.content.decode()
    page = client.get(reverse("operations:jobs")).content.decode()
    assert "en attente" in page
    assert page.count("Lancer maintenant") == len(schedule.JOBS) - 1  # the button follows the predicate
    second = client.post(reverse("operations:launch"), {"job": "orientations"}, follow=True)
    assert "déjà en attente ou en cours" in second.content.decode()
    job = schedule.job("orientations")
    assert DBTaskResult.objects.filter(task_path=job.task.module_path).count() == 1
    assert client.post(reverse("operations:launch"), {"job": "inconnue"}).status_code == 404


@pytest.mark.django_db
def test_pruning_keeps_a_month_and_each_jobs_last_run():
    old = _result("doublons", status=TaskResultStatus.SUCCESSFUL, finished_days_ago=40)
    older_failure = _result("orientations", status=TaskResultStatus.FAILED, finished_days_ago=45)
    oldest = _result("orientations", status=TaskResultStatus.SUCCESSFUL, finished_days_ago=50)
    recent = _result("doublons", status=TaskResultStatus.SUCCESSFUL, finished_days_ago=2)
    waiting = _result("bilans", status=TaskResultStatus.READY)
    assert prune_task_results.call() == {"deleted": 2}
    kept = set(DBTaskResult.objects.values_list("pk", flat=True))
    # « doublons » ran two days ago; « orientations » last ran 45 days ago and keeps that run.
    assert kept == {recent.pk, older_failure.pk, waiting.pk}
    assert old.pk not in kept and oldest.pk not in kept


def test_the_administrator_launches_a_job_and_the_worker_runs_it(committed_database, db_worker, client):
    admin = MembershipFactory(role=Role.ADMIN, user__first_name="Aline", user__last_name="Exploitante").user
    client.force_login(admin)
    client.post(reverse("operations:launch"), {"job": "orientations"})
    launch = JobLaunch.objects.get()
    assert launch.launched_by == admin and launch.job == "orientations"
    assert WriteRecord.objects.filter(model="operations.joblaunch", object_id=launch.pk, user=admin).exists()
    deadline = time.monotonic() + 60
    while DBTaskResult.objects.get(pk=launch.task_result_id).status != TaskResultStatus.SUCCESSFUL:
        assert time.monotonic() < deadline, "the worker did not run the job"
        assert DBTaskResult.objects.get(pk=launch.task_result_id).status != TaskResultStatus.FAILED
        time.sleep(0.2)
    page = client.get(reverse("operations:jobs")).content.decode()
    assert "réussie" in page and "lancée par Aline Exploitante" in page
