"""The home page of each role states what is really there: counts taken through the access policy,
each with a link to where the items are listed, an empty-state sentence when there is nothing, and
never a young person's name."""

import re
from datetime import date, timedelta
from typing import cast

import pytest
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import Role
from reperes.network.models import User
from reperes.registry.enums import SignalStatus
from reperes.registry.imports import services as imports
from reperes.registry.imports import worker
from reperes.registry.models import ListImport, Signal, Youth
from reperes.registry.review import sweep_duplicates
from reperes.registry.selectors import information_due
from reperes.registry.services import assign_referent, close_signal
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.programme.factories import CampaignFactory, ProjectFactory
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db

# Whatever the number of youths, signals, partners and campaigns. The coordinator's includes the
# coverage of the territory (network.selectors.coverage_of, eight queries); the counsellor's, her
# youths at risk (pathways.selectors.alerts_for: a fixed number of queries for the whole caseload);
# both, the cards of re-approaches, referrals and mobilisation actions.
MAX_QUERIES = {"counsellor": 30, "coordinator": 34, "funder_officer": 24}  # the funder: a few per campaign


@pytest.fixture
def mission():
    """The Mission locale of the Pays de Saverne: Saverne (67437) and Haguenau (67300)."""
    return OrganisationFactory(mission_locale=True, territory=area("Saverne", "67437", "67300"))


def member(role: str, organisation) -> User:
    return cast(User, MembershipFactory(role=role, organisation=organisation).user)


@pytest.fixture
def counsellor(mission):
    return member(Role.COUNSELLOR, mission)


@pytest.fixture
def coordinator(mission):
    return member(Role.COORDINATOR, mission)


def main_of(response) -> str:
    """The page's main content, without the menu bar that names the user (a Faker name)."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def home(client, user):
    client.force_login(user)
    return client.get(reverse("web:home"))


def import_list(user, *lines: str) -> None:
    """A dropout list brought in by the Mission locale: its youths are to be informed within a month."""
    content = ("NOM;PRENOM;DATE_NAISSANCE;SEXE;COMMUNE\n" + "\n".join(lines) + "\n").encode()
    list_import = imports.upload_list(user=user, file_name="liste.csv", content=content, kind="dropout")
    imports.set_mapping(list_import, list_import.mapping)
    worker.launch(list_import, user=user)
    imports.start_import(list_import)
    worker.launch(list_import, user=user)


# --- Counsellor ---------------------------------------------------------------------------------


def assert_nothing_to_do(response):
    assertContains(response, "Aucun jeune à informer, aucun doublon à examiner")
    assertContains(response, "Aucun signalement à trier")
    assertContains(response, "Vous ne suivez encore aucun jeune")


def test_counsellor_sees_the_youths_to_inform_with_the_first_deadline(client, counsellor):
    import_list(counsellor, "Muller;Léa;03/04/2008;F;Saverne", "Haas;Inès;12/05/2007;F;Saverne")
    first_due = information_due(counsellor)[0][1]
    response = home(client, counsellor)
    assertContains(response, "2 jeunes issus d'une liste à informer")
    assertContains(response, f"Première échéance : {format_date(first_due, 'j F Y')}.")
    assertContains(response, f'href="{reverse("registry:signal_list")}#inform-title"')
    assertContains(response, "Voir les jeunes à informer")
    assertNotContains(response, "en retard")
    assertNotContains(response, "Aucun jeune à informer")
    assertNotContains(response, "MULLER")  # counts only: the names are on the page the link opens
    assertContains(client.get(reverse("registry:signal_list")), 'id="inform-title"')


def test_counsellor_is_told_when_the_first_deadline_has_passed(client, counsellor):
    import_list(counsellor, "Muller;Léa;03/04/2008;F;Saverne")
    ListImport.objects.update(finished_at=timezone.now() - timedelta(days=31))
    assertContains(home(client, counsellor), "en retard")


def test_counsellor_sees_the_signals_to_triage_and_the_duplicates_to_review(client, mission, counsellor):
    report("Zoé", "Vogtlander", birth_date=date(2007, 9, 3))
    report("Zoe", "Vogtlender")
    assert sweep_duplicates(mission) == 1
    response = home(client, counsellor)
    assertContains(response, "2 jeunes attendent un·e référent·e.")
    assertContains(response, f'href="{reverse("registry:signal_list")}"')
    assertContains(response, "1 doublon possible à examiner.")
    assertContains(response, f'href="{reverse("registry:duplicate_list")}"')
    assertNotContains(response, "Vogtl")


def test_counsellor_sees_her_own_caseload_only(client, mission, counsellor):
    colleague = member(Role.COUNSELLOR, mission)
    assign_referent(report("Inès", "Keller"), referent=counsellor, acting_user=counsellor)
    assign_referent(report("Marc", "Antoine"), referent=colleague, acting_user=colleague)
    response = home(client, counsellor)
    assertContains(response, "Vous êtes le ou la référent·e de 1 jeune.")
    assertContains(response, f'href="{reverse("pathways:caseload")}"')
    assertContains(response, "Ma file active")
    assertNotContains(response, "risque d'être perdu·e de vue")  # taken in today: nothing is late


def test_counsellor_counts_nothing_of_another_mission_locale(client, counsellor):
    elsewhere = OrganisationFactory(mission_locale=True, territory=area("Colmar", "68066"))
    other = member(Role.COUNSELLOR, elsewhere)
    import_list(other, "Muller;Léa;03/04/2008;F;Colmar")
    assign_referent(report("Inès", "Keller", code="68066"), referent=other, acting_user=other)
    report("Marc", "Antoine", code="68066")
    assert_nothing_to_do(home(client, counsellor))


def test_counsellor_with_nothing_to_do_reads_empty_states(client, counsellor):
    response = home(client, counsellor)
    assert_nothing_to_do(response)
    assertNotContains(response, "Aucun jeune à recontacter")  # the old message, whatever the data
    assert reverse("registry:duplicate_list") not in main_of(response)  # the menu has it, not the page


@pytest.mark.parametrize("role", ["counsellor", "coordinator"])
def test_the_mission_locale_is_named_without_a_preposition_that_would_need_its_article(client, request, role):
    """« Conseiller·ère à Mission locale de Strasbourg » lacked its article: whatever the name, the
    role line sets it apart with a separator, and the count says « votre Mission locale »."""
    user = request.getfixturevalue(role)
    name = user.organisation.name
    main = main_of(home(client, user))
    assert f" · {name}" in main
    for preposition in ("à", "de", "dans les dossiers de", "pour"):
        assert f"{preposition} {name}" not in main


# --- Coordinator --------------------------------------------------------------------------------


def test_coordinator_sees_partners_youths_and_signals_with_links(client, mission, coordinator):
    OrganisationFactory(name="Club de Saverne", can_identify=True, territory=area("Club", "67437"))
    OrganisationFactory(name="CSAPA sans repérage", can_identify=False, territory=area("CSAPA", "67300"))
    counsellor = member(Role.COUNSELLOR, mission)
    assign_referent(report("Inès", "Keller"), referent=counsellor, acting_user=counsellor)
    report("Marc", "Antoine")
    report("Zoé", "Vogtlander", code="67300")
    response = home(client, coordinator)
    assertContains(response, "1 partenaire capable de repérer des jeunes intervient sur votre territoire.")
    assertContains(response, "1 commune sur 2 n'a encore aucun partenaire de repérage.")
    assertContains(response, f'href="{reverse("network:coverage")}"')
    assertContains(response, "3 jeunes dans les dossiers de votre Mission locale.")
    assertContains(response, f'href="{reverse("registry:youth_list")}"')
    assertContains(response, "2 jeunes attendent un·e référent·e.")
    assertContains(response, f'href="{reverse("registry:signal_list")}"')
    for empty in ("Aucun partenaire de repérage", "Aucun jeune repéré", "Aucun signalement à trier"):
        assertNotContains(response, empty)
    assert "Keller" not in main_of(response) and "KELLER" not in main_of(response)


def test_coordinator_counts_only_the_youths_of_their_mission_locale(client, coordinator):
    OrganisationFactory(mission_locale=True, territory=area("Colmar", "68066"))
    report("Inès", "Keller", code="68066")
    response = home(client, coordinator)
    assertContains(response, "Aucun jeune repéré")
    assertContains(response, "Aucun signalement à trier")


def test_coordinator_without_partners_or_youths_reads_empty_states(client, coordinator):
    response = home(client, coordinator)
    assertContains(response, "Aucun partenaire de repérage sur votre territoire")
    assertContains(response, "Aucun jeune repéré")
    assertContains(response, "Aucun signalement à trier")
    assertNotContains(response, "Voir la couverture du territoire")
    assertNotContains(response, "Voir la liste des jeunes")


# --- Funder -------------------------------------------------------------------------------------


def running(funder, name="Campagne 2015/2016"):
    today = timezone.localdate()
    return CampaignFactory(
        funder=funder, name=name, starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=300)
    )


NAMES = ["Keller", "Muller", "Haas", "Schmitt", "Weber", "Meyer", "Wagner", "Roth", "Fischer", "Klein", "Wolff"]


def identified_last_month():
    """The funder reads its bilans' cells, arrêtés at the end of last month: date the youths before."""
    before = timezone.now() - timedelta(days=45)
    Signal.objects.update(created_at=before)
    Youth.objects.update(created_at=before)


def test_funder_sees_the_campaign_in_progress_first_with_a_count_and_no_name(client, mission, funder_officer):
    funder = funder_officer.organisation
    today = timezone.localdate()
    CampaignFactory(funder=funder, name="Campagne 2013–2014", starts_on=date(2013, 9, 1), ends_on=date(2014, 8, 31))
    ProjectFactory(campaign=running(funder), carrier=mission)
    for last_name in NAMES:
        report("Léa", last_name)
    identified_last_month()
    response = home(client, funder_officer)
    html = response.content.decode()
    assert html.index("Campagne 2015/2016") < html.index("Campagne 2013–2014")
    assertContains(response, ">en cours</span>")
    assertContains(response, "11 jeunes repérés, toutes Missions locales confondues.")
    # The closed campaign identified nobody: shown, not masked, and singular in French (locale/fr).
    assertContains(response, "0 jeune repéré, toutes Missions locales confondues.")
    assertContains(response, f"Du {format_date(today - timedelta(days=60), 'j F Y')}")
    assertNotContains(response, "Aucune campagne")
    main = main_of(response)  # the menu bar names the user, who may be called Meyer
    for last_name in NAMES:
        assert last_name not in main and last_name.upper() not in main


def test_funder_figures_of_fewer_than_eleven_youths_are_masked(client, mission, funder_officer):
    ProjectFactory(campaign=running(funder_officer.organisation), carrier=mission)
    for last_name in NAMES[:10]:
        report("Léa", last_name)
    identified_last_month()
    response = home(client, funder_officer)
    assertContains(response, "Moins de 11 jeunes repérés (effectif masqué).")
    assertNotContains(response, "10 jeunes")


def test_funder_counts_only_the_youths_of_its_projects_and_never_those_out_of_the_public(
    client, mission, funder_officer
):
    campaign = running(funder_officer.organisation)
    ProjectFactory(campaign=campaign, carrier=mission)
    for last_name in NAMES:
        report("Léa", last_name)  # Saverne: Mission locale of the Pays de Saverne, which carries the project
    # A file closed as « hors public » is not the public the funder pays for.
    close_signal(report("Léa", "Zimmer"), status=SignalStatus.INELIGIBLE, acting_user=member(Role.COUNSELLOR, mission))
    # Strasbourg's Mission locale carries a project for another funder only: its youths are not this one's.
    strasbourg = OrganisationFactory(mission_locale=True, territory=area("Strasbourg", "67482"))
    ProjectFactory(campaign=running(OrganisationFactory(funder=True), name="Autre Région"), carrier=strasbourg)
    for last_name in NAMES:
        report("Karim", last_name, code="67482")
    identified_last_month()
    response = home(client, funder_officer)
    assertContains(response, "11 jeunes repérés, toutes Missions locales confondues.")


def test_funder_sees_only_the_campaigns_of_their_organisation(client, funder_officer):
    running(OrganisationFactory(funder=True), name="Campagne d'un autre financeur")
    response = home(client, funder_officer)
    assertNotContains(response, "Campagne d'un autre financeur")
    assertContains(response, "Aucune campagne pour votre structure")


def test_funder_without_campaign_reads_an_empty_state_and_no_promise_of_a_page(client, funder_officer):
    response = home(client, funder_officer)
    assertContains(response, "Aucune campagne pour votre structure")
    assertContains(response, "apparaîtra ici dès que votre structure en aura une")
    links = re.findall(r'href="([^"]*)"', response.content.decode())
    assert not [link for link in links if "bilan" in link.lower()]


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "funder_officer"])
def test_each_home_runs_a_bounded_number_of_queries(client, request, mission, role, django_assert_max_num_queries):
    user = request.getfixturevalue(role)
    funder = user.organisation if role == "funder_officer" else OrganisationFactory(funder=True)
    past = CampaignFactory(
        funder=funder, name="Campagne 2013–2014", starts_on=date(2013, 9, 1), ends_on=date(2014, 8, 31)
    )
    for campaign in (past, running(funder)):  # whatever the number of projects
        ProjectFactory(campaign=campaign, carrier=mission)
        ProjectFactory(campaign=campaign)
    OrganisationFactory(can_identify=True, territory=area("Club", "67437"))
    for last_name in NAMES:
        report("Léa", last_name)
    import_list(member(Role.COUNSELLOR, mission), "Muller;Léa;03/04/2008;F;Saverne")
    client.force_login(user)
    client.get(reverse("web:home"))  # the funder's first read freezes each campaign's bilan
    with django_assert_max_num_queries(MAX_QUERIES[role]):
        assert client.get(reverse("web:home")).status_code == 200


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "funder_officer"])
def test_headings_follow_each_other_without_a_skip(client, request, mission, role):
    user = request.getfixturevalue(role)
    running(user.organisation if role == "funder_officer" else OrganisationFactory(funder=True))
    report("Léa", "Keller")
    html = home(client, user).content.decode()
    main = html[html.index('id="contenu"') :]
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
