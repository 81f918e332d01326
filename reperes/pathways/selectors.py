"""Reads of the pathway: the timeline of a file, the caseload and its alerts. Always through the
privacy policy. Which youths are at risk is decided by the database (`at_risk_condition`, for the
counts and the « à risque » filter); the alerts' details are computed only for the youths of a
page, in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull, LessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reperes.mobilisation import selectors as mobilisation
from reperes.network.models import Organisation, User
from reperes.pathways.enums import BarrierStatus, EventKind, ReapproachStatus, Stage, barrier_section
from reperes.pathways.models import FollowUp, Pathway, PathwayEvent, Reapproach, YouthBarrier
from reperes.pathways.timeline import TimelineEntry
from reperes.privacy import policy
from reperes.privacy.enums import Section
from reperes.referrals import selectors as referrals
from reperes.registry.enums import Barrier
from reperes.registry.models import Youth

TIMELINE_KINDS = {
    "contact": gettext_lazy("Contacts"),
    "stage": gettext_lazy("Étapes"),
    "note": gettext_lazy("Notes"),
    "referral": gettext_lazy("Orientations"),
    "attendance": gettext_lazy("Actions"),
    "barrier": gettext_lazy("Freins"),
    "project": gettext_lazy("Projet"),
    "outcome": gettext_lazy("Sorties et suivis"),
}
# The caseload's « stage » of a youth whose last pathway is closed (an exit), until they come back.
EXITED = 0


def open_pathway(youth: Youth) -> Pathway | None:
    return Pathway.objects.filter(youth=youth, closed_at=None).first()


def pathway_stage_label(youth: Youth) -> str:
    """« 2. mobilisé·e », or « sorti·e du parcours » when the last pathway is closed."""
    pathways = Pathway.objects.filter(youth=youth).only("stage", "closed_at")
    last = pathways.order_by(F("closed_at").desc(nulls_first=True), "-opened_at").first()
    if last is not None and last.closed_at is not None:
        return _("sorti·e du parcours")
    stage = Stage(last.stage if last is not None else Stage.SPOTTED)
    return f"{stage.value}. {stage.label}"


def current_stage(pathway: Pathway | None) -> int:
    return pathway.stage if pathway is not None else Stage.SPOTTED


def _midnight(day: date) -> datetime:
    """A day's entry sorts with the timestamped ones at the start of that day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _name(user: User | None) -> str:
    return user.get_full_name() if user is not None else _("Repères")


def timeline(user: User, youth: Youth, *, kinds: Iterable[str] = ()) -> list[TimelineEntry]:
    """Everything recorded on the youth's pathways that this user may see, latest first."""
    sections = policy.sections_visible_to(user, youth)
    if Section.PATHWAY not in sections:
        return []
    entries: list[TimelineEntry] = []

    def _entry(
        at: datetime, kind: str, label: str, author: User | None, organisation: object, *args: Any
    ) -> TimelineEntry:
        name = (
            policy.pathway_organisation_label(user, organisation, sections)
            if isinstance(organisation, Organisation)
            else ""
        )
        return _timeline_entry(at, kind, label, author, name, *args)

    events = PathwayEvent.objects.filter(pathway__youth=youth).select_related("author", "organisation")
    for event in events:
        if event.kind == EventKind.STAGE:
            label = _("Étape « %(stage)s »") % {"stage": Stage(event.stage or Stage.SPOTTED).label}
        elif event.kind == EventKind.EXIT:
            label = _("Sortie du parcours : %(reason)s") % {"reason": event.get_exit_reason_display()}
        else:
            label = str(EventKind(event.kind).label)
        entries.append(_entry(event.at, "stage", label, event.author, event.organisation, sections, event.reason))
    attempts = youth.contact_attempts.select_related("author", "organisation", "through")
    for attempt in attempts:
        label = _("Contact (%(channel)s) : %(outcome)s") % {
            "channel": attempt.get_channel_display(),
            "outcome": attempt.get_outcome_display(),
        }
        if attempt.through is not None:
            label += " — " + _("par %(partner)s") % {
                "partner": policy.pathway_organisation_label(user, attempt.through, sections)
            }
        if attempt.decline_reason:
            label += " (" + attempt.get_decline_reason_display() + ")"
        at = _midnight(attempt.happened_on)
        entries.append(_entry(at, "contact", label, attempt.author, attempt.organisation, sections, attempt.note))
    for plan in youth.reapproaches.select_related("created_by", "by_organisation"):
        label = _("Nouvelle approche prévue à partir du %(day)s par %(who)s (%(how)s) — %(status)s") % {
            "day": plan.due_on.strftime("%d/%m/%Y"),
            "who": policy.pathway_organisation_label(user, plan.by_organisation, sections),
            "how": plan.get_how_display(),
            "status": plan.get_status_display(),
        }
        entries.append(_entry(plan.created_at, "contact", label, plan.created_by, None, sections, plan.note))
    entries.extend(
        _entry(note.at, "note", _("Note"), note.author, note.organisation, sections, note.text)
        for note in policy.notes_visible_to(user, youth).select_related("author", "organisation")
    )
    for barrier in youth.barriers.select_related("updated_by", "partner"):
        section = barrier_section(barrier.kind)
        if section not in sections:
            continue
        label = _("Frein « %(kind)s » : %(status)s") % {
            "kind": barrier.get_kind_display(),
            "status": barrier.get_status_display(),
        }
        entries.append(
            _entry(barrier.updated_at, "barrier", label, barrier.updated_by, None, sections, barrier.detail, section)
        )
    for pathway in youth.pathways.prefetch_related("projects__occupation", "projects__validated_by", "outcomes"):
        for project in pathway.projects.all():
            label = _("Projet professionnel validé : %(occupation)s") % {"occupation": project.occupation}
            at = _midnight(project.validated_on)
            entries.append(_entry(at, "project", label, project.validated_by, None, sections, project.text))
    outcomes = FollowUp.objects.filter(outcome__pathway__youth=youth).select_related("outcome", "done_by")
    seen_outcomes = set()
    for follow_up in outcomes:
        outcome = follow_up.outcome
        if outcome.pk not in seen_outcomes:
            seen_outcomes.add(outcome.pk)
            label = _("Entrée : %(kind)s, le %(day)s") % {
                "kind": outcome.get_kind_display(),
                "day": outcome.starts_on.strftime("%d/%m/%Y"),
            }
            entries.append(
                _entry(outcome.recorded_at, "outcome", label, None, None, sections, outcome.organisation_name)
            )
        if follow_up.done_on is not None:
            label = (
                _("Suivi à %(n)d mois : toujours en place")
                if follow_up.still_there
                else _("Suivi à %(n)d mois : n'y est plus")
            ) % {"n": follow_up.months}
            at = _midnight(follow_up.done_on)
            entries.append(_entry(at, "outcome", label, follow_up.done_by, None, sections, follow_up.reason))
    entries += mobilisation.timeline_entries(user, youth)
    entries += referrals.timeline_entries(user, youth)
    wanted = set(kinds)
    if wanted:
        entries = [entry for entry in entries if entry.kind in wanted]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _timeline_entry(
    at: datetime,
    kind: str,
    label: str,
    author: User | None,
    name: str,
    sections: set[str],
    detail: str = "",
    section: str = Section.PATHWAY,
) -> TimelineEntry:
    return TimelineEntry(
        at=at, kind=kind, label=label, author=_name(author), organisation=name, detail=detail, section=section
    )


@dataclass(frozen=True)
class ReportedBarrier:
    kind: str
    label: str
    partners: list[str]


def reported_barriers(user: User, youth: Youth) -> list[ReportedBarrier]:
    """The barriers partners suspected on their signals and nobody confirmed or dismissed yet (« signalés,
    à confirmer »), among those the reader's sections allow."""
    sections = policy.sections_visible_to(user, youth)
    reviewed = set(youth.barriers.values_list("kind", flat=True))
    by_kind: dict[str, list[str]] = defaultdict(list)
    for signal in policy.file_signals_visible_to(user, youth).select_related("organisation"):
        for kind in signal.barriers:
            if kind not in reviewed and kind in Barrier.values:
                by_kind[kind].append(policy.pathway_organisation_label(user, signal.organisation, sections))
    visible = policy.barrier_kinds_visible(sections, sorted(by_kind))
    return [ReportedBarrier(kind, str(Barrier(kind).label), sorted(set(by_kind[kind]))) for kind in visible]


def barriers_of(user: User, youth: Youth) -> list[YouthBarrier]:
    sections = policy.sections_visible_to(user, youth)
    return [b for b in youth.barriers.select_related("partner") if barrier_section(b.kind) in sections]


# --- The caseload and its alerts ----------------------------------------------------------------


@dataclass
class Alert:
    reason: str
    next_step: str
    kind: str  # quiet, reapproach, follow_up, attendance, referral


@dataclass
class CaseloadRow:
    youth: Youth
    stage: int
    last_contact: date | None
    alerts: list[Alert] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


CASELOAD_SORTS = {
    "name": ("sort_name", "pk"),
    "stage": ("stage_now", "sort_name", "pk"),
    "contact": (F("contact_at").asc(nulls_first=True), "sort_name", "pk"),
}


def followed_youths(user: User, *, mine_only: bool = True) -> QuerySet[Youth]:
    """The youths a Mission locale's staff follow: their own, or the whole Mission locale's (no
    annotation: the scope the caseload's subqueries are drawn from)."""
    youths = policy.youths_visible_to(user)
    if not policy.can_follow_youths(user):
        return youths.none()
    return youths.filter(referent=user) if mine_only else youths


def caseload_youths(
    user: User, *, mine_only: bool = True, stage: int | None = None, sort: str = "name"
) -> QuerySet[Youth]:
    """The youths a Mission locale's staff follow (their own, or the whole Mission locale's), with the
    open pathway's stage and last real contact annotated, sorted in French order by default."""
    youths = followed_youths(user, mine_only=mine_only)
    # Whether a youth without an open pathway has a closed one, row by row: a page needs it for its
    # rows only (the counts, for every youth, take another way: `caseload_counts`).
    closed = Pathway.objects.filter(youth=OuterRef("pk"), closed_at__isnull=False).values("youth_id")
    youths = _with_stage(youths, exited=IsNull(Subquery(closed[:1]), False))
    if stage is not None:
        youths = youths.filter(stage_now=stage)  # type: ignore[misc]  # an annotation
    return youths.select_related("commune").order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]))


def _with_stage(youths: QuerySet[Youth], *, exited: Q | IsNull) -> QuerySet[Youth]:
    """`stage_now` (EXITED when the youth has no open pathway and `exited` holds), `contact_at` and
    `opened_at`, from the open pathway: at most one per youth (a unique constraint), so a left join
    and not a subquery per youth."""
    youths = youths.alias(open_pathway=FilteredRelation("pathways", condition=Q(pathways__closed_at=None)))
    return youths.annotate(
        stage_now=Coalesce(
            F("open_pathway__stage"),
            Case(When(exited, then=Value(EXITED)), default=Value(int(Stage.SPOTTED))),
            output_field=IntegerField(),
        ),
        contact_at=F("open_pathway__last_contact_at"),
        opened_at=F("open_pathway__opened_at"),
    )


def _quiet_days(user: User) -> int:
    organisation = user.organisation
    return organisation.quiet_days_alert if organisation is not None else 30


def at_risk_condition(user: User, among: QuerySet[Youth]) -> Q:
    """The rule of `alerts_for` as one condition on a queryset of `caseload_youths` (it reads its
    annotations), for the database to decide which youths are at risk. `among` is the plain set
    those youths are drawn from (`followed_youths`): each alert but the quiet one is the subquery of
    the youth ids it flags among them, computed once by the database, never a list of ids in
    Python; mobilisation and referrals state their own rules."""
    today = timezone.localdate()
    quiet_since = timezone.now() - timedelta(days=_quiet_days(user))
    last_seen = Coalesce(F("contact_at"), F("opened_at"), F("created_at"))
    quiet = Q(LessThan(last_seen, quiet_since)) & ~Q(stage_now__in=[EXITED, Stage.OUTCOME])
    reapproach_due = Reapproach.objects.filter(
        youth__in=among, status=ReapproachStatus.PLANNED, due_on__lte=today
    ).values("youth_id")
    follow_up_due = (
        policy.follow_ups_visible_to(user)
        .filter(outcome__pathway__youth__in=among, done_on=None, due_on__lte=today)
        .values("outcome__pathway__youth_id")
    )
    return (
        quiet
        | Q(pk__in=reapproach_due)
        | Q(pk__in=follow_up_due)
        | Q(pk__in=mobilisation.youth_ids_needing_attention(among=among))
        | Q(pk__in=referrals.youth_ids_needing_attention(among=among))
    )


def at_risk(user: User, youths: QuerySet[Youth], *, mine_only: bool) -> QuerySet[Youth]:
    """The youths of `caseload_youths(user, mine_only=mine_only, …)` (filtered further or not) that
    `alerts_for` would give at least one alert."""
    return youths.filter(at_risk_condition(user, followed_youths(user, mine_only=mine_only)))


def alerts_for(user: User, youths: list[Youth]) -> dict[int, list[Alert]]:
    """For each youth (annotated by `caseload_youths`: the few of a page), why they are at risk of
    being lost again and the next step: no real contact for the Mission locale's number of days, a
    re-approach due, a follow-up due, two missed sessions in a row, a referral expired unanswered.
    A fixed number of queries; `at_risk_condition` is the same rule for the database."""
    today = timezone.localdate()
    alerts: dict[int, list[Alert]] = defaultdict(list)
    ids = [youth.pk for youth in youths]
    quiet_since = timezone.now() - timedelta(days=_quiet_days(user))
    for youth in youths:
        if getattr(youth, "stage_now", Stage.SPOTTED) in (EXITED, Stage.OUTCOME):
            continue  # out of the pathway, or in training or a job: the follow-ups watch them
        last = getattr(youth, "contact_at", None) or getattr(youth, "opened_at", None) or youth.created_at
        if last < quiet_since:
            days = (timezone.now() - last).days
            alerts[youth.pk].append(
                Alert(
                    _("aucun contact depuis %(n)d jours") % {"n": days},
                    _("appeler ou passer par le partenaire qui le ou la connaît"),
                    "quiet",
                )
            )
    due = Reapproach.objects.filter(
        youth_id__in=ids, status=ReapproachStatus.PLANNED, due_on__lte=today
    ).select_related("by_organisation")
    for plan in due:
        alerts[plan.youth_id].append(
            Alert(
                _("a décliné : nouvelle approche prévue depuis le %(day)s")
                % {"day": plan.due_on.strftime("%d/%m/%Y")},
                _("renouer le contact (%(how)s)") % {"how": plan.get_how_display()},
                "reapproach",
            )
        )
    for follow_up in (
        policy.follow_ups_visible_to(user)
        .filter(outcome__pathway__youth_id__in=ids, done_on=None, due_on__lte=today)
        .select_related("outcome__pathway")
    ):
        alerts[follow_up.outcome.pathway.youth_id].append(
            Alert(
                _("suivi à %(n)d mois à faire") % {"n": follow_up.months},
                _("vérifier que le jeune est toujours en formation ou en emploi"),
                "follow_up",
            )
        )
    for youth_id, reason in mobilisation.youths_needing_attention(ids).items():
        alerts[youth_id].append(Alert(reason, _("le ou la rappeler avant la prochaine séance"), "attendance"))
    for youth_id, reason in referrals.youths_needing_attention(ids).items():
        alerts[youth_id].append(Alert(reason, _("relancer le partenaire ou orienter ailleurs"), "referral"))
    return alerts


@dataclass(frozen=True)
class CaseloadCounts:
    """A caseload counted by stage (EXITED for those whose pathway is closed): youths, and youths
    at risk (`at_risk_condition`)."""

    youths: dict[int, int]
    at_risk: dict[int, int]

    def total(self, stage: int | None = None) -> int:
        return self.youths[stage] if stage is not None else sum(self.youths.values())

    def total_at_risk(self, stage: int | None = None) -> int:
        return self.at_risk[stage] if stage is not None else sum(self.at_risk.values())


def caseload_counts(user: User, *, mine_only: bool) -> CaseloadCounts:
    """How many youths of `caseload_youths(user, mine_only=mine_only)` at each stage, and how many of
    them at risk, in one grouped query: no row of the caseload is read, whatever its size."""
    among = followed_youths(user, mine_only=mine_only)
    # Here every youth is counted: the ids of those with a closed pathway are one set, computed
    # once (a subquery per youth would be costed by PostgreSQL as high enough to compile it, JIT,
    # which takes longer than the query).
    closed = Pathway.objects.filter(youth__in=among, closed_at__isnull=False).values("youth_id")
    youths = _with_stage(among, exited=Q(pk__in=closed))
    stages = [*Stage.values, EXITED]
    counts = CaseloadCounts(youths=dict.fromkeys(stages, 0), at_risk=dict.fromkeys(stages, 0))
    by_stage = youths.order_by().values("stage_now")  # type: ignore[misc]  # an annotation
    rows = by_stage.annotate(n=Count("pk"), at_risk=Count("pk", filter=at_risk_condition(user, among)))
    for stage, n, at_risk_n in rows.values_list("stage_now", "n", "at_risk"):
        counts.youths[stage] = n
        counts.at_risk[stage] = at_risk_n
    return counts


def stage_counts(youths: QuerySet[Youth]) -> dict[int, int]:
    """How many youths at each stage (EXITED for those whose pathway is closed), in one query."""
    counts = dict.fromkeys([*Stage.values, EXITED], 0)
    by_stage = youths.order_by().values("stage_now")  # type: ignore[misc]  # an annotation
    counts.update(dict(by_stage.annotate(n=Count("pk")).values_list("stage_now", "n")))
    return counts


def closed_pathway(youth: Youth) -> Pathway | None:
    """The last closed pathway, when no pathway is open (the youth left, and may come back)."""
    if Pathway.objects.filter(youth=youth, closed_at=None).exists():
        return None
    return Pathway.objects.filter(youth=youth).order_by("-closed_at").first()


def barrier_status_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in BarrierStatus.choices if value != BarrierStatus.REPORTED]
