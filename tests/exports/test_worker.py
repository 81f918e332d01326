"""An export made by the real background worker (`manage.py db_worker`, ADR 006): the job goes
through the task queue of the database, its progress climbs to 100 while the test polls, and the
file is the owner's alone. Runs on a copy of the test database another process can open
(`committed_database`, as the registry's worker tests)."""

import io
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reperes.exports import services
from reperes.exports.enums import ExportStatus
from reperes.exports.models import ExportJob
from reperes.network.enums import Role
from reperes.network.models import User
from tests.exports import example
from tests.network.factories import MembershipFactory


@pytest.mark.django_db  # also makes pytest-django set the test database up when this module runs alone
def test_the_queue_holds_the_job_id_only_and_parameters_must_be_json(settings, django_capture_on_commit_callbacks):
    coordinator = MembershipFactory(role=Role.COORDINATOR).user
    from django_tasks_db.models import DBTaskResult

    from tests.conftest import DATABASE_BACKEND

    with pytest.raises(TypeError):
        services.start_export(example.figures, parameters={"user": coordinator}, acting_user=coordinator)
    settings.TASKS = DATABASE_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_export(example.figures, parameters={"campaign_id": 3}, acting_user=coordinator)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reperes.exports.tasks.run_export"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert json.loads(json.dumps(job.parameters)) == {"campaign_id": 3}


@pytest.fixture
def coordinator(committed_database) -> User:
    return MembershipFactory(role=Role.COORDINATOR).user


def test_the_worker_makes_the_file_with_its_progress_and_only_its_owner_downloads_it(coordinator, db_worker):
    job = services.start_export(example.figures, parameters={"steps": 5, "pause": 0.6}, acting_user=coordinator)
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.append(job.progress)
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            break
        time.sleep(0.1)
    assert job.status == ExportStatus.DONE, job.error
    assert seen == sorted(seen) and seen[-1] == 100
    assert any(0 < percent < 100 for percent in seen)  # written while it ran, not only at the end
    assert ExportJob.objects.get(pk=job.pk).file_name == "exemple.xlsx"

    owner, other = Client(), Client()
    owner.force_login(coordinator)
    other.force_login(MembershipFactory(role=Role.COORDINATOR, organisation=coordinator.organisation).user)
    response = owner.get(reverse("exports:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "Jeunes accompagnés par commune"
    assert other.get(reverse("exports:job_download", args=[job.pk])).status_code == 404
    assert other.get(reverse("exports:job_detail", args=[job.pk])).status_code == 404
