import pytest
from django.core.management import call_command

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


@pytest.fixture
def demo(db):
    call_command("load_demo", force=True, verbosity=0)
