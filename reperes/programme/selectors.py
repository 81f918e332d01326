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
privacy.policy, and the funder only ever reads counts, the bilan's protected cells (reporting.bilan)."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from reperes.exports.tables import Column, Kind, ReportTable
from reperes.mobilisation.models import Action
from reperes.network.models import User
from reperes.pathways.enums import Stage
from reperes.pathways.models import Pathway
from reperes.programme.disclosure import Shown
from reperes.programme.enums import BudgetKind
from reperes.programme.models import BudgetLine, Campaign, Claim, ClaimStatus, Project, TimeEntry, TimeKind
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
    locale, in a project or not (the funder's figures are programme_figures)."""
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


@dataclass(frozen=True)
class FiguresShown:
    """The youths identified and mobilised, as the page may show them: each count, « secret », or
    « — » for a project added since its campaign's bilan was last drawn up (counted in the next)."""

    identified: Shown | str
    mobilised: Shown | str


@dataclass(frozen=True)
class ProgrammeFigures:
    """What the programme's pages show of their counts: per project, per campaign (its projects'
    totals), and the footnote when a count is secret."""

    projects: dict[int, FiguresShown]
    campaigns: dict[int, FiguresShown]
    note: str = ""


def programme_figures(campaigns: Iterable[Campaign]) -> ProgrammeFigures:
    """The exact figures of the campaigns' projects today, in three queries (projects, then one
    aggregate): for the carrier's coordinator, whose staff hold the files. Readers who never see a
    person read the bilan's frozen, protected cells instead (reporting.bilan.programme_figures)."""
    listed = list(campaigns)
    projects = list(Project.objects.filter(campaign__in=listed).select_related("campaign"))
    counts = project_figures(projects)
    by_campaign: dict[int, list[Project]] = {c.pk: [] for c in listed}
    for project in projects:
        by_campaign[project.campaign_id].append(project)
    return ProgrammeFigures(
        projects={
            pk: FiguresShown(Shown(found.identified, 0), Shown(found.mobilised, 0)) for pk, found in counts.items()
        },
        campaigns={
            campaign_id: FiguresShown(
                Shown(sum(counts[p.pk].identified for p in carried), 0),
                Shown(sum(counts[p.pk].mobilised for p in carried), 0),
            )
            for campaign_id, carried in by_campaign.items()
        },
    )


def budget_of(project: Project) -> list[BudgetLine]:
    """The project's budget lines in the order of BudgetKind, one per kind (unsaved and empty for a
    kind not planned yet)."""
    lines = {line.kind: line for line in project.budget_lines.all()}
    return [lines.get(kind) or BudgetLine(project=project, kind=kind, planned=0, requested=0) for kind in BudgetKind]


# --- Timesheets and claims ----------------------------------------------------------------------

CENT = Decimal("0.01")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_token(person: User, monday: date) -> str:
    """What the week grid was built from: the ids and versions of the person's hours that week. A
    save from a grid whose token changed since is refused (another tab, another device)."""
    pairs = TimeEntry.objects.filter(person=person).of_week(monday).order_by("pk").values_list("pk", "version")
    return hashlib.sha256(";".join(f"{pk}:{version}" for pk, version in pairs).encode()).hexdigest()[:16]


def line_amount(hours: Decimal, rate: Decimal) -> Decimal:
    """The amount of one line of hours: hours × rate, rounded half up to the cent. Totals are sums
    of rounded lines, never the rounding of a sum, so that every total of a claim is exactly the sum
    of the lines printed above it."""
    return (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class HoursLine:
    person_id: int
    person_name: str
    kind: TimeKind
    hours: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ActionLine:
    action_id: int
    title: str
    starts_on: date
    cost: Decimal
    requested: Decimal
    ceiling: Decimal | None
    counted: Decimal  # the co-financing requested, within the campaign's ceiling

    @property
    def over_ceiling(self) -> bool:
        return self.ceiling is not None and self.requested > self.ceiling


@dataclass(frozen=True)
class ClaimAmounts:
    hours_lines: list[HoursLine]
    action_lines: list[ActionLine]
    hours_amount: Decimal
    actions_amount: Decimal
    total: Decimal


def rate_of(campaign: Campaign, kind: str) -> Decimal | None:
    return campaign.engineering_rate if kind == TimeKind.ENGINEERING else campaign.coordination_rate


def claim_actions(project: Project, period_start: date, period_end: date) -> QuerySet[Action]:
    """The project's actions (actions_of) that start in the period: their co-financing is claimed
    with the hours of the period."""
    return actions_of(project).filter(starts_on__gte=period_start, starts_on__lte=period_end)


def amounts_of(project: Project, entries: Iterable[TimeEntry], actions: Iterable[Action]) -> ClaimAmounts:
    """The lines and totals of a claim (Decimal throughout): one line of hours per person and kind
    at the campaign's rate (line_amount), one line per action with its co-financing kept within
    the campaign's ceiling (an action over it is flagged, and counted at the ceiling). The project
    must come with its campaign; the entries with their persons."""
    campaign = project.campaign
    grouped: dict[tuple[int, str], Decimal] = {}
    names: dict[int, str] = {}
    for entry in entries:
        key = (entry.person_id, entry.kind)
        grouped[key] = grouped.get(key, Decimal(0)) + entry.hours
        names[entry.person_id] = entry.person.get_full_name()
    hours_lines = []
    for (person_id, kind), hours in sorted(grouped.items(), key=lambda item: (names[item[0][0]], item[0])):
        rate = rate_of(campaign, kind) or Decimal(0)
        hours_lines.append(
            HoursLine(person_id, names[person_id], TimeKind(kind), hours, rate, line_amount(hours, rate))
        )
    action_lines = []
    for action in sorted(actions, key=lambda a: (a.starts_on, a.pk)):
        ceiling = campaign.action_ceiling(action.cost)
        counted = action.cofinancing_requested if ceiling is None else min(action.cofinancing_requested, ceiling)
        action_lines.append(
            ActionLine(
                action.pk, action.title, action.starts_on, action.cost, action.cofinancing_requested, ceiling, counted
            )
        )
    hours_amount = sum((line.amount for line in hours_lines), Decimal(0))
    actions_amount = sum((line.counted for line in action_lines), Decimal(0))
    return ClaimAmounts(hours_lines, action_lines, hours_amount, actions_amount, hours_amount + actions_amount)


def claim_amounts(claim: Claim) -> ClaimAmounts:
    """The claim's amounts computed again from its rows: its locked hours and the project's actions
    of its period. They equal the stored amounts unless an action changed since (the report says so);
    a cancelled claim holds no hours and claims nothing."""
    project = claim.project
    if claim.status == ClaimStatus.CANCELLED:
        return amounts_of(project, [], [])
    entries = claim.entries.select_related("person")
    return amounts_of(project, entries, claim_actions(project, claim.period_start, claim.period_end))


def claim_tables(claim: Claim, amounts: ClaimAmounts) -> list[ReportTable]:
    """The financial report of a claim as report tables (page, XLSX, PDF): the same Decimal cells
    everywhere, so that the file's totals are the page's."""
    hours = ReportTable(
        title=gettext("Heures d'ingénierie et de coordination"),
        columns=[
            Column(gettext("Personne")),
            Column(gettext("Nature")),
            Column(gettext("Heures"), Kind.QUANTITY),
            Column(gettext("Taux horaire"), Kind.MONEY),
            Column(gettext("Montant"), Kind.MONEY),
        ],
        rows=[
            [line.person_name, str(line.kind.label), line.hours, line.rate, line.amount]
            for line in amounts.hours_lines
        ],
        total=[
            gettext("Total des heures"),
            "",
            sum((line.hours for line in amounts.hours_lines), Decimal(0)),
            None,
            amounts.hours_amount,
        ],
        footnotes=[
            gettext(
                "Chaque ligne est arrondie au centime (au plus proche, la moitié vers le haut) ; "
                "le total est la somme des lignes."
            )
        ],
    )
    actions = ReportTable(
        title=gettext("Cofinancement des actions de mobilisation"),
        columns=[
            Column(gettext("Action")),
            Column(gettext("Début")),
            Column(gettext("Coût"), Kind.MONEY),
            Column(gettext("Demandé"), Kind.MONEY),
            Column(gettext("Plafond"), Kind.MONEY),
            Column(gettext("Retenu"), Kind.MONEY),
        ],
        rows=[
            [
                line.title + (" *" if line.over_ceiling else ""),
                line.starts_on.strftime("%d/%m/%Y"),
                line.cost,
                line.requested,
                line.ceiling,
                line.counted,
            ]
            for line in amounts.action_lines
        ],
        total=[gettext("Total des actions"), "", None, None, None, amounts.actions_amount],
        footnotes=[gettext("* Action au-delà du plafond de cofinancement de la campagne : retenue au plafond.")]
        if any(line.over_ceiling for line in amounts.action_lines)
        else [],
    )
    total = ReportTable(
        title=gettext("Total de la demande"),
        columns=[Column(gettext("Poste")), Column(gettext("Montant"), Kind.MONEY)],
        rows=[[gettext("Heures"), amounts.hours_amount], [gettext("Actions de mobilisation"), amounts.actions_amount]],
        total=[gettext("Total demandé"), amounts.total],
    )
    return [hours, actions, total]
