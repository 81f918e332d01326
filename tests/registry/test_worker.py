"""The background worker for real (ADR 006): `manage.py db_worker` in its own process runs a list
import of the largest size allowed while partners send signals, none of which fails or waits more
than a moment; a worker killed mid-import leaves nothing of the file behind.

These tests commit what they write, so they run on a copy of the test database that another
process can open (a file for SQLite, a database made from the test one for PostgreSQL), thrown
away afterwards: the test database is left as it was."""

import signal
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from faker import Faker

from reperes.network.enums import Role
from reperes.network.models import User
from reperes.registry.enums import ImportStatus, RowOutcome, SignalConsent
from reperes.registry.imports import services, worker
from reperes.registry.models import ImportedRow, ListImport, Youth
from reperes.registry.services import send_signal
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area

ROWS = 5000
HEADER = "NOM;PRENOM;DATE_NAISSANCE;SEXE;COMMUNE"
COMMUNES = ("Saverne", "67437")
INLINE_ROWS_PLUS = worker.INLINE_ROWS + 300  # long enough for the queue  # by name and by INSEE code


@pytest.fixture
def counsellor(committed_database) -> User:
    mission = OrganisationFactory(mission_locale=True, territory=area("Saverne", "67437", "67300"))
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


def large_list(rows: int = ROWS, seed: int = 10) -> bytes:
    """`rows` different young people of the Pays de Saverne, born 1998–2010."""
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    people: set[tuple[str, str]] = set()
    while len(people) < rows:
        people.add((f"{fake.last_name()}-{fake.last_name()}", fake.first_name()))
    lines = [
        f"{last};{first};{n % 28 + 1:02d}/{n % 12 + 1:02d}/{1998 + n % 13};{'FM'[n % 2]};{COMMUNES[n % 2]}"
        for n, (last, first) in enumerate(sorted(people))
    ]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def wait_for(list_import: ListImport, *statuses: str, timeout: float = 240, during=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        list_import.refresh_from_db()
        if list_import.status in statuses:
            return
        if during is not None:
            during()
        else:
            time.sleep(0.2)
    pytest.fail(f"import still « {list_import.status} » after {timeout} s")


def checked(counsellor: User, content: bytes) -> ListImport:
    list_import = services.upload_list(user=counsellor, file_name="siei.csv", content=content, kind="dropout")
    services.set_mapping(list_import, list_import.mapping)
    assert worker.launch(list_import, user=counsellor)  # to the worker
    wait_for(list_import, ImportStatus.CHECKED, ImportStatus.INVALID, ImportStatus.FAILED)
    assert list_import.status == ImportStatus.CHECKED, list_import.report.get("errors")
    return list_import


@pytest.mark.django_db  # also makes pytest-django set the test database up when this module runs alone
def test_a_large_list_goes_to_the_queue_and_a_small_one_is_done_in_the_request(
    settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from tests.conftest import DATABASE_BACKEND

    settings.TASKS = DATABASE_BACKEND
    mission = OrganisationFactory(mission_locale=True, territory=area("Saverne", "67437", "67300"))
    user = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    small = services.upload_list(user=user, file_name="a.csv", content=large_list(3), kind="dropout")
    services.set_mapping(small, small.mapping)
    assert not worker.launch(small, user=user) and small.status == ImportStatus.CHECKED
    large = services.upload_list(
        user=user, file_name="b.csv", content=large_list(worker.INLINE_ROWS + 1), kind="dropout"
    )
    services.set_mapping(large, large.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        assert worker.launch(large, user=user)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reperes.registry.tasks.run_list_import"
    assert queued.args_kwargs["args"] == [large.pk, user.pk]  # ids only: no personal data in the queue
    large.refresh_from_db()
    assert large.status == ImportStatus.CHECKING  # until the worker takes it


def test_a_list_of_5000_lines_imports_in_the_worker_while_partners_send_signals(counsellor, db_worker):
    list_import = checked(counsellor, large_list())
    assert list_import.report["counts"][RowOutcome.CREATED] == ROWS
    partner = MembershipFactory(role=Role.PARTNER_WORKER).user
    saverne = Commune.objects.get(code="67437")
    waits: list[float] = []

    def send() -> None:
        n = len(waits)
        started = time.monotonic()
        send_signal(
            author=partner,
            first_name="Noa",
            last_name=f"Signalé-{n:04d}",
            commune=saverne,
            consent=SignalConsent.CONTACT,
            birth_date=date(2007, 1, 1) + timedelta(days=n),
        )
        waits.append(time.monotonic() - started)

    services.start_import(list_import)
    started = time.monotonic()
    assert worker.launch(list_import, user=counsellor)
    wait_for(list_import, ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INVALID, during=send)
    took = time.monotonic() - started
    print(
        f"\n{connection.vendor}: {ROWS} lines imported in {took:.1f} s; {len(waits)} signals sent meanwhile, "
        f"the longest took {max(waits):.2f} s"
    )
    assert list_import.status == ImportStatus.DONE
    assert list_import.report["counts"][RowOutcome.CREATED] == ROWS
    assert ImportedRow.objects.filter(list_import=list_import).count() == ROWS
    assert Youth.objects.filter(imported_rows__list_import=list_import).distinct().count() == ROWS
    assert len(waits) > 10 and Youth.objects.filter(last_name__startswith="Signalé-").count() == len(waits)
    assert max(waits) < 5  # a batch at most, never the whole file


def test_a_worker_killed_mid_import_leaves_nothing_and_the_import_shows_failed(counsellor, db_worker):
    list_import = checked(counsellor, large_list(2000))
    before = Youth.objects.count()
    services.start_import(list_import)
    worker.launch(list_import, user=counsellor)
    # Killed as soon as a first batch is committed, with most of the file still to write. (The
    # progress bar is written once a second at most: a fast machine could finish between two.)
    while Youth.objects.count() == before:
        time.sleep(0.01)
        list_import.refresh_from_db()
        assert list_import.status == ImportStatus.IMPORTING
    db_worker.send_signal(signal.SIGKILL)
    db_worker.wait()
    list_import.refresh_from_db()
    assert list_import.status == ImportStatus.IMPORTING
    assert 0 < Youth.objects.count() - before < 2000  # some batches were written, not all
    # Later, the next import or the nightly sweep finds it stalled.
    ListImport.objects.filter(pk=list_import.pk).update(updated_at=timezone.now() - worker.STALLED_AFTER)
    assert worker.recover_stalled() == 1
    list_import.refresh_from_db()
    assert list_import.status == ImportStatus.FAILED and list_import.content is None
    assert list_import.report["errors"][0]["reason"] == "Erreur inattendue : rien n'a été importé."
    assert Youth.objects.count() == before and not ImportedRow.objects.filter(list_import=list_import).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="several workers need PostgreSQL's SKIP LOCKED")
def test_two_workers_share_one_queue_and_run_each_import_once(counsellor, two_db_workers):
    from django_tasks_db.models import DBTaskResult

    lists = [checked(counsellor, large_list(INLINE_ROWS_PLUS, seed=100 + n)) for n in range(4)]
    for list_import in lists:
        services.start_import(list_import)
        assert worker.launch(list_import, user=counsellor)
    for list_import in lists:
        wait_for(list_import, ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INVALID)
        assert list_import.status == ImportStatus.DONE
        assert ImportedRow.objects.filter(list_import=list_import).count() == INLINE_ROWS_PLUS  # once, not twice
    runs = DBTaskResult.objects.filter(task_path="reperes.registry.tasks.run_list_import")
    assert all(len(run.worker_ids) == 1 for run in runs)  # each task taken by one worker only
    assert len({run.worker_ids[0] for run in runs}) == 2, "one worker took every task"
