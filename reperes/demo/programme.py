"""The demo campaigns' projects, partners, budgets and rules, consistent with the seed.

Projects. The seed says that seven projects were carried in the first campaign (2013 to the end of
2014), each by a Mission locale that steers it and coordinates its partnership. The demo gives them
to the seven Missions locales that met the most young people then; the three others (Centre
Alsace, Trois Frontières, Sundgau: the rural south, where the seed says partners able to identify
youths were lacking) carry none and identify nobody in it (reperes.demo.youths), so the bilan counts
the seed's 233 youths in the seven projects. The second campaign has nine projects (Centre Alsace
and Trois Frontières join; its 280 youths live in their areas), the one in progress ten: every
Mission locale runs mobilisation actions in it (reperes.demo.mobilisation), and each action belongs to the project of
its Mission locale (programme.selectors.actions_of). Every project covers its carrier's whole
territory.

Partners. Each project associates the demo partners standing in its carrier's territory, each in
the role its kind suggests (street educators and school services identify, clubs run actions,
health, housing and justice services take referrals, training bodies lead to a job).

Figures. The rules, objectives and budgets are synthetic, of plausible size only: 35 € an hour of
project engineering and 30 € of coordination (36 € and 31 € in the campaign in progress), at most
50 % of an action's cost co-financed, at most 30 000 € (then 32 000 €) per project; objectives
scaled on the youths each Mission locale met; a budget of engineering and coordination hours at
the campaign's rates, the mobilisation actions (those of the Mission locale when it has some, else
a planned sum) co-financed at the ceiling, and a small « autre » line paid by the Mission locale.

Everything goes through the services, as the administrator (who may enter a past campaign's
projects) and the funder's officer (who sets the rules): the history records them."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count

from reperes.demo import alsace, campaigns
from reperes.demo.accounts import ACCOUNTS
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.privacy import policy
from reperes.programme.enums import BudgetKind, PartnerRole
from reperes.programme.models import Campaign, Project
from reperes.programme.selectors import actions_of, youths_identified_in
from reperes.programme.services import PlannedLine, add_partner, create_project, set_budget_lines, set_campaign_rules

PLACES = {
    "Mission locale de Strasbourg": "Strasbourg",
    "Mission locale d'Alsace du Nord": "Alsace du Nord",
    "Mission locale du Pays de Saverne": "Pays de Saverne",
    "Mission locale de Molsheim et de la Bruche": "Molsheim et vallée de la Bruche",
    "Mission locale du Centre Alsace (Sélestat)": "Centre Alsace",
    "Mission locale de Colmar": "Colmar",
    "Mission locale de Mulhouse": "Mulhouse",
    "Mission locale des Trois Frontières (Saint-Louis)": "Trois Frontières",
    "Mission locale du Sundgau (Altkirch)": "Sundgau",
    "Mission locale Thur-Doller et Florival": "Thur-Doller et Florival",
}
assert set(PLACES) == {ml.name for ml in alsace.MISSIONS_LOCALES}

LATE_CARRIERS = {  # the Missions locales without a project in a campaign, by campaign (oldest first)
    0: {
        "Mission locale du Centre Alsace (Sélestat)",
        "Mission locale des Trois Frontières (Saint-Louis)",
        "Mission locale du Sundgau (Altkirch)",
    },
    1: {"Mission locale du Sundgau (Altkirch)"},
    2: set(),
}


@dataclass(frozen=True)
class Rules:
    engineering_rate: Decimal
    coordination_rate: Decimal
    action_ceiling_percent: Decimal
    project_ceiling: Decimal


RULES = [
    Rules(Decimal(35), Decimal(30), Decimal(50), Decimal(30_000)),
    Rules(Decimal(35), Decimal(30), Decimal(50), Decimal(30_000)),
    Rules(Decimal(36), Decimal(31), Decimal(50), Decimal(32_000)),
]

ROLES = {
    OrganisationKind.PREVENTION: PartnerRole.IDENTIFICATION,
    OrganisationKind.SCHOOL: PartnerRole.IDENTIFICATION,
    OrganisationKind.PJJ: PartnerRole.IDENTIFICATION,
    OrganisationKind.SOCIAL_CENTRE: PartnerRole.MOBILISATION,
    OrganisationKind.SPORT_CULTURE: PartnerRole.ACTION,
    OrganisationKind.OTHER_PARTNER: PartnerRole.ACTION,
    OrganisationKind.CSAPA: PartnerRole.ORIENTATION,
    OrganisationKind.HEALTH: PartnerRole.ORIENTATION,
    OrganisationKind.HOUSING: PartnerRole.ORIENTATION,
    OrganisationKind.TRAINING: PartnerRole.TRAINING,
    OrganisationKind.E2C: PartnerRole.TRAINING,
}

# Hours planned per project: engineering, then coordination (the Région pays both at its rates).
ENGINEERING_HOURS, COORDINATION_HOURS = 180, 260
PLANNED_ACTIONS = Decimal(8_000)  # when the Mission locale has no action in the demo's campaign
OTHER = ("communication et déplacements", Decimal(900))


def _account(role: str) -> User:
    return User.objects.get(email=next(a["email"] for a in ACCOUNTS if a["role"] == role))


def _lead(mission: Organisation) -> User:
    """Its coordinator when it has one (the demo's, in the Pays de Saverne), else a counsellor."""
    coordinator = Membership.objects.filter(organisation=mission, role=Role.COORDINATOR, is_active=True).first()
    if coordinator is not None:
        return coordinator.user
    lead = policy.possible_project_leads(Organisation.objects.filter(pk=mission.pk)).first()
    assert lead is not None, mission.name
    return lead


def _objective(met: int) -> int:
    """A little above what the Mission locale met: projects aim higher than they reach."""
    return max(10, round(met * 1.15 / 5) * 5)


def _budget(campaign: Campaign, project: Project, rules: Rules) -> dict[str, PlannedLine]:
    actions = list(actions_of(project))
    planned_actions = sum((a.cost for a in actions), Decimal(0)) or PLANNED_ACTIONS
    engineering = rules.engineering_rate * ENGINEERING_HOURS
    coordination = rules.coordination_rate * COORDINATION_HOURS
    ceiling = campaign.action_ceiling(planned_actions)
    assert ceiling is not None
    label, other = OTHER
    return {
        BudgetKind.ENGINEERING: PlannedLine(engineering, engineering),
        BudgetKind.COORDINATION: PlannedLine(coordination, coordination),
        BudgetKind.ACTIONS: PlannedLine(
            planned_actions, min(ceiling, rules.project_ceiling - engineering - coordination)
        ),
        BudgetKind.OTHER: PlannedLine(other, Decimal(0), label),
    }


def _partners(mission: Organisation) -> list[Organisation]:
    assert mission.territory is not None
    return list(
        Organisation.objects.active()
        .partners()
        .filter(commune__in=mission.territory.communes.all(), kind__in=list(ROLES))
        .order_by("name")
    )


def demo_projects() -> list[Project]:
    return list(
        Project.objects.filter(campaign__in=campaigns.demo_campaigns()).order_by("campaign__starts_on", "name")
    )


def load_programme() -> str:
    if demo_projects():
        return "déjà chargés"
    admin, officer = _account(Role.ADMIN), _account(Role.FUNDER_OFFICER)
    missions = {m.name: m for m in Organisation.objects.missions_locales().select_related("territory")}
    for index, campaign in enumerate(campaigns.demo_campaigns()):
        rules = RULES[index]
        campaign = set_campaign_rules(campaign, acting_user=officer, version=campaign.rules_version, **asdict(rules))
        met = dict(
            youths_identified_in(campaign)
            .values_list("mission_locale__name")
            .annotate(n=Count("pk"))
            .values_list("mission_locale__name", "n")
        )
        for name in sorted(set(PLACES) - LATE_CARRIERS[index]):
            mission = missions[name]
            identify = _objective(met.get(name, 0))
            project = create_project(
                acting_user=admin,
                campaign=campaign,
                carrier=mission,
                name=f"Perdus de vue — {PLACES[name]}",
                lead=_lead(mission),
                description=(
                    f"Repérer les jeunes décrocheurs du territoire ({PLACES[name]}) avec les partenaires du "
                    "maillage, les remobiliser par des actions collectives et individuelles, puis les accompagner "
                    "vers la validation d'un projet professionnel et l'accès à la formation ou à l'emploi."
                ),
                youths_to_identify=identify,
                youths_to_mobilise=round(identify * 0.6),
            )
            for partner in _partners(mission):
                add_partner(
                    project, acting_user=admin, organisation=partner, role=ROLES[OrganisationKind(partner.kind)]
                )
            set_budget_lines(
                project, acting_user=admin, version=project.version, lines=_budget(campaign, project, rules)
            )
    counts = [str(Project.objects.filter(campaign=c).count()) for c in campaigns.demo_campaigns()]
    return f"projets par campagne : {' / '.join(counts)}, avec partenaires, objectifs, budgets et règles"


def reset_programme() -> None:
    projects = Project.objects.filter(campaign__funder__name=alsace.FUNDER["name"])
    territories = [p.territory for p in projects.exclude(territory=None).select_related("territory")]
    projects.delete()  # partners and budget lines go with them (CASCADE)
    for territory in territories:
        assert territory is not None
        territory.delete()
