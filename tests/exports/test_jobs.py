"""Background exports through the interface: the service queues a job once the request commits
(tasks run at once in the tests, ImmediateBackend), the page polls its progress, the owner alone
downloads the file."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from reperes.exports import services
from reperes.exports.enums import ExportStatus
from reperes.exports.jobs import Export, resolve
from reperes.exports.models import STALLED_AFTER, ExportJob
from reperes.network.enums import Role
from reperes.privacy import policy
from tests.exports import example
from tests.network.factories import MembershipFactory


@pytest.fixture
def started(coordinator, django_capture_on_commit_callbacks):
    def start(export: Export = example.figures, **parameters) -> ExportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_export(export, parameters=parameters, acting_user=coordinator)
        job.refresh_from_db()
        return job

    return start


def test_an_export_runs_once_the_request_commits_and_its_owner_downloads_it(client, coordinator, started):
    job = started(steps=3)
    assert (job.status, job.progress, job.file_name) == (ExportStatus.DONE, 100, "exemple.xlsx")
    assert job.title == "Exemple de tableau" and job.kind == "tests.exports.example.figures"
    client.force_login(coordinator)
    response = client.get(reverse("exports:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="exemple.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A3"].value == "Saverne" and sheet["B4"].value == "< 11"


def test_the_page_polls_every_2s_while_the_job_runs_then_offers_the_file(client, coordinator):
    job = services.start_export(example.figures, parameters={}, acting_user=coordinator)  # not committed: queued
    client.force_login(coordinator)
    page = client.get(reverse("exports:job_detail", args=[job.pk]))
    assertContains(page, 'hx-trigger="every 2s"')
    assertContains(page, '<h1 class="h2">Exemple de tableau</h1>', html=False)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    fragment = client.get(reverse("exports:job_detail", args=[job.pk]), headers={"HX-Request": "true"})
    assertContains(fragment, 'value="40" max="100"')
    assertNotContains(fragment, "<h1")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)  # as the worker finds it
    assert services.run_job(job.pk) == ExportStatus.DONE
    fragment = client.get(reverse("exports:job_detail", args=[job.pk]), headers={"HX-Request": "true"})
    assertContains(fragment, 'hx-trigger="none"')
    assertContains(fragment, '<p role="status">Votre fichier est prêt.</p>', html=True)
    assertContains(fragment, reverse("exports:job_download", args=[job.pk]))


def test_the_download_is_refused_to_anyone_else_and_before_the_file_is_ready(client, coordinator, started):
    job = started()
    colleague = MembershipFactory(role=Role.COORDINATOR, organisation=coordinator.organisation).user
    for user in (colleague, MembershipFactory(role=Role.ADMIN).user):
        client.force_login(user)
        assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404
        assert client.get(reverse("exports:job_detail", args=[job.pk])).status_code == 404
        assertNotContains(client.get(reverse("exports:job_list")), "Exemple de tableau")
    waiting = services.start_export(example.figures, parameters={}, acting_user=coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("exports:job_download", args=[waiting.pk])).status_code == 404
    assertContains(client.get(reverse("exports:job_list")), "Exemple de tableau", count=2)


def test_a_job_is_readable_by_its_owner_only_while_they_hold_a_role(coordinator, started):
    job = started()
    mission = coordinator.organisation
    others = {
        role: MembershipFactory(role=role, organisation=mission).user for role in (Role.COUNSELLOR, Role.COORDINATOR)
    }
    others |= {
        role: MembershipFactory(role=role).user for role in (Role.PARTNER_WORKER, Role.FUNDER_OFFICER, Role.ADMIN)
    }
    assert policy.can_view_export_job(coordinator, job)
    assert list(policy.export_jobs_visible_to(coordinator)) == [job]
    for role, user in others.items():
        assert not policy.can_view_export_job(user, job), role
    coordinator.memberships.update(is_active=False)
    del coordinator._active_membership
    assert not policy.can_view_export_job(coordinator, job)


def test_a_failed_export_says_so_and_keeps_no_file(client, coordinator, started, caplog):
    job = started(example.broken)
    assert job.status == ExportStatus.FAILED and job.content is None and job.progress == 0
    assert f"export_job={job.pk} failed" in caplog.text
    client.force_login(coordinator)
    page = client.get(reverse("exports:job_detail", args=[job.pk]))
    assertContains(page, "L&#x27;export a échoué. Réessayez ; si cela se reproduit, signalez-le.")
    assertNotContains(page, "every 2s")
    assert client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404


def test_only_a_registered_export_is_ever_run(coordinator):
    assert resolve("tests.exports.example.figures") is example.figures
    for path in ("tests.exports.example.not_registered", "os.system", "tests.exports.example.nothing"):
        with pytest.raises((LookupError, ImportError)):
            resolve(path)
    job = ExportJob.objects.create(requested_by=coordinator, kind="tests.exports.example.not_registered", title="x")
    assert services.run_job(job.pk) == ExportStatus.FAILED


def test_expired_jobs_are_deleted_with_their_files_and_stalled_ones_marked_failed(client, coordinator, started):
    old, dead, fresh = started(), started(), started()
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(coordinator)
    assert client.get(reverse("exports:job_download", args=[old.pk])).status_code == 404
    assert client.get(reverse("exports:job_detail", args=[old.pk])).status_code == 404
    ExportJob.objects.filter(pk=dead.pk).update(status=ExportStatus.RUNNING, updated_at=timezone.now() - STALLED_AFTER)
    assertContains(client.get(reverse("exports:job_detail", args=[dead.pk])), "L'export a été interrompu.")
    assert services.delete_expired() == 1 and services.recover_stalled() == 1
    assert set(ExportJob.objects.values_list("pk", "status")) == {(dead.pk, "failed"), (fresh.pk, "done")}


def test_a_small_export_may_run_in_the_request(coordinator):
    made = example.figures.run({"format": "csv"}, user=coordinator)
    assert made.name == "exemple.csv" and made.content.startswith("\ufeffCommune;".encode())
