"""The programme's pages (issue 13): who sees which campaign and project, what the funder reads of
the counts, the buttons each role gets, the forms and their refusals, and a bounded number of
queries whatever the number of projects."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import Role
from reperes.programme.enums import PartnerRole
from reperes.programme.models import Project
from reperes.programme.services import add_partner, set_campaign_rules, update_project
from reperes.registry.models import Signal, Youth
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.programme.factories import CampaignFactory, ProjectFactory
from tests.registry.factories import mission_locale
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MAX_QUERIES = 24  # the funder's figures are the frozen bilan's: a few queries per campaign
NAMES = ["Keller", "Muller", "Haas", "Schmitt", "Weber", "Meyer", "Wagner", "Roth", "Fischer", "Klein", "Wolff"]


def member(role: str, organisation):
    # Staff names fixed apart from the youths' NAMES: a random « Klein » would fail the name search.
    return MembershipFactory(
        role=role, organisation=organisation, user__first_name="Dominique", user__last_name="Lambert"
    ).user


@pytest.fixture
def funder():
    return OrganisationFactory(funder=True, name="Région Alsace")


@pytest.fixture
def campaign(funder):
    return CampaignFactory(
        funder=funder,
        name="Campagne 2026/2027",
        starts_on=TODAY - timedelta(days=100),
        ends_on=TODAY + timedelta(days=265),
    )


@pytest.fixture
def saverne():
    return mission_locale("Mission locale du Pays de Saverne", "67437", "67300")


@pytest.fixture
def strasbourg():
    return mission_locale("Mission locale de Strasbourg", "67482")


@pytest.fixture
def coordinator(saverne):
    return member(Role.COORDINATOR, saverne)


@pytest.fixture
def officer(funder):
    return member(Role.FUNDER_OFFICER, funder)


@pytest.fixture
def admin():
    return member(Role.ADMIN, OrganisationFactory(operator=True))


@pytest.fixture
def projects(campaign, saverne, strasbourg, coordinator):
    """Saverne's project (3 youths: a small count) and Strasbourg's (11 youths)."""
    own = ProjectFactory(campaign=campaign, carrier=saverne, lead=coordinator, name="Projet Saverne")
    other = ProjectFactory(campaign=campaign, carrier=strasbourg, name="Projet Strasbourg")
    for name in NAMES[:3]:
        report("Léa", name)
    for name in NAMES:
        report("Karim", name, code="67482")
    # Identified two months ago: the funder reads the bilan's cells, arrêtés at the end of last month.
    before = timezone.now() - timedelta(days=60)
    Signal.objects.update(created_at=before)
    Youth.objects.update(created_at=before)
    return {"own": own, "other": other}


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def main_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


# --- Who sees what --------------------------------------------------------------------------------


def test_a_coordinator_sees_the_project_of_their_mission_locale_only(client, coordinator, projects):
    response = get(client, coordinator, "programme:campaign_list")
    assertContains(response, "Projet Saverne")
    assertNotContains(response, "Projet Strasbourg")
    assert get(client, coordinator, "programme:project_detail", projects["own"].pk).status_code == 200
    assert get(client, coordinator, "programme:project_detail", projects["other"].pk).status_code == 404
    strasbourg_coordinator = member(Role.COORDINATOR, projects["other"].carrier)
    assert get(client, strasbourg_coordinator, "programme:project_detail", projects["own"].pk).status_code == 404


def test_the_funder_sees_every_project_of_its_campaigns_and_nothing_of_another_funders(client, officer, projects):
    response = get(client, officer, "programme:campaign_list")
    assertContains(response, "Projet Saverne")
    assertContains(response, "Projet Strasbourg")
    other_region = member(Role.FUNDER_OFFICER, OrganisationFactory(funder=True))
    assertNotContains(get(client, other_region, "programme:campaign_list"), "Projet Saverne")
    assert get(client, other_region, "programme:project_detail", projects["own"].pk).status_code == 404
    campaign = projects["own"].campaign
    assert get(client, other_region, "programme:campaign_rules", campaign.pk).status_code == 404


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.PARTNER_WORKER])
def test_counsellors_and_partners_never_open_the_programme(client, role, saverne, projects):
    organisation = saverne if role == Role.COUNSELLOR else OrganisationFactory()
    user = member(role, organisation)
    if role == Role.PARTNER_WORKER:
        add_partner(
            projects["own"], acting_user=projects["own"].lead, organisation=organisation, role=PartnerRole.ACTION
        )
    assert get(client, user, "programme:campaign_list").status_code == 404
    assert get(client, user, "programme:project_detail", projects["own"].pk).status_code == 404
    assertNotContains(get(client, user, "web:home"), f'href="{reverse("programme:campaign_list")}"')


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_the_menu_names_the_programme_for_the_funder_and_administrators(client, request, role):
    user = request.getfixturevalue(role)
    assertContains(get(client, user, "web:home"), f'href="{reverse("programme:campaign_list")}"')


# --- What the funder reads ------------------------------------------------------------------------


def test_the_funder_reads_small_counts_as_secret_and_the_coordinator_reads_them(
    client, officer, coordinator, projects
):
    own = projects["own"]
    funder_page = main_of(get(client, officer, "programme:project_detail", own.pk))
    assert "secret pour un objectif de 30" in funder_page
    assert "3 pour un objectif" not in funder_page
    # The campaign's 14 is published: Strasbourg's 11 would give Saverne's 3 back, so it is masked too.
    listing = main_of(get(client, officer, "programme:campaign_list"))
    assert "repérés : 14" in listing and "11 / 30" not in listing and "3 / 30" not in listing
    assert "moins de 11 jeunes, ou masqué" in listing
    # The bilan publishes the same cells as the programme's pages.
    bilan = main_of(get(client, officer, "reporting:campaign", own.campaign_id))
    assert ">14<" in bilan.replace(" ", "") or "14 jeunes" in bilan
    coordinator_page = main_of(get(client, coordinator, "programme:project_detail", own.pk))
    assert "3 pour un objectif de 30" in coordinator_page
    for name in NAMES:
        assert name not in funder_page and name.upper() not in funder_page


def test_buttons_show_only_when_their_action_is_allowed(client, officer, coordinator, projects, campaign):
    own = projects["own"]
    edit = reverse("programme:project_edit", args=[own.pk])
    rules = reverse("programme:campaign_rules", args=[campaign.pk])
    as_funder = get(client, officer, "programme:project_detail", own.pk)
    assertNotContains(as_funder, edit)
    assertNotContains(as_funder, reverse("programme:budget_edit", args=[own.pk]))
    assertNotContains(as_funder, reverse("programme:partner_add", args=[own.pk]))
    assertContains(get(client, officer, "programme:campaign_list"), rules)
    as_coordinator = get(client, coordinator, "programme:project_detail", own.pk)
    assertContains(as_coordinator, edit)
    assertContains(as_coordinator, reverse("programme:partner_add", args=[own.pk]))
    assertNotContains(get(client, coordinator, "programme:campaign_list"), rules)
    assert get(client, coordinator, "programme:campaign_rules", campaign.pk).status_code == 404
    assert get(client, officer, "programme:project_edit", own.pk).status_code == 404


# --- Forms ----------------------------------------------------------------------------------------


def test_a_coordinator_creates_the_project_of_their_mission_locale(client, coordinator, campaign, saverne):
    client.force_login(coordinator)
    form = client.get(reverse("programme:project_create"))
    assertContains(form, "Campagne 2026/2027")
    data = {
        "campaign": campaign.pk,
        "carrier": saverne.pk,
        "name": "Perdus de vue en Pays de Saverne",
        "lead": coordinator.pk,
        "territory": "some",
        "communes": "Molsheim",
        "youths_to_identify": "40",
        "youths_to_mobilise": "25",
    }
    response = client.post(reverse("programme:project_create"), data)
    project = Project.objects.get()
    assert response["Location"] == reverse("programme:project_detail", args=[project.pk])
    assert list(project.territory.communes.values_list("code", flat=True)) == ["67300"]
    again = client.post(reverse("programme:project_create"), data | {"name": "Second"})
    assertContains(again, "porte déjà le projet « Perdus de vue en Pays de Saverne » dans cette campagne")
    bad = client.post(reverse("programme:project_create"), data | {"youths_to_mobilise": "50"})
    assertContains(bad, "plus de jeunes mobilisés que de jeunes repérés")


def test_an_edit_from_a_stale_form_is_refused_with_a_reload_link(client, coordinator, projects, admin):
    own = projects["own"]
    update_project(own, acting_user=admin, version=0, communes=None, description="Par l'administration")
    client.force_login(coordinator)
    data = {
        "version": "0",
        "name": own.name,
        "lead": coordinator.pk,
        "territory": "whole",
        "youths_to_identify": "30",
        "youths_to_mobilise": "20",
        "description": "Par la coordination",
    }
    response = client.post(reverse("programme:project_edit", args=[own.pk]), data)
    assertContains(response, "Ce projet a été modifié entre-temps par")
    assertContains(response, "Recharger le projet tel qu'il est enregistré")
    own.refresh_from_db()
    assert own.description == "Par l'administration"


def test_the_budget_form_names_the_line_above_the_ceiling(client, coordinator, officer, projects):
    own = projects["own"]
    set_campaign_rules(
        own.campaign,
        acting_user=officer,
        version=0,
        engineering_rate=Decimal(35),
        coordination_rate=Decimal(30),
        action_ceiling_percent=Decimal(50),
    )
    client.force_login(coordinator)
    data = {"version": "0", "engineering_planned": "10500", "engineering_requested": "10500"}
    data |= {"actions_planned": "6000", "actions_requested": "4000"}
    response = client.post(reverse("programme:budget_edit", args=[own.pk]), data)
    assertContains(response, "cofinance au plus 50 % du coût des actions de mobilisation")
    assert not own.budget_lines.exists()
    response = client.post(reverse("programme:budget_edit", args=[own.pk]), data | {"actions_requested": "3000"})
    assert response.status_code == 302
    page = get(client, coordinator, "programme:project_detail", own.pk)
    assertContains(page, "16\u00a0500,00 €")  # planned in total
    assertContains(page, "13\u00a0500,00 €")  # asked of the funder


def test_the_funder_sets_its_campaigns_rules_on_a_page(client, officer, campaign):
    client.force_login(officer)
    url = reverse("programme:campaign_rules", args=[campaign.pk])
    data = {"version": "0", "engineering_rate": "35", "coordination_rate": "30", "action_ceiling_percent": "150"}
    assertContains(client.post(url, data), "entre 0 et 100 %")
    response = client.post(url, data | {"action_ceiling_percent": "50"})
    assert response.status_code == 302
    listing = main_of(client.get(reverse("programme:campaign_list")))
    assert "35,00 € de l'heure" in listing and "au plus 50 % de son coût" in listing


def test_a_partner_is_associated_once_from_the_project_page(client, coordinator, projects):
    own = projects["own"]
    club = OrganisationFactory(name="Club sportif Rhin-Ill Boxe")
    client.force_login(coordinator)
    url = reverse("programme:partner_add", args=[own.pk])
    response = client.post(url, {"organisation": club.pk, "role": PartnerRole.ACTION}, follow=True)
    assertContains(response, "Club sportif Rhin-Ill Boxe est partenaire du projet (animation d&#x27;actions).")
    assertContains(response, "Club sportif Rhin-Ill Boxe</a> — animation d&#x27;actions")
    # Already associated: no longer offered, and refused if posted again.
    response = client.post(url, {"organisation": club.pk, "role": PartnerRole.IDENTIFICATION}, follow=True)
    assertContains(response, "Sélectionnez un choix valide")
    partner = own.partners.get()
    response = client.post(reverse("programme:partner_remove", args=[partner.pk]), follow=True)
    assertContains(response, "Club sportif Rhin-Ill Boxe n&#x27;est plus partenaire du projet.")


# --- Queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["programme:campaign_list", "programme:project_detail"])
@pytest.mark.parametrize("role", ["officer", "coordinator"])
def test_pages_run_the_same_queries_whatever_the_number_of_projects(client, request, name, role, projects, campaign):
    user = request.getfixturevalue(role)
    own = projects["own"]
    args = [own.pk] if name == "programme:project_detail" else []
    client.force_login(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name, args=args)).status_code == 200
        return len(captured)

    upcoming = CampaignFactory(  # the funder's figures take a few queries per campaign
        funder=campaign.funder,
        name="Campagne à venir",
        starts_on=TODAY + timedelta(days=300),
        ends_on=TODAY + timedelta(days=600),
    )
    ProjectFactory(campaign=upcoming, carrier=own.carrier, lead=own.lead)
    queries()  # the first read of the campaign's bilan freezes it (reporting.BilanSnapshot)
    few = queries()
    for _ in range(4):
        ProjectFactory(campaign=campaign)
        ProjectFactory(campaign=upcoming)
    add_partner(own, acting_user=own.lead, organisation=OrganisationFactory(), role=PartnerRole.ACTION)
    assert queries() == few <= MAX_QUERIES


def test_headings_follow_each_other_without_a_skip(client, officer, coordinator, projects):
    for user, name, args in [
        (officer, "programme:campaign_list", []),
        (coordinator, "programme:project_detail", [projects["own"].pk]),
        (coordinator, "programme:budget_edit", [projects["own"].pk]),
    ]:
        main = main_of(get(client, user, name, *args))
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (name, levels)


def test_the_funders_figures_are_frozen_once_read_and_a_late_correction_changes_nothing(
    client, officer, coordinator, projects
):
    listing = main_of(get(client, officer, "programme:campaign_list"))
    assert "repérés : 14" in listing
    for name in ("Vogel", "Bauer", "Lang", "Hoffmann", "Kuhn"):  # entered late, dated last month
        report("Léa", name)
    before = timezone.now() - timedelta(days=60)
    Signal.objects.update(created_at=before)
    Youth.objects.update(created_at=before)
    # A recount would publish 19 and Saverne's 8 by difference with an earlier read: the bilan stands.
    assert "repérés : 14" in main_of(get(client, officer, "programme:campaign_list"))
    assert "repérés : 14" in main_of(get(client, officer, "programme:campaign_list"))
    # The coordinator reads the same bilan's exact count (their caseload lists today's youths).
    coordinator_page = main_of(get(client, coordinator, "programme:project_detail", projects["own"].pk))
    assert "3 pour un objectif de 30" in coordinator_page


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_the_menu_names_the_bilans_for_the_funder_and_administrators(client, request, role, projects):
    user = request.getfixturevalue(role)
    page = get(client, user, "web:home").content.decode()
    assert f'<a class="nav-link" href="{reverse("reporting:index")}">Bilans</a>' in page


def test_the_coordinators_home_leads_to_the_bilans_their_menu_has_no_room_for(client, coordinator, projects):
    page = get(client, coordinator, "web:home").content.decode()
    assert f'href="{reverse("reporting:index")}">Bilans</a>' in page
    assert 'class="nav-link" href="' + reverse("reporting:index") not in page


def test_a_coordinator_whose_mission_locale_carries_no_project_is_offered_no_bilans(client, coordinator):
    assertNotContains(get(client, coordinator, "web:home"), f'href="{reverse("reporting:index")}"')
