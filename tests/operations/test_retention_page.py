"""The administrator's « Conservation des données » page (ADR 013): the durations in force, each
pass of the retention job with its counts per Mission locale, and a dry run the real worker runs."""

import time
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import Role
from reperes.operations.models import JobLaunch
from reperes.privacy.models import RetentionRun, WriteRecord
from reperes.registry.models import Youth
from tests.network.factories import MembershipFactory
from tests.registry.factories import YouthFactory, mission_locale

PAGE = reverse("operations:retention")


@pytest.mark.django_db
def test_only_an_administrator_sees_the_passes_and_they_name_no_youth(client):
    mission = mission_locale("Mission locale du Sundgau", "68004")
    YouthFactory(mission_locale=mission, last_name="Oberlechner")
    client.force_login(MembershipFactory(role=Role.COORDINATOR, organisation=mission).user)
    assert client.get(PAGE).status_code == 404
    client.force_login(MembershipFactory(role=Role.ADMIN).user)
    empty = client.get(PAGE)
    assertContains(empty, "Aucun passage pour l'instant")
    assertContains(empty, "730 jours est anonymisé")
    RetentionRun.objects.create(
        dry_run=True, finished_at=timezone.now(), counts={"files": 3, "files_by_mission": {str(mission.pk): 3}}
    )
    page = client.get(PAGE)
    assertContains(page, "Mission locale du Sundgau : 3")
    assertContains(page, "simulation")
    assertNotContains(page, "Oberlechner")


def test_the_administrator_asks_for_a_dry_run_and_the_worker_runs_it(committed_database, db_worker, client):
    mission = mission_locale("Mission locale de Thann", "68004")
    silent = YouthFactory(mission_locale=mission)
    Youth.objects.filter(pk=silent.pk).update(created_at=timezone.now() - timedelta(days=800))
    silent.signals.update(created_at=timezone.now() - timedelta(days=800))
    admin = MembershipFactory(role=Role.ADMIN, user__first_name="Aline", user__last_name="Exploitante").user
    client.force_login(admin)
    client.post(reverse("operations:retention_dry_run"))
    launch = JobLaunch.objects.get()
    assert WriteRecord.objects.filter(model="operations.joblaunch", object_id=launch.pk, user=admin).exists()
    # While it waits, the button is gone and a second request enqueues nothing.
    assertNotContains(client.get(PAGE), "Simuler un passage maintenant")
    deadline = time.monotonic() + 60
    while DBTaskResult.objects.get(pk=launch.task_result_id).status != TaskResultStatus.SUCCESSFUL:
        assert time.monotonic() < deadline, "the worker did not run the dry run"
        assert DBTaskResult.objects.get(pk=launch.task_result_id).status != TaskResultStatus.FAILED
        time.sleep(0.2)
    run = RetentionRun.objects.get()
    assert run.dry_run and run.launched_by == admin and run.counts["files"] == 1
    assert Youth.objects.get(pk=silent.pk).anonymised_at is None  # a simulation changes nothing
    page = client.get(PAGE)
    assertContains(page, "Mission locale de Thann : 1")
    assertContains(page, "lancé par Aline Exploitante")
    assertContains(page, "Simuler un passage maintenant")
