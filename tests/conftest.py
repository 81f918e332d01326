import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from reperes.network.enums import Role
from reperes.network.services import load_vocabularies
from reperes.pathways.reference import load_occupations
from reperes.territory.services import load_reference_data
from tests.network.factories import MembershipFactory

_force_login = ClientMixin.force_login


def _force_login_with_second_factor(self: ClientMixin, user, backend=None) -> None:
    """`client.force_login` stands for a whole login: the password and the second factor (ADR 012),
    through an application the account is given here. The login itself, code included, is tested
    through its pages (tests/network/test_second_factor.py) and in the browser."""
    _force_login(self, user, backend)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="tests", defaults={"confirmed": True})
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


ClientMixin.force_login = _force_login_with_second_factor  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the real reference data (communes, data·inclusion vocabularies, the ROME):
    forms and searches use it everywhere."""
    with django_db_blocker.unblock():
        load_reference_data()
        load_vocabularies()
        load_occupations()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The local-memory cache lives as long as the process: throttle counts (logins, « déjà connu »
    lookups) must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


# The cast every test shares (STYLE.md §5): one person per role.
@pytest.fixture
def counsellor(db):
    return MembershipFactory(role=Role.COUNSELLOR).user


@pytest.fixture
def coordinator(db):
    return MembershipFactory(role=Role.COORDINATOR).user


@pytest.fixture
def partner_worker(db):
    return MembershipFactory(role=Role.PARTNER_WORKER).user


@pytest.fixture
def funder_officer(db):
    return MembershipFactory(role=Role.FUNDER_OFFICER).user


@pytest.fixture
def admin_user(db):
    return MembershipFactory(role=Role.ADMIN).user


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the whole run (a minute on PostgreSQL) inside a transaction rolled
    back at its end; each test runs in a savepoint of it and sees it intact. The tests that use it
    run last (`pytest_collection_modifyitems` below): no other test sees its data. Browser journeys
    have their own, restored from a snapshot (tests/e2e/conftest.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", force=True, verbosity=0)  # which ANALYZEs on PostgreSQL
        yield
        transaction.set_rollback(True)


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the tests on the shared demo to the end, in their order: once it is loaded, its data
    stays until the run ends."""
    e2e = Path(__file__).parent / "e2e"

    def on_shared_demo(item: pytest.Item) -> bool:
        return "demo" in getattr(item, "fixturenames", ()) and not item.path.is_relative_to(e2e)

    items[:] = [item for item in items if not on_shared_demo(item)] + [item for item in items if on_shared_demo(item)]


DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def database_url() -> str:
    """The URL of the database the test's connection uses, for another process to open it."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "another process cannot open an in-memory database"
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def _worker_process(log_path: Path) -> Iterator[subprocess.Popen]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REPERES_TEST_TASKS": "database",
    }
    log = log_path.open("w")
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        print(log_path.read_text()[-5000:])  # shown when the test fails


@pytest.fixture
def db_worker(settings, tmp_path) -> Iterator[subprocess.Popen]:
    """The real background worker, `manage.py db_worker`, in its own process on the test's
    database, which must be one another process can see (a file for SQLite, PostgreSQL's test
    database) with data committed (no test transaction). Tasks enqueued by the test go to the
    database backend. Stopped as in production (SIGTERM: it ends its task first)."""
    settings.TASKS = DATABASE_BACKEND
    with _worker_process(tmp_path / "db_worker.log") as process:
        yield process


@pytest.fixture
def two_db_workers(settings, tmp_path) -> Iterator[tuple[subprocess.Popen, subprocess.Popen]]:
    """Two workers on one queue, as a larger instance runs them (docs/deployment.md)."""
    settings.TASKS = DATABASE_BACKEND
    with _worker_process(tmp_path / "db_worker_1.log") as one, _worker_process(tmp_path / "db_worker_2.log") as two:
        yield one, two


@pytest.fixture
def committed_database(django_db_setup, django_db_blocker, tmp_path: Path) -> Iterator[None]:
    """The test's connection moved to a copy of the test database, whose writes are committed."""
    with django_db_blocker.unblock():
        saved = connection.settings_dict["NAME"]
        memory = None
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            memory = connection.connection  # kept open: closing the last connection drops it
            copy = tmp_path / "worker.sqlite3"
            target = sqlite3.connect(copy)
            memory.backup(target)
            target.close()
            connection.connection = None
            connection.settings_dict["NAME"] = str(copy)
        else:
            copy_name = f"{saved}_worker"
            connection.close()
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')
                cursor.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{saved}"')
            connection.settings_dict["NAME"] = copy_name
        ContentType.objects.clear_cache()
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = saved
            if memory is not None:
                connection.connection = memory
            else:
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
            ContentType.objects.clear_cache()
