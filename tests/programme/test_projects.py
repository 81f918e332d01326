"""Projects within a campaign and the campaign's rules (issue 13): what the services refuse and
why, the history they leave, edits made from a stale form, which youths and actions belong to a
project, and the funder's figures scoped to its projects."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from reperes.demo.campaigns import demo_campaigns
from reperes.demo.programme import load_programme
from reperes.mobilisation.enums import ActionFormat, ActionKind
from reperes.mobilisation.models import Action
from reperes.mobilisation.services import create_action
from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.pathways.enums import Stage
from reperes.pathways.services import reach_stage
from reperes.privacy import policy
from reperes.privacy.models import WriteRecord
from reperes.programme.enums import BudgetKind, PartnerRole
from reperes.programme.models import Campaign, Project
from reperes.programme.selectors import (
    ProjectFigures,
    actions_of,
    identified_counts,
    programme_figures,
    project_figures,
    projects_of,
    youths_of,
)
from reperes.programme.services import (
    PlannedLine,
    add_partner,
    create_project,
    remove_partner,
    set_budget_lines,
    set_campaign_rules,
    update_project,
)
from reperes.registry.enums import SignalStatus
from reperes.registry.models import Signal
from reperes.registry.services import close_signal
from reperes.reporting.bilan import programme_figures as bilan_figures
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.programme.factories import CampaignFactory, ProjectFactory
from tests.registry.factories import mission_locale
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def member(role: str, organisation):
    return MembershipFactory(role=role, organisation=organisation).user


@pytest.fixture
def funder():
    return OrganisationFactory(funder=True, name="Région Grand Est")


@pytest.fixture
def campaign(funder):
    """The campaign in progress: began 100 days ago, ends in 265 days."""
    return CampaignFactory(
        funder=funder,
        name="Campagne en cours",
        starts_on=TODAY - timedelta(days=100),
        ends_on=TODAY + timedelta(days=265),
    )


@pytest.fixture
def saverne():
    """A Mission locale over Saverne (67437) and Molsheim (67300)."""
    return mission_locale("Mission locale du Pays de Saverne", "67437", "67300")


@pytest.fixture
def coordinator(saverne):
    return member(Role.COORDINATOR, saverne)


@pytest.fixture
def officer(funder):
    return member(Role.FUNDER_OFFICER, funder)


def new_project(campaign, carrier, user, **fields):
    fields.setdefault("name", "Perdus de vue en Pays de Saverne")
    fields.setdefault("lead", user)
    return create_project(acting_user=user, campaign=campaign, carrier=carrier, **fields)


def errors_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def history(instance) -> list[WriteRecord]:
    return list(WriteRecord.objects.filter(model=instance._meta.label_lower, object_id=instance.pk).order_by("pk"))


# --- The campaign's rules -----------------------------------------------------------------------


def rules(**overrides):
    values = {
        "engineering_rate": Decimal("35"),
        "coordination_rate": Decimal("30"),
        "action_ceiling_percent": Decimal("50"),
        "project_ceiling": None,
    }
    return values | overrides


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"engineering_rate": Decimal("-1")}, "Un taux horaire est un montant positif ou nul."),
        ({"coordination_rate": Decimal("-0.01")}, "Un taux horaire est un montant positif ou nul."),
        ({"action_ceiling_percent": Decimal("120")}, "entre 0 et 100 %"),
        ({"action_ceiling_percent": Decimal("-5")}, "entre 0 et 100 %"),
        ({"project_ceiling": Decimal("-100")}, "Le plafond par projet est un montant positif ou nul."),
    ],
)
def test_campaign_rules_refuse_negative_rates_and_ceilings_outside_0_to_100(campaign, officer, overrides, message):
    with pytest.raises(ValidationError) as excinfo:
        set_campaign_rules(campaign, acting_user=officer, version=0, **rules(**overrides))
    assert message in errors_of(excinfo)
    campaign.refresh_from_db()
    assert campaign.engineering_rate is None and campaign.rules_version == 0


def test_the_funders_officer_sets_the_rules_and_the_change_is_in_the_history(campaign, officer):
    set_campaign_rules(campaign, acting_user=officer, version=0, **rules())
    campaign.refresh_from_db()
    assert (campaign.engineering_rate, campaign.coordination_rate) == (Decimal("35.00"), Decimal("30.00"))
    assert campaign.action_ceiling(Decimal("1500")) == Decimal("750.00")
    set_campaign_rules(campaign, acting_user=officer, version=1, **rules(project_ceiling=Decimal("40000")))
    first, second = history(campaign)
    assert (
        first.user == officer
        and first.after["engineering_rate"] == "35.00"
        and first.before["engineering_rate"] is None
    )
    assert second.before == {"project_ceiling": None} and second.after == {"project_ceiling": "40000.00"}


def test_rules_saved_from_a_stale_form_are_refused(campaign, officer, funder):
    colleague = member(Role.FUNDER_OFFICER, funder)
    set_campaign_rules(campaign, acting_user=colleague, version=0, **rules())
    with pytest.raises(ValidationError, match="modifié entre-temps par") as excinfo:
        set_campaign_rules(campaign, acting_user=officer, version=0, **rules(engineering_rate=Decimal("40")))
    assert colleague.get_full_name() in errors_of(excinfo)
    campaign.refresh_from_db()
    assert campaign.engineering_rate == Decimal("35.00")


def test_only_the_campaigns_funder_and_administrators_set_its_rules(campaign, coordinator):
    other_region = member(Role.FUNDER_OFFICER, OrganisationFactory(funder=True))
    for user in (other_region, coordinator):
        with pytest.raises(ValidationError, match="Seul le financeur"):
            set_campaign_rules(campaign, acting_user=user, version=0, **rules())
    set_campaign_rules(
        campaign, acting_user=member(Role.ADMIN, OrganisationFactory(operator=True)), version=0, **rules()
    )


# --- Projects -----------------------------------------------------------------------------------


def test_a_coordinator_creates_their_mission_locales_project_and_it_is_in_the_history(campaign, saverne, coordinator):
    project = new_project(campaign, saverne, coordinator, youths_to_identify=40, youths_to_mobilise=25)
    assert project.carrier == saverne and project.lead == coordinator and project.territory is None
    (record,) = history(project)
    assert record.action == "create" and record.user == coordinator
    assert record.after["youths_to_identify"] == 40 and record.after["communes"] is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"youths_to_identify": -1}, "Un objectif est un nombre de jeunes, positif ou nul."),
        ({"youths_to_identify": 10, "youths_to_mobilise": 12}, "plus de jeunes mobilisés que de jeunes repérés"),
        ({"name": "  "}, "Donnez un nom au projet."),
    ],
)
def test_a_project_refuses_bad_objectives_and_an_empty_name(campaign, saverne, coordinator, fields, message):
    with pytest.raises(ValidationError, match=message):
        new_project(campaign, saverne, coordinator, **fields)


def test_the_lead_belongs_to_the_carrier_and_the_carrier_is_a_mission_locale(campaign, saverne, coordinator):
    admin = member(Role.ADMIN, OrganisationFactory(operator=True))
    stranger = member(Role.COUNSELLOR, mission_locale("Mission locale de Strasbourg", "67482"))
    with pytest.raises(ValidationError, match="fait partie de l'équipe de la Mission locale porteuse"):
        new_project(campaign, saverne, admin, lead=stranger)
    partner = OrganisationFactory(name="Club de boxe")
    with pytest.raises(ValidationError, match="Un projet est porté par une Mission locale."):
        new_project(campaign, partner, admin, lead=coordinator)


def test_a_mission_locale_carries_one_project_per_campaign(campaign, saverne, coordinator, funder):
    new_project(campaign, saverne, coordinator)
    with pytest.raises(ValidationError, match="porte déjà le projet « Perdus de vue en Pays de Saverne »"):
        new_project(campaign, saverne, coordinator, name="Un second projet")
    upcoming = CampaignFactory(
        funder=funder, starts_on=TODAY + timedelta(days=266), ends_on=TODAY + timedelta(days=600)
    )
    new_project(upcoming, saverne, coordinator)  # the next campaign: a new project


def test_a_coordinator_cannot_create_a_project_elsewhere_nor_in_a_closed_campaign(
    campaign, saverne, coordinator, funder
):
    strasbourg = mission_locale("Mission locale de Strasbourg", "67482")
    with pytest.raises(ValidationError, match="Seule la Mission locale porteuse"):
        new_project(campaign, strasbourg, coordinator, lead=member(Role.COORDINATOR, strasbourg))
    closed = CampaignFactory(funder=funder, starts_on=date(2013, 9, 1), ends_on=date(2014, 12, 31))
    with pytest.raises(ValidationError, match="Cette campagne est close"):
        new_project(closed, saverne, coordinator)
    # An administrator enters a past campaign's projects afterwards.
    admin = member(Role.ADMIN, OrganisationFactory(operator=True))
    assert new_project(closed, saverne, admin, lead=coordinator).campaign == closed


def test_a_projects_communes_lie_within_its_carriers_territory(campaign, saverne, coordinator):
    molsheim, strasbourg = Commune.objects.get(code="67300"), Commune.objects.get(code="67482")
    with pytest.raises(ValidationError, match="pas dans le territoire de la Mission locale porteuse : Strasbourg"):
        new_project(campaign, saverne, coordinator, communes=[molsheim, strasbourg])
    project = new_project(campaign, saverne, coordinator, communes=[molsheim])
    assert list(project.territory.communes.all()) == [molsheim]


def test_an_edit_is_recorded_with_what_changed_and_the_whole_territory_can_come_back(campaign, saverne, coordinator):
    project = new_project(campaign, saverne, coordinator, communes=[Commune.objects.get(code="67300")])
    colleague = member(Role.COUNSELLOR, saverne)
    fields = {"name": project.name, "description": "Repérage en gare", "lead": colleague}
    update_project(project, acting_user=coordinator, version=0, communes=None, youths_to_identify=50, **fields)
    project.refresh_from_db()
    assert project.territory is None and project.lead == colleague and project.version == 1
    record = history(project)[-1]
    assert record.before == {
        "description": "",
        "lead": coordinator.pk,
        "youths_to_identify": 0,
        "communes": ["67300"],
    }
    assert record.after == {
        "description": "Repérage en gare",
        "lead": colleague.pk,
        "youths_to_identify": 50,
        "communes": None,
    }


def test_a_project_saved_from_a_stale_form_is_refused(campaign, saverne, coordinator):
    project = new_project(campaign, saverne, coordinator)
    admin = member(Role.ADMIN, OrganisationFactory(operator=True))
    update_project(project, acting_user=admin, version=0, communes=None, description="Par l'administration")
    with pytest.raises(ValidationError, match="Ce projet a été modifié entre-temps par") as excinfo:
        update_project(project, acting_user=coordinator, version=0, communes=None, description="Par la coordination")
    assert admin.get_full_name() in errors_of(excinfo)
    project.refresh_from_db()
    assert project.description == "Par l'administration"


def test_only_the_carriers_coordinator_and_administrators_edit_a_project(campaign, saverne, coordinator, officer):
    project = new_project(campaign, saverne, coordinator)
    strasbourg_coordinator = member(Role.COORDINATOR, mission_locale("Mission locale de Strasbourg", "67482"))
    for user in (officer, member(Role.COUNSELLOR, saverne), strasbourg_coordinator):
        with pytest.raises(ValidationError, match="Seule la Mission locale porteuse"):
            update_project(project, acting_user=user, version=0, communes=None, description="?")


# --- Partners and budget ------------------------------------------------------------------------


def test_a_partner_is_added_once_with_its_role_and_removed(campaign, saverne, coordinator):
    project = new_project(campaign, saverne, coordinator)
    club = OrganisationFactory(name="Club sportif de Saverne")
    partner = add_partner(project, acting_user=coordinator, organisation=club, role=PartnerRole.IDENTIFICATION)
    with pytest.raises(
        ValidationError, match=r"Club sportif de Saverne est déjà partenaire du projet \(rôle : repérage\)"
    ):
        add_partner(project, acting_user=coordinator, organisation=club, role=PartnerRole.ACTION)
    for organisation in (OrganisationFactory(funder=True), mission_locale("Mission locale de Strasbourg", "67482")):
        with pytest.raises(ValidationError, match="Seuls des partenaires actifs du réseau"):
            add_partner(project, acting_user=coordinator, organisation=organisation, role=PartnerRole.ACTION)
    remove_partner(partner, acting_user=coordinator)
    assert not project.partners.exists()
    added, removed = history(project)[-2:]
    assert added.after == {"partners": [f"{club.pk}:identification"]} and removed.after == {"partners": []}
    with pytest.raises(ValidationError, match="déjà été retiré"):
        remove_partner(partner, acting_user=coordinator)


def budget(**lines):
    return {kind: PlannedLine(*values) for kind, values in lines.items()}


def test_the_budget_keeps_the_funders_share_within_the_amount_and_the_campaigns_ceilings(
    campaign, saverne, coordinator, officer
):
    project = new_project(campaign, saverne, coordinator)
    set_campaign_rules(campaign, acting_user=officer, version=0, **rules(project_ceiling=Decimal("20000")))
    refused = [
        (budget(engineering=(Decimal(1000), Decimal(1200))), "ne peut pas dépasser le montant prévu"),
        (budget(actions=(Decimal(12000), Decimal(6500))), "au plus 50 % du coût des actions de mobilisation"),
        (budget(other=(Decimal(500), Decimal(0))), "Précisez ce que couvre la ligne « autre »."),
        (budget(engineering=(Decimal(-1), Decimal(0))), "Un montant est positif ou nul."),
        (
            budget(engineering=(Decimal(10500), Decimal(10500)), coordination=(Decimal(12000), Decimal(12000))),
            "dépasse le plafond par projet de la campagne",
        ),
    ]
    for lines, message in refused:
        with pytest.raises(ValidationError, match=message):
            set_budget_lines(project, acting_user=coordinator, version=0, lines=lines)
    lines = budget(
        engineering=(Decimal(10500), Decimal(10500)),
        coordination=(Decimal(6000), Decimal(6000)),
        actions=(Decimal(6000), Decimal(3000)),
        other=(Decimal(0), Decimal(0), ""),
    )
    created = set_budget_lines(project, acting_user=coordinator, version=0, lines=lines)
    assert [line.kind for line in created] == [BudgetKind.ENGINEERING, BudgetKind.COORDINATION, BudgetKind.ACTIONS]
    record = history(project)[-1]
    assert record.before == {"budget": {}} and record.after["budget"]["actions"] == ["6000.00", "3000.00", ""]
    with pytest.raises(ValidationError, match="modifié entre-temps"):
        set_budget_lines(project, acting_user=coordinator, version=0, lines=lines)


# --- Which youths and actions belong to a project ------------------------------------------------


def received(signal: Signal, day: date) -> Signal:
    """Backdated as the demo does: send_signal stamps now."""
    Signal.objects.filter(pk=signal.pk).update(created_at=timezone.make_aware(datetime.combine(day, time(10))))
    return signal


def test_a_youth_belongs_to_the_project_of_the_mission_locale_holding_the_file(campaign, saverne, coordinator):
    project = ProjectFactory(campaign=campaign, carrier=saverne, lead=coordinator)
    in_saverne = received(report("Léa", "Keller"), TODAY - timedelta(days=10)).youth
    before = received(report("Inès", "Muller", code="67300"), campaign.starts_on - timedelta(days=1)).youth
    strasbourg = mission_locale("Mission locale de Strasbourg", "67482")
    elsewhere = received(report("Karim", "Haddad", code="67482"), TODAY - timedelta(days=10)).youth
    assert elsewhere.mission_locale == strasbourg
    assert list(youths_of(project)) == [in_saverne]
    assert list(projects_of(in_saverne)) == [project]
    assert not projects_of(before).exists() and not projects_of(elsewhere).exists()


def test_a_project_with_its_own_communes_counts_only_the_youths_living_there(campaign, saverne, coordinator):
    project = create_project(
        acting_user=coordinator,
        campaign=campaign,
        carrier=saverne,
        name="Molsheim",
        lead=coordinator,
        communes=[Commune.objects.get(code="67300")],
    )
    report("Léa", "Keller")  # Saverne
    molsheim = report("Inès", "Muller", code="67300").youth
    assert list(youths_of(project)) == [molsheim]
    assert list(projects_of(molsheim)) == [project]


def test_files_closed_as_out_of_the_public_belong_to_no_project(campaign, saverne, coordinator):
    project = ProjectFactory(campaign=campaign, carrier=saverne, lead=coordinator)
    kept = report("Léa", "Keller").youth
    out = report("Inès", "Muller")
    close_signal(out, status=SignalStatus.INELIGIBLE, acting_user=coordinator)
    assert list(youths_of(project)) == [kept]
    assert not projects_of(out.youth).exists()
    assert identified_counts()[campaign.pk] == 2  # the campaign's own count keeps everyone met


def test_figures_count_the_youths_identified_and_mobilised_in_each_project(campaign, saverne, coordinator):
    project = ProjectFactory(campaign=campaign, carrier=saverne, lead=coordinator)
    youths = [report("Léa", name).youth for name in ("Keller", "Muller", "Haas")]
    assert reach_stage(youths[0], stage=Stage.MOBILISED, acting_user=coordinator, cause="premier rendez-vous")
    other = ProjectFactory(campaign=campaign, carrier=mission_locale("Mission locale de Strasbourg", "67482"))
    assert project_figures([project, other]) == {
        project.pk: ProjectFigures(identified=3, mobilised=1),
        other.pk: ProjectFigures(identified=0, mobilised=0),
    }


def test_the_funders_figures_count_only_its_projects_youths(campaign, saverne, coordinator, funder):
    ProjectFactory(campaign=campaign, carrier=saverne, lead=coordinator)
    report("Léa", "Keller")
    close_signal(report("Inès", "Muller"), status=SignalStatus.INELIGIBLE, acting_user=coordinator)
    mission_locale("Mission locale de Strasbourg", "67482")  # no project: its youths are not the funder's
    report("Karim", "Haddad", code="67482")
    previous = CampaignFactory(funder=funder, starts_on=date(2013, 9, 1), ends_on=date(2014, 12, 31))  # no project
    assert identified_counts() == {campaign.pk: 3, previous.pk: 0}
    figures = programme_figures([campaign, previous]).campaigns
    assert (figures[campaign.pk].identified.value, figures[previous.pk].identified.value) == (1, 0)


def test_an_action_belongs_to_the_project_of_its_mission_locale_in_the_campaign_it_starts_in(
    campaign, saverne, coordinator
):
    project = ProjectFactory(campaign=campaign, carrier=saverne, lead=coordinator)

    def action(starts_on: date):
        return create_action(
            acting_user=coordinator,
            title="Atelier",
            kind=ActionKind.WORKSHOP,
            format=ActionFormat.COLLECTIVE,
            objectives="Se remobiliser",
            partners=[OrganisationFactory()],
            commune=Commune.objects.get(code="67437"),
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=30),
            capacity=8,
            cost=Decimal(1000),
        )

    during = action(TODAY)
    action(campaign.starts_on - timedelta(days=3))
    assert list(actions_of(project)) == [during]


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_has_seven_projects_in_the_first_campaign_then_nine_then_ten(demo, client):
    first, second, current = demo_campaigns()
    assert [Project.objects.filter(campaign=c).count() for c in (first, second, current)] == [7, 9, 10]
    assert list(identified_counts(Campaign.objects.filter(pk__in=[first.pk, second.pk])).values()) == [233, 280]
    assert (first.engineering_rate, first.coordination_rate, first.action_ceiling_percent) == (35, 30, 50)
    for project in Project.objects.select_related("carrier", "lead"):
        assert (
            policy.possible_project_leads(Organisation.objects.filter(pk=project.carrier_id))
            .filter(pk=project.lead_id)
            .exists()
        )
        assert project.partners.exists() and project.budget_lines.count() == 4, project.name
        assert 0 < project.youths_to_mobilise <= project.youths_to_identify
    # Every action of the campaign in progress belongs to the project of its Mission locale.
    assert sum(actions_of(p).count() for p in Project.objects.filter(campaign=current).select_related("campaign")) == (
        Action.objects.filter(starts_on__gte=current.starts_on, starts_on__lte=current.ends_on).count()
    )
    # The seed's 233 youths of the first campaign, all met where one of its seven projects is carried.
    figures = bilan_figures([first]).campaigns[first.pk]
    assert figures.identified.value == 233
    client.force_login(User.objects.get(email="region@reperes.example"))
    assertContains(client.get(reverse("web:home")), "233 jeunes repérés")
    assertContains(client.get(reverse("programme:campaign_list")), "Perdus de vue — Pays de Saverne", count=3)
    assert load_programme() == "déjà chargés"
