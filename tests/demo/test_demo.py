import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pytest_django.asserts import assertContains

from reperes.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.territory.models import Commune, Territory

pytestmark = pytest.mark.django_db


def _counts():
    return (Organisation.objects.count(), User.objects.count(), Membership.objects.count(), Territory.objects.count())


def test_loading_twice_duplicates_nothing(demo):
    before = _counts()
    call_command("load_demo", force=True, verbosity=0)
    assert _counts() == before


def test_reset_removes_and_rebuilds_the_demo(demo):
    before = _counts()
    call_command("load_demo", force=True, reset=True, verbosity=0)
    assert _counts() == before


def test_refuses_to_load_without_debug_unless_forced():
    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)


def test_there_is_one_demo_account_per_role_and_each_logs_in(demo, client):
    assert {account["role"] for account in ACCOUNTS} == set(Role.values)
    for account in ACCOUNTS:
        assert client.login(username=account["email"], password=DEMO_PASSWORD), account["email"]
        assertContains(client.get(reverse("web:home")), f"Bonjour {account['first_name']}")
        client.logout()


def test_the_missions_locales_of_alsace_share_its_communes_without_overlap(demo):
    missions = Organisation.objects.missions_locales().select_related("territory")
    assert missions.count() == 10
    alsace = set(Commune.objects.current().filter(departement_id__in=["67", "68"]).values_list("code", flat=True))
    seen: set[str] = set()
    for mission in missions:
        codes = set(mission.territory.communes.values_list("code", flat=True))
        assert codes, mission.name
        assert not codes & seen, f"{mission.name} overlaps another territory"
        seen |= codes
    assert seen == alsace
    strasbourg = Organisation.objects.get(name="Mission locale de Strasbourg")
    assert strasbourg.territory.communes.filter(code="67482").exists()


def test_demo_accounts_are_printed(capsys):
    call_command("demo_accounts")
    out = capsys.readouterr().out
    for account in ACCOUNTS:
        assert account["email"] in out
    assert DEMO_PASSWORD in out
