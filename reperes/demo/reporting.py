"""The qualitative part of the demo projects' bilans: strengths and difficulties of each
partnership, in the seed's own categories and in words taken from its « Bilan en matière de
partenariat » (reworded per project, never about a young person).

Each project of the closed campaigns gets two strengths and two or three difficulties, chosen in
turn so that the campaign's bilan shows every category; the projects of the campaign in progress
get one of each, as a coordinator writes them while the year goes. They are written through
reporting.services.save_assessment by a coordinator of the carrying Mission locale: the demo
coordinator for the Pays de Saverne, a generated one elsewhere (an unusable password: never logs
in), so that the history records them as it would."""

from django.contrib.auth.hashers import make_password

from reperes.demo import alsace, campaigns
from reperes.demo.accounts import DEMO_DOMAIN
from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.programme.models import Project
from reperes.reporting.enums import AssessmentCategory as C
from reperes.reporting.enums import AssessmentKind
from reperes.reporting.models import ProjectAssessment
from reperes.reporting.services import save_assessment

STRENGTHS = [
    (
        C.ARTICULATION,
        "Le maillage du territoire s'est mis en place au fil de l'année : chaque partenaire sait à qui "
        "passer le relais, et le parcours du jeune est pris en charge dans sa globalité.",
    ),
    (
        C.INFORMATION,
        "La Mission locale présente mieux son offre de service aux partenaires et au public ; les "
        "partenaires savent ce qu'ils peuvent lui adresser et comment.",
    ),
    (
        C.FIELDS,
        "Les partenaires tiennent un discours commun aux jeunes : les rencontres trimestrielles ont aidé "
        "chacun à connaître le travail des autres.",
    ),
    (
        C.ISOLATED_YOUTHS,
        "L'encadrement renforcé, à deux professionnels, a permis de garder le lien avec les jeunes les plus isolés.",
    ),
    (C.MOBILITY, "Les actions collectives se tiennent au plus près des lieux de vie, ce qui évite les longs trajets."),
]
DIFFICULTIES = [
    (
        C.ARTICULATION,
        "Postures, organisations, objectifs et contraintes diffèrent d'un partenaire à l'autre : "
        "articuler leurs interventions autour du parcours demande du temps de coordination.",
    ),
    (
        C.INFORMATION,
        "Ce que chacun peut dire aux autres d'une situation n'est pas toujours clair : la circulation "
        "des informations entre partenaires reste hésitante.",
    ),
    (
        C.FIELDS,
        "Les champs d'activité de chaque partenaire restent mal connus des autres, surtout des nouveaux "
        "venus dans le maillage.",
    ),
    (
        C.COMMON_LAW_FUNDING,
        "Les dispositifs de droit commun (CEJ, FAJ, École de la 2e chance, aides à la mobilité) "
        "sont mal connus des partenaires, et les partenaires mal connus des financeurs de ces dispositifs.",
    ),
    (
        C.RURAL_ZONES,
        "Dans les communes rurales du territoire, aucun partenaire ne rencontre les jeunes : le "
        "repérage y repose sur les listes de décrocheurs.",
    ),
    (
        C.YOUNG_WOMEN,
        "Les jeunes femmes sont moins souvent repérées : elles fréquentent peu les lieux où vont les "
        "éducateurs de rue.",
    ),
    (
        C.MOBILITY,
        "Sans transport en commun le soir et le week-end, venir aux actions est difficile, et la "
        "mobilisation s'en ressent.",
    ),
    (
        C.ISOLATED_YOUTHS,
        "Les jeunes sans soutien familial cumulent les difficultés (logement, santé, "
        "addictions) : il faut d'abord les lever pour avancer sur un projet.",
    ),
]


def demo_projects() -> list[Project]:
    return list(
        Project.objects.filter(campaign__funder__name=alsace.FUNDER["name"])
        .select_related("campaign", "carrier")
        .order_by("campaign__starts_on", "name", "pk")
    )


def _coordinator(mission: Organisation) -> User:
    """The Mission locale's coordinator: the demo's own, or one generated who never logs in."""
    membership = Membership.objects.filter(organisation=mission, role=Role.COORDINATOR, is_active=True).first()
    if membership is not None:
        return membership.user
    user, _created = User.objects.get_or_create(
        email=f"coordination-{mission.pk}@{DEMO_DOMAIN}",
        defaults={"first_name": "Coordination", "last_name": mission.name, "password": make_password(None)},
    )
    Membership.objects.get_or_create(user=user, organisation=mission, defaults={"role": Role.COORDINATOR})
    return user


def load_assessments() -> str:
    if ProjectAssessment.objects.filter(project__campaign__funder__name=alsace.FUNDER["name"]).exists():
        return "déjà écrits"
    in_progress = campaigns.demo_campaigns()[-1].pk
    written = 0
    for index, project in enumerate(demo_projects()):
        author = _coordinator(project.carrier)
        running = project.campaign_id == in_progress
        strengths = [STRENGTHS[(index + k) % len(STRENGTHS)] for k in range(1 if running else 2)]
        difficulties = [
            DIFFICULTIES[(index * 3 + k) % len(DIFFICULTIES)] for k in range(1 if running else 2 + index % 2)
        ]
        for kind, entries in ((AssessmentKind.STRENGTH, strengths), (AssessmentKind.DIFFICULTY, difficulties)):
            for category, text in entries:
                save_assessment(project, category=category, kind=kind, text=text, version=None, acting_user=author)
                written += 1
    return f"{written} points forts et difficultés"


def reset_assessments() -> None:
    ProjectAssessment.objects.filter(project__campaign__funder__name=alsace.FUNDER["name"]).delete()
