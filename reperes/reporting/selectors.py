"""The bilan's figures for one campaign (issue 13): how many youths of its projects reached each of
the five stages, what became of them, who identified them and who they are; the mobilisation
actions delivered and their attendance; what each kind of partner contributed; the budget.

A handful of aggregate queries per campaign, whatever the number of youths (a GROUP BY each, never
a loop over youths in Python): `campaign_counts` runs thirteen, and reporting.bilan sums the rows
they return into the tables. Which youths and actions belong to a project is programme's rule
(programme.selectors.youths_of and actions_of), used here as it is, one subquery per project.

**The bilan's date.** The funder must not learn anything by comparing two bilans read on different
days (ADR 009, « differences across time »). So a bilan counts what had happened by a fixed date
(`reference_date`): the campaign's last day once it is closed, and while it runs the last day of
the previous month — the figures change once a month, not every day. Everything is dated by that
day: the youths identified before it, the stages reached before it (PathwayEvent.at), the exits
before it, the actions started, the sessions held and the signals received before it.

- **Stage reached**: the highest stage of the youth's pathway events before the date (a pathway
  never goes back: once a youth reached a stage, they count in it and in every stage before it).
  A youth without a pathway yet is at stage 1, identified.
- **Situation**: the exit reason of the youth's last pathway, when it closed before the date;
  « toujours accompagné·e » otherwise (also for a youth who came back after an exit).
- **Source**: the kind of the organisation that sent the youth's first signal; a youth opened by a
  list without any signal, the kind of that list (SIEI / RIO or a partner's).
- **Age band**: the age on the day of identification (the first signal, else the record's creation).
- **Barriers** confirmed on the file (identified, being addressed or lifted; not those only
  reported or not confirmed), counted as they stand: their history is not dated in the model.

These are exact counts. Nothing here is shown to the funder as it is: reporting.bilan protects them
(reperes.programme.disclosure) before any page, chart or export."""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.network.models import User
from reperes.pathways.enums import BarrierStatus, EventKind
from reperes.pathways.models import PathwayEvent, YouthBarrier
from reperes.privacy import policy
from reperes.programme.models import BudgetLine, Campaign, Claim, ClaimStatus, Project, TimeEntry, TimeStatus
from reperes.programme.selectors import actions_of, youths_of
from reperes.registry.enums import BirthPrecision, ListKind
from reperes.registry.models import ImportedRow, Signal, Youth
from reperes.reporting.enums import AgeBand, AssessmentCategory, AssessmentKind, Situation
from reperes.reporting.models import ProjectAssessment, WomenShareReference
from reperes.territory.models import Departement, Territory

# Barriers that count: confirmed on the file, whatever became of them since.
COUNTED_BARRIERS = (BarrierStatus.IDENTIFIED, BarrierStatus.IN_PROGRESS, BarrierStatus.RESOLVED)
# Sources that are not an organisation's kind: a list imported without any signal.
LIST_SOURCES = {ListKind.DROPOUT: "list_dropout", ListKind.PARTNER: "list_partner"}
UNKNOWN = "unknown"


def reference_date(campaign: Campaign, today: date | None = None) -> date | None:
    """The last day the campaign's bilan counts (module docstring): its last day once closed; while
    it runs, the last day of the previous month; None before the end of its first month."""
    today = today or timezone.localdate()
    if today > campaign.ends_on:
        return campaign.ends_on
    last_of_previous_month = today.replace(day=1) - timedelta(days=1)
    if last_of_previous_month < campaign.starts_on:
        return None
    return last_of_previous_month


def _day_after(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# --- What the queries return --------------------------------------------------------------------


@dataclass(frozen=True)
class PathwayRow:
    """Youths of one project, by furthest stage reached, situation and sex."""

    project: int
    stage: int
    situation: str
    sex: str
    count: int


@dataclass(frozen=True)
class ProfileRow:
    """Youths of one project, by who they are and who identified them."""

    project: int
    sex: str
    age: str
    area: str
    departement: str
    source: str
    count: int


@dataclass
class ActionFigures:
    """The mobilisation actions of one project started by the bilan's date."""

    actions: int = 0
    sessions: int = 0
    minutes: int = 0
    cost: Decimal = Decimal(0)
    cofinancing: Decimal = Decimal(0)
    enrolled: int = 0  # youths, each once
    present: int = 0
    absent: int = 0
    excused: int = 0

    @property
    def marked(self) -> int:
        return self.present + self.absent + self.excused


@dataclass
class CampaignCounts:
    """Every exact count of one campaign's bilan, by project id."""

    campaign: Campaign
    projects: list[Project]
    reference_date: date | None
    pathways: list[PathwayRow] = field(default_factory=list)
    profiles: list[ProfileRow] = field(default_factory=list)
    barriers: dict[tuple[int, str], int] = field(default_factory=dict)  # (project, kind) -> youths
    actions: dict[int, ActionFigures] = field(default_factory=dict)
    action_kinds: dict[tuple[int, str], int] = field(default_factory=dict)  # (project, action kind) -> actions
    partner_actions: dict[tuple[int, str], int] = field(default_factory=dict)  # (project, partner kind) -> actions
    signals: dict[tuple[int, str], int] = field(default_factory=dict)  # (project, sender's kind) -> signals
    budget: dict[tuple[int, str], tuple[Decimal, Decimal]] = field(default_factory=dict)  # planned, requested
    hours: dict[tuple[int, str], Decimal] = field(default_factory=dict)  # (project, TimeKind) -> approved hours
    claimed: dict[int, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)  # hours, actions, total
    departements: dict[str, str] = field(default_factory=dict)  # code -> name

    @property
    def identified(self) -> int:
        return sum(row.count for row in self.pathways)


def campaign_projects(campaign: Campaign) -> list[Project]:
    return list(campaign.projects.select_related("campaign", "carrier").order_by("name", "pk"))


def campaign_counts(
    campaign: Campaign, *, today: date | None = None, frozen: Mapping[str, Any] | None = None
) -> CampaignCounts:
    """The exact counts of the campaign's bilan at its reference date: thirteen queries, however
    many youths the campaign holds (tests/reporting/test_selectors.py). With `frozen` (a
    BilanSnapshot's `counts`, see `dump_youth_counts`), the youths' counts are those frozen and only
    the staff hours, claims and budgets are read."""
    projects = campaign_projects(campaign)
    day = reference_date(campaign, today)
    if frozen is not None:
        kept = set(frozen["projects"])  # a project added after the freeze is not in its bilan
        projects = [p for p in projects if p.pk in kept]
    counts = CampaignCounts(campaign=campaign, projects=projects, reference_date=day)
    if not projects or day is None:
        return counts
    before = _day_after(day)
    if frozen is not None:
        _load_youth_counts(counts, frozen)
    else:
        with _reporting_session():
            _count_youths_and_actions(counts, campaign, projects, day, before)
    for line in BudgetLine.objects.filter(project__in=projects):
        counts.budget[(line.project_id, line.kind)] = (line.planned, line.requested)
    _fill_hours_and_claims(counts, day, before)
    codes = {row.departement for row in counts.profiles} - {UNKNOWN}
    counts.departements = dict(Departement.objects.filter(code__in=codes).values_list("code", "name"))
    return counts


def _count_youths_and_actions(
    counts: CampaignCounts, campaign: Campaign, projects: list[Project], day: date, before: datetime
) -> None:
    # A closed campaign's bilan is dated its last day: « identified before the date » is then the
    # campaign's own bound, and repeating it would evaluate each youth's first signal once more.
    youth_sets = {
        p.pk: (
            youths_of(p) if before >= campaign.received_before else youths_of(p).filter(Q(identified_at__lt=before))
        ).values("pk")
        for p in projects
    }
    action_sets = {p.pk: actions_of(p).filter(starts_on__lte=day).values("pk") for p in projects}
    youths = Youth.objects.annotate(project=_keyed("pk", youth_sets)).filter(Q(project__isnull=False))
    counts.pathways, counts.profiles = _youth_rows(youths, before)
    counts.barriers = _barriers(youth_sets)
    _fill_actions(counts, action_sets, before)
    counts.signals = _signals(projects, campaign.received_from, before)


@contextmanager
def _reporting_session() -> Iterator[None]:
    """On PostgreSQL, the bilan's queries run without JIT compilation: their correlated subqueries
    give costs far above its thresholds, and compiling them took a third of the time at 1,000,000
    youths and 85 % at 20,000 (docs/performance.md). SET LOCAL ends with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


# --- Frozen counts (reporting.models.BilanSnapshot) ----------------------------------------------

_KEYED_PARTS = ("barriers", "action_kinds", "partner_actions", "signals")  # dict[(project, code)] -> count


def dump_youth_counts(counts: CampaignCounts) -> dict[str, Any]:
    """The youths' counts of `counts` as JSON: what a BilanSnapshot freezes."""
    return {
        "projects": [p.pk for p in counts.projects],
        "pathways": [asdict(row) for row in counts.pathways],
        "profiles": [asdict(row) for row in counts.profiles],
        "actions": {
            str(project): {
                name: str(value) if isinstance(value, Decimal) else value for name, value in asdict(f).items()
            }
            for project, f in counts.actions.items()
        },
        **{part: [[p, code, n] for (p, code), n in getattr(counts, part).items()] for part in _KEYED_PARTS},
    }


def _load_youth_counts(counts: CampaignCounts, frozen: Mapping[str, Any]) -> None:
    counts.pathways = [PathwayRow(**row) for row in frozen["pathways"]]
    counts.profiles = [ProfileRow(**row) for row in frozen["profiles"]]
    counts.actions = {int(project): _action_figures(figures) for project, figures in frozen["actions"].items()}
    for part in _KEYED_PARTS:
        setattr(counts, part, {(p, code): n for p, code, n in frozen[part]})


_MONEY_FIGURES = {f.name for f in fields(ActionFigures) if f.type in (Decimal, "Decimal")}


def _action_figures(frozen: Mapping[str, Any]) -> ActionFigures:
    values: dict[str, Any] = {name: Decimal(v) if name in _MONEY_FIGURES else v for name, v in frozen.items()}
    return ActionFigures(**values)


def _keyed(field_name: str, sets: dict[int, QuerySet[Any]]) -> Case:
    """The project id of each row whose `field_name` is in one project's set, else NULL. Each set is
    a subquery that does not depend on the row: the database computes it once per query."""
    return Case(
        *(When(**{f"{field_name}__in": members}, then=Value(pk)) for pk, members in sets.items()),
        default=None,
        output_field=IntegerField(),
    )


# --- Youths -------------------------------------------------------------------------------------


def _youth_rows(youths: QuerySet[Youth], before: datetime) -> tuple[list[PathwayRow], list[ProfileRow]]:
    """The pathway rows and the profile rows in one grouped query: each youth's furthest stage,
    situation, age band and source are computed once (correlated subqueries, one pass over the
    youths), then summed apart here. The groups are few (projects × stages × situations × sexes ×
    age bands × areas × départements × sources, most of them empty)."""
    events = PathwayEvent.objects.filter(pathway__youth=OuterRef("pk"), at__lt=before)
    furthest = events.filter(stage__isnull=False).order_by("-stage").values("stage")[:1]
    last_turn = (
        events.filter(kind__in=[EventKind.OPENED, EventKind.REOPENED, EventKind.EXIT])
        .order_by("-at", "-pk")
        .annotate(
            situation=Case(
                When(Q(kind=EventKind.EXIT) & ~Q(exit_reason=""), then=F("exit_reason")),
                default=Value(Situation.IN_PROGRESS),
                output_field=CharField(),
            )
        )
        .values("situation")[:1]
    )
    first_signal = Signal.objects.filter(youth=OuterRef("pk")).order_by("created_at", "pk")
    age_when_identified = Coalesce(
        Subquery(first_signal.annotate(band=age_band(F("created_at"), OuterRef("birth_date"))).values("band")[:1]),
        age_band(F("created_at"), F("birth_date")),
    )
    listed = ImportedRow.objects.filter(youth=OuterRef("pk")).order_by("pk")
    list_kind = Case(
        *(When(list_import__kind=kind, then=Value(code)) for kind, code in LIST_SOURCES.items()),
        default=Value(UNKNOWN),
        output_field=CharField(),
    )
    rows = (
        youths.annotate(
            stage=Coalesce(Subquery(furthest, output_field=IntegerField()), Value(1)),
            situation=Coalesce(Subquery(last_turn, output_field=CharField()), Value(Situation.IN_PROGRESS)),
            age_band=Case(
                When(Q(birth_date=None) | Q(birth_precision=BirthPrecision.UNKNOWN), then=Value(AgeBand.OTHER)),
                default=age_when_identified,
                output_field=CharField(),
            ),
            area=Coalesce(F("commune__area_class"), Value(UNKNOWN)),
            departement=Coalesce(F("commune__departement_id"), Value(UNKNOWN)),
            source=Coalesce(
                Subquery(first_signal.values("organisation__kind")[:1]),
                Subquery(listed.annotate(kind=list_kind).values("kind")[:1]),
                Value(UNKNOWN),
            ),
        )
        .values("project", "stage", "situation", "sex", "age_band", "area", "departement", "source")
        .annotate(count=Count("pk"))
        .order_by()
    )
    pathways: dict[tuple[int, int, str, str], int] = defaultdict(int)
    profiles: dict[tuple[int, str, str, str, str, str], int] = defaultdict(int)
    for r in rows:
        sex = r["sex"] or ""
        pathways[(r["project"], r["stage"], _situation(r["situation"]), sex)] += r["count"]
        key = (r["project"], sex, r["age_band"] or AgeBand.OTHER, r["area"], r["departement"], r["source"])
        profiles[key] += r["count"]
    return (
        [PathwayRow(*key, count) for key, count in sorted(pathways.items())],
        [ProfileRow(*key, count) for key, count in sorted(profiles.items())],
    )


def _situation(value: str) -> str:
    return value if value in Situation.values else Situation.OTHER


def _ymd(value: Expression | F | OuterRef) -> Expression:
    """A date as the number yyyymmdd: the difference of two of them, divided by 10,000, is an age."""
    return ExtractYear(value) * 10000 + ExtractMonth(value) * 100 + ExtractDay(value)


def age_band(on: Expression | F, birth: Expression | F | OuterRef) -> Case:
    """The AgeBand of someone born on `birth`, on the day `on` (a date or a datetime, read in the
    platform's time zone), computed by the database: yyyymmdd(on) − yyyymmdd(birth) is the age
    times 10,000 plus a remainder under 10,000, whatever type EXTRACT returns."""
    difference = _ymd(on) - _ymd(birth)
    bands = ((16, 18, AgeBand.MINOR), (18, 22, AgeBand.YOUNG_ADULT), (22, 26, AgeBand.ADULT))
    return Case(
        *(
            When(
                GreaterThanOrEqual(difference, low * 10000) & LessThan(difference, high * 10000),
                then=Value(band),
            )
            for low, high, band in bands
        ),
        default=Value(AgeBand.OTHER),
        output_field=CharField(),
    )


def _barriers(youth_sets: dict[int, QuerySet[Any]]) -> dict[tuple[int, str], int]:
    rows = (
        YouthBarrier.objects.filter(status__in=COUNTED_BARRIERS)
        .annotate(project=_keyed("youth_id", youth_sets))
        .filter(Q(project__isnull=False))
        .values("project", "kind")
        .annotate(count=Count("pk"))  # one barrier of a kind per youth
        .order_by()
    )
    return {(r["project"], r["kind"]): r["count"] for r in rows}


# --- Actions, partners, signals -----------------------------------------------------------------


def _fill_actions(counts: CampaignCounts, action_sets: dict[int, QuerySet[Any]], before: datetime) -> None:
    figures: dict[int, ActionFigures] = defaultdict(ActionFigures)
    actions = Action.objects.annotate(project=_keyed("pk", action_sets)).filter(Q(project__isnull=False))
    for r in (
        actions.values("project", "kind")
        .annotate(count=Count("pk"), cost=Sum("cost"), cofinancing=Sum("cofinancing_requested"))
        .order_by()
    ):
        line = figures[r["project"]]
        line.actions += r["count"]
        line.cost += r["cost"] or Decimal(0)
        line.cofinancing += r["cofinancing"] or Decimal(0)
        counts.action_kinds[(r["project"], r["kind"])] = r["count"]
    sessions = Session.objects.filter(starts_at__lt=before).annotate(project=_keyed("action_id", action_sets))
    for held in (
        sessions.filter(Q(project__isnull=False))
        .values("project")
        .annotate(count=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by()
    ):
        figures[held["project"]].sessions, figures[held["project"]].minutes = held["count"], held["minutes"] or 0
    enrolments = Enrolment.objects.filter(enrolled_at__lt=before).annotate(project=_keyed("action_id", action_sets))
    for enrolled in (
        enrolments.filter(Q(project__isnull=False))
        .values("project")
        .annotate(count=Count("youth_id", distinct=True))
        .order_by()
    ):
        figures[enrolled["project"]].enrolled = enrolled["count"]
    marks = Attendance.objects.filter(session__starts_at__lt=before).annotate(
        project=_keyed("session__action_id", action_sets)
    )
    for mark in (
        marks.filter(Q(project__isnull=False)).values("project", "status").annotate(count=Count("pk")).order_by()
    ):
        setattr(figures[mark["project"]], mark["status"], mark["count"])
    counts.actions = dict(figures)
    run = Action.partners.through.objects.annotate(project=_keyed("action_id", action_sets))
    for ran in (
        run.filter(Q(project__isnull=False))
        .values("project", "organisation__kind")  # type: ignore[misc]  # an annotation of the through model
        .annotate(count=Count("action_id", distinct=True))
        .order_by()
    ):
        counts.partner_actions[(ran["project"], ran["organisation__kind"])] = ran["count"]


def _fill_hours_and_claims(counts: CampaignCounts, day: date, before: datetime) -> None:
    """Staff hours approved by the project's lead (or already claimed) up to the bilan's date, and
    the funding claims sent to the funder by then (programme's timesheets and claims)."""
    for h in (
        TimeEntry.objects.filter(
            project__in=counts.projects, status__in=[TimeStatus.APPROVED, TimeStatus.CLAIMED], day__lte=day
        )
        .values("project", "kind")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        counts.hours[(h["project"], h["kind"])] = h["total"] or Decimal(0)
    for c in (
        Claim.objects.filter(project__in=counts.projects, status=ClaimStatus.SENT, sent_at__lt=before)
        .values("project")
        .annotate(hours=Sum("hours_amount"), actions=Sum("actions_amount"), total=Sum("total"))
        .order_by()
    ):
        counts.claimed[c["project"]] = (c["hours"] or Decimal(0), c["actions"] or Decimal(0), c["total"] or Decimal(0))


def _signals(projects: list[Project], since: datetime, before: datetime) -> dict[tuple[int, str], int]:
    """Signals received by each project's carrier during the campaign, by the sender's kind: every
    report a partner made, those that opened no file (contact opportunities, youths out of the
    public) included. A project over its own communes counts the signals about those communes."""
    conditions = []
    for project in projects:
        condition = Q(mission_locale_id=project.carrier_id)
        if project.territory_id is not None:
            communes = Territory.communes.through.objects.filter(territory_id=project.territory_id)
            condition &= Q(commune_id__in=communes.values("commune_id"))
        conditions.append(When(condition, then=Value(project.pk)))
    rows = (
        Signal.objects.filter(created_at__gte=since, created_at__lt=before)
        .annotate(project=Case(*conditions, default=None, output_field=IntegerField()))
        .filter(Q(project__isnull=False))
        .values("project", "organisation__kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(r["project"], r["organisation__kind"]): r["count"] for r in rows}


# --- The qualitative part -----------------------------------------------------------------------


def assessments_shown(project: Project | None, campaign: Campaign | None, *, user: User) -> list[ProjectAssessment]:
    """The strengths and difficulties shown with a bilan: the project's own, or with a campaign's,
    those of its projects the user reads (policy.bilan_projects_visible_to); none across campaigns.
    By category, then strengths before difficulties."""
    projects: QuerySet[Project]
    if project is not None:
        projects = Project.objects.filter(pk=project.pk)
    elif campaign is not None:
        projects = policy.bilan_projects_visible_to(user).filter(campaign=campaign)
    else:
        return []
    order = {category: index for index, category in enumerate(AssessmentCategory.values)}
    found = list(ProjectAssessment.objects.filter(project__in=projects).select_related("project"))
    return sorted(found, key=lambda a: (order[a.category], a.kind != AssessmentKind.STRENGTH, a.project.name, a.pk))


# --- The gender lens's reference ----------------------------------------------------------------


@dataclass(frozen=True)
class WomenShare:
    share: Decimal  # a ratio
    year: int
    source: str


def women_share_references() -> dict[str, WomenShare]:
    """The share of young women among the 16–25 year-olds, by département code ("": France), as the
    administrators keep it (WomenShareReference; an estimate until INSEE's figures are entered)."""
    return {r.departement_code: WomenShare(r.share, r.year, r.source) for r in WomenShareReference.objects.all()}
