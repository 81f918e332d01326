"""Reads of the programme. A youth is identified in the campaign during which their first signal
was received; a record that came without any signal (a list import) counts from its creation.
Merged records are left out: their signals now belong to the record they were merged into.

Projects (see programme.models). A Mission locale carries at most one project per campaign, so a
youth's project is derived, never stored: the youth belongs to the project that the Mission
locale holding their file carries in the campaign during which they were identified — and, when
the project names its own communes rather than its carrier's whole territory, only if they live in
one of them. Files closed as « hors public » (a record that an ineligible signal opened alone, then
closed) belong to no project: they are not the public the funder pays for. A youth identified when
two funders' campaigns overlap belongs to one project of each (projects_of). An action belongs to
the project of its organising Mission locale in the campaign during which it starts (actions_of).
A youth counts as mobilised once a pathway of theirs reached the stage « mobilisé·e ».

These are counts and querysets for reporting and the demo; pages showing youths still go through
privacy.policy, and the funder only ever reads counts (small ones masked by the page)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from reperes.mobilisation.models import Action
from reperes.pathways.enums import Stage
from reperes.pathways.models import Pathway
from reperes.programme.enums import BudgetKind
from reperes.programme.models import BudgetLine, Campaign, Project
from reperes.registry.enums import SignalStatus, YouthStatus
from reperes.registry.models import Signal, Youth
from reperes.territory.models import Territory


def _with_identified_at(youths: QuerySet[Youth]) -> QuerySet[Youth]:
    first_signal = Signal.objects.filter(youth=OuterRef("pk")).order_by("created_at", "pk").values("created_at")[:1]
    return youths.exclude(status=YouthStatus.MERGED).annotate(
        identified_at=Coalesce(Subquery(first_signal, output_field=DateTimeField()), F("created_at"))
    )


def _identified_during(campaign: Campaign) -> Q:
    return Q(identified_at__gte=campaign.received_from, identified_at__lt=campaign.received_before)


def youths_identified_in(campaign: Campaign) -> QuerySet[Youth]:
    """The youths whose first signal was received during the campaign, whatever became of them."""
    return _with_identified_at(Youth.objects.all()).filter(_identified_during(campaign))


def identified_counts(campaigns: QuerySet[Campaign] | None = None) -> dict[int, int]:
    """How many youths each campaign identified, by campaign id, in one query: every Mission
    locale, in a project or not (the funder's figures are project_counts)."""
    campaigns = campaigns if campaigns is not None else Campaign.objects.all()
    listed = list(campaigns)
    if not listed:
        return {}
    totals = _with_identified_at(Youth.objects.all()).aggregate(
        **{f"c{c.pk}": Count("pk", filter=_identified_during(c)) for c in listed}
    )
    return {c.pk: totals[f"c{c.pk}"] for c in listed}


# --- Projects -----------------------------------------------------------------------------------


def _public(youths: QuerySet[Youth]) -> QuerySet[Youth]:
    """Without the files closed as « hors public » (an ineligible signal closed the record it opened)."""
    ineligible = Signal.objects.filter(youth=OuterRef("pk"), status=SignalStatus.INELIGIBLE)
    return youths.exclude(Q(status=YouthStatus.CLOSED) & Exists(ineligible))


def _in_project(project: Project) -> Q:
    """The youths of one project, on a queryset annotated by _with_identified_at. The project must
    come with its campaign (select_related)."""
    condition = _identified_during(project.campaign) & Q(mission_locale_id=project.carrier_id)
    if project.territory_id is not None:
        communes = Territory.communes.through.objects.filter(territory_id=project.territory_id)
        condition &= Q(commune_id__in=communes.values("commune_id"))
    return condition


def _project_youths() -> QuerySet[Youth]:
    return _public(_with_identified_at(Youth.objects.all()))


def youths_of(project: Project) -> QuerySet[Youth]:
    """The youths of the project (module docstring), whatever became of them since."""
    return _project_youths().filter(_in_project(project))


def projects_of(youth: Youth) -> QuerySet[Project]:
    """The projects the youth belongs to: at most one per funder (the campaigns of one funder never
    overlap), none when their Mission locale carries no project in the campaign of their
    identification, or when their file was closed as « hors public »."""
    found = _project_youths().filter(pk=youth.pk).first()
    if found is None:
        return Project.objects.none()
    day = timezone.localdate(found.identified_at)  # type: ignore[attr-defined]
    mission_locale_id, commune_id = found.mission_locale_id, found.commune_id
    own_communes = Territory.communes.through.objects.filter(
        territory_id=OuterRef("territory_id"), commune_id=commune_id
    )
    return Project.objects.filter(
        Q(territory=None) | Q(Exists(own_communes)),
        carrier_id=mission_locale_id,
        campaign__starts_on__lte=day,
        campaign__ends_on__gte=day,
    )


def actions_of(project: Project) -> QuerySet[Action]:
    """The mobilisation actions of the project: those its carrier organises that start during the
    campaign."""
    return Action.objects.filter(
        mission_locale_id=project.carrier_id,
        starts_on__gte=project.campaign.starts_on,
        starts_on__lte=project.campaign.ends_on,
    )


@dataclass(frozen=True)
class ProjectFigures:
    identified: int
    mobilised: int


def project_figures(projects: Iterable[Project]) -> dict[int, ProjectFigures]:
    """Youths identified and youths mobilised so far in each project, by project id, in one query.
    The projects must come with their campaigns (select_related)."""
    listed = list(projects)
    if not listed:
        return {}
    # Annotated first: the aggregate runs over a subquery, where an outer reference would not resolve.
    youths = _project_youths().annotate(
        is_mobilised=Exists(Pathway.objects.filter(youth=OuterRef("pk"), stage__gte=Stage.MOBILISED))
    )
    mobilised = Q(is_mobilised=True)
    aggregates = {}
    for project in listed:
        aggregates[f"i{project.pk}"] = Count("pk", filter=_in_project(project))
        aggregates[f"m{project.pk}"] = Count("pk", filter=_in_project(project) & mobilised)
    totals = youths.aggregate(**aggregates)
    return {p.pk: ProjectFigures(identified=totals[f"i{p.pk}"], mobilised=totals[f"m{p.pk}"]) for p in listed}


def project_counts(campaigns: Iterable[Campaign]) -> dict[int, int]:
    """How many youths the projects of each campaign identified, by campaign id, in two queries
    (the projects, then one aggregate): the funder's figures. A youth counts once per campaign
    (one project per Mission locale and campaign); youths of a Mission locale that carries no
    project there, and files closed as « hors public », do not count."""
    listed = list(campaigns)
    if not listed:
        return {}
    projects: dict[int, list[Project]] = {c.pk: [] for c in listed}
    for project in Project.objects.filter(campaign__in=listed).select_related("campaign"):
        projects[project.campaign_id].append(project)
    aggregates = {}
    for campaign_id, carried in projects.items():
        if carried:
            condition = Q()
            for project in carried:
                condition |= _in_project(project)
            aggregates[f"c{campaign_id}"] = Count("pk", filter=condition)
    totals = _project_youths().aggregate(**aggregates) if aggregates else {}
    return {c.pk: totals.get(f"c{c.pk}", 0) for c in listed}


def budget_of(project: Project) -> list[BudgetLine]:
    """The project's budget lines in the order of BudgetKind, one per kind (unsaved and empty for a
    kind not planned yet)."""
    lines = {line.kind: line for line in project.budget_lines.all()}
    return [lines.get(kind) or BudgetLine(project=project, kind=kind, planned=0, requested=0) for kind in BudgetKind]
