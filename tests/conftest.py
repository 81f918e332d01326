import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from reperes.network.enums import Role
from reperes.network.services import load_vocabularies
from reperes.territory.services import load_reference_data
from tests.network.factories import MembershipFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the real reference data (communes, data·inclusion vocabularies):
    forms and searches use it everywhere."""
    with django_db_blocker.unblock():
        load_reference_data()
        load_vocabularies()


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


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once per module (several seconds) inside a transaction rolled back after
    the module's last test; each test runs in a savepoint of it and sees it intact. A module that
    uses it should use it in every test: the data stays until the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", force=True, verbosity=0)
        yield
        transaction.set_rollback(True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The module-scoped `demo` stays loaded until its module ends: in each module, the tests
    that use it run after those that expect an empty registry."""
    first_seen: dict[str, int] = {}
    for item in items:
        first_seen.setdefault(str(item.path), len(first_seen))
    items.sort(key=lambda item: (first_seen[str(item.path)], "demo" in getattr(item, "fixturenames", ())))
