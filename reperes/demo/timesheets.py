"""The demo projects' timesheets and funding claims: hours of project engineering and of
coordination entered week by week, approved by the project's lead, and claimed from the Région.

Who. In each project the carrier's coordinator enters the hours of coordination (the demo
coordinator in the Pays de Saverne, the generated one of reperes.demo.reporting elsewhere) and the
project's lead those of engineering; where the lead is the coordinator (Pays de Saverne), a
counsellor of the Mission locale shares the engineering with them. The lead approves every week.

How much. The budget of each project plans ENGINEERING_HOURS and COORDINATION_HOURS
(reperes.demo.programme: 180 h and 260 h, at the campaign's rates of 35 € and 30 € an hour, 36 €
and 31 € in the campaign in progress). A project does FILL of them over its campaign (between 86 %
and 98 %, drawn per project and kind: projects end a little under budget, never over), spread over
its working weeks (none in the weeks holding 1, 8 and 15 August, Christmas and New Year's Day) with
a weekly weight drawn between 0.6 and 1.4. Hours are counted in quarters, cumulatively rounded so
that a project's total is its target to the quarter. That makes about 1.5 h of engineering and 2.5 h
of coordination a week in the two-year campaign, 3.5 h and 5 h in the one-year ones: engineering on
Tuesday (the counsellor's share on Wednesday), coordination on Monday, and on Thursday too when the
week holds 3 h or more.

Claims. The coordinator claims each quarter of the campaign (PERIOD_MONTHS) CLAIM_LAG_DAYS after
its end, on a working day, and sends the claim SEND_LAG_DAYS later, through
programme.services.create_claim and send_claim: the amounts are the approved hours at the
campaign's rates plus the co-financing of the project's mobilisation actions starting in the
quarter, as the service computes them. So the closed campaigns are wholly approved and claimed. In
the campaign in progress (begun 200 days before the day of loading) its first quarter is claimed
and sent; the second ended less than three weeks ago and its hours, with those since, are approved
but not claimed yet (the coordinator can make that claim in the demo: it co-finances the actions
begun in it, reperes.demo.mobilisation); the last full week (Monday to Sunday before today, worked
even when it holds a holiday) is submitted and waits for the lead's approval; nothing is entered in
the current week (a browser journey enters it).

Through the services. The last RECENT_WEEKS full weeks are entered as a person does in the page:
save_week and submit_week per person and week, then review_hours per project and week by the lead
(the last one excepted), all writing their history. Going through them costs about 10 ms an
entry, too slow for the 3 700 entries of three campaigns: the earlier hours are created at once as
approved by the lead (bulk_create), each with its history record of creation written in one
insert per person (audit.record_writes, the snapshot the service writes, status « validée »). The
claims always go through create_claim and send_claim, so that their amounts reconcile with their
rows. Afterwards the demo backdates what the services stamped with `now`: an entry's created_at
(the evening of its day), reviewed_at (the next Monday morning), updated_at (its last move: the
Friday's submission, the approval or the claim), a claim's created_at and sent_at. As elsewhere in
the demo, the privacy log (WriteRecord) keeps the real time of loading."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from random import Random
from typing import Any

from django.utils import timezone

from reperes.demo import alsace
from reperes.demo.reporting import _coordinator as coordinator_of  # made by the « bilans » step
from reperes.network.enums import Role
from reperes.network.models import Membership, User
from reperes.privacy import audit
from reperes.privacy.enums import WriteAction
from reperes.programme.enums import BudgetKind
from reperes.programme.models import QUARTER, Campaign, Claim, Project, TimeEntry, TimeKind, TimeStatus
from reperes.programme.selectors import rate_of, week_token
from reperes.programme.services import GridRow, create_claim, review_hours, save_week, send_claim, submit_week

SEED = 2016
FILL = (0.86, 0.98)
WEIGHT = (0.6, 1.4)
PERIOD_MONTHS = 3
CLAIM_LAG_DAYS = 21
SEND_LAG_DAYS = 3
RECENT_WEEKS = 4  # the last full weeks entered through the services, week by week
TWO_DAYS_FROM = Decimal(3)  # weekly coordination hours from which they are spread over two days

# Days of the week (0 is Monday) on which each share of hours is entered.
ENGINEERING_DAY, SECOND_ENGINEERING_DAY = 1, 2
COORDINATION_DAYS = (0, 3)

ACTIVITIES = {
    TimeKind.ENGINEERING: [
        "Suivi du plan d'actions et du budget",
        "Préparation des actions de mobilisation",
        "Tableau de bord du repérage",
        "Rédaction du bilan intermédiaire",
        "Montage du dossier de financement",
    ],
    TimeKind.COORDINATION: [
        "Réunion des partenaires du maillage",
        "Comité de pilotage du projet",
        "Échanges avec les partenaires repéreurs",
        "Suivi des orientations vers les partenaires",
        "Rencontre avec un nouveau partenaire",
    ],
}


@dataclass(frozen=True)
class Cell:
    """Hours of one person, one day, for one project, kind and activity."""

    person: User
    project: Project
    day: date
    kind: TimeKind
    activity: str
    hours: Decimal


def demo_projects() -> list[Project]:
    return list(
        Project.objects.filter(campaign__funder__name=alsace.FUNDER["name"])
        .select_related("campaign", "carrier", "lead")
        .prefetch_related("budget_lines")
        .order_by("campaign__starts_on", "name", "pk")
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


HOLIDAYS = ((8, 1), (8, 8), (8, 15), (12, 25), (1, 1))  # (month, day): their weeks are off


def _on_holiday(monday: date) -> bool:
    """The weeks nobody works on the project: those holding 1, 8 and 15 August, Christmas, New Year's Day."""
    week = {(d.month, d.day) for d in (monday + timedelta(days=k) for k in range(7))}
    return not week.isdisjoint(HOLIDAYS)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def periods(campaign: Campaign) -> list[tuple[date, date]]:
    """The quarters of a campaign, counted in months from its first day; the last ends with it."""
    spans = []
    start, k = campaign.starts_on, 1
    while start <= campaign.ends_on:
        end = min(_add_months(campaign.starts_on, PERIOD_MONTHS * k) - timedelta(days=1), campaign.ends_on)
        spans.append((start, end))
        start, k = end + timedelta(days=1), k + 1
    return spans


def _quarters(value: Decimal) -> Decimal:
    return (value / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP) * QUARTER


def _spread(total: Decimal, weights: list[float]) -> list[Decimal]:
    """Split a total into quarters of an hour along the weights, rounding cumulatively: the parts
    add up to the total rounded to the quarter."""
    whole = sum(weights)
    parts, done, cumulated = [], Decimal(0), 0.0
    for weight in weights:
        cumulated += weight
        reached = _quarters(total * Decimal(cumulated / whole))
        parts.append(reached - done)
        done = reached
    return parts


def _staff(project: Project, role: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organisation=project.carrier, role=role, is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _plan(project: Project, before: date, rng: Random) -> list[Cell]:
    """The project's hours up to the day before `before` (a Monday), over its whole campaign's pace."""
    campaign = project.campaign
    coordinator = coordinator_of(project.carrier)
    engineers = [project.lead]
    if project.lead == coordinator:
        engineers.append(_staff(project, Role.COUNSELLOR)[0])
    planned = {line.kind: line.planned for line in project.budget_lines.all()}
    mondays = []
    monday = _monday(campaign.starts_on)
    while monday <= campaign.ends_on:
        if not _on_holiday(monday) or monday == before - timedelta(days=7):  # the week to approve is worked
            mondays.append(monday)
        monday += timedelta(days=7)
    cells = []
    for kind, budget_kind in (
        (TimeKind.ENGINEERING, BudgetKind.ENGINEERING),
        (TimeKind.COORDINATION, BudgetKind.COORDINATION),
    ):
        rate = rate_of(campaign, kind)
        if budget_kind not in planned or not rate:
            continue
        target = planned[budget_kind] / rate * Decimal(str(round(rng.uniform(*FILL), 2)))
        weekly = _spread(target, [rng.uniform(*WEIGHT) for _ in mondays])
        for index, (monday, hours) in enumerate(zip(mondays, weekly, strict=True)):
            activity = ACTIVITIES[kind][index % len(ACTIVITIES[kind])]
            if kind == TimeKind.ENGINEERING:
                shares = _spread(hours, [1.0] * len(engineers))
                slots = list(zip(engineers, [[ENGINEERING_DAY], [SECOND_ENGINEERING_DAY]], shares, strict=False))
            else:
                days = list(COORDINATION_DAYS) if hours >= TWO_DAYS_FROM else [COORDINATION_DAYS[0]]
                slots = [(coordinator, days, hours)]
            for person, offsets, share in slots:
                inside = [
                    d
                    for offset in offsets
                    if campaign.starts_on <= (d := monday + timedelta(days=offset)) <= campaign.ends_on and d < before
                ]
                if not inside or share <= 0:
                    continue
                for day, part in zip(inside, _spread(share, [1.0] * len(inside)), strict=True):
                    if part > 0:
                        cells.append(Cell(person, project, day, kind, activity, part))
    return cells


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _created(day: date) -> datetime:
    """Hours are entered on the evening of their day."""
    return _at(day, 18)


def _submitted(day: date) -> datetime:
    """A week is submitted on its Friday afternoon."""
    return _at(_monday(day) + timedelta(days=4), 17, 30)


def _reviewed(day: date) -> datetime:
    """The lead approves a week on the next Monday morning."""
    return _at(_monday(day) + timedelta(days=7), 9, 30)


def _snapshot(entry: TimeEntry) -> dict[str, Any]:
    """What programme.services writes of an entry in its history (_entry_snapshot)."""
    return {
        "project": entry.project_id,
        "day": entry.day.isoformat(),
        "kind": entry.kind,
        "activity": entry.activity,
        "hours": str(entry.hours),
        "status": entry.status,
        "claim": entry.claim_id,
    }


def _bulk_approved(cells: list[Cell]) -> None:
    """Hours of the periods to be claimed, created at once as approved by the project's lead, each
    with its history record of creation (one insert per person)."""
    entries = TimeEntry.objects.bulk_create(
        (
            TimeEntry(
                person=cell.person,
                project=cell.project,
                day=cell.day,
                kind=cell.kind,
                activity=cell.activity,
                hours=cell.hours,
                status=TimeStatus.APPROVED,
                reviewed_by=cell.project.lead,
                reviewed_at=_reviewed(cell.day),
                created_at=_created(cell.day),
                updated_at=_reviewed(cell.day),
                version=2,  # submitted, then approved
            )
            for cell in cells
        ),
        batch_size=500,
    )
    by_person: dict[User, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_person[entry.person].append(entry)
    for person, own in by_person.items():
        audit.record_writes(
            ((entry, _snapshot(entry) | {"reviewed_by": entry.reviewed_by_id}) for entry in own),
            acting_user=person,
            action=WriteAction.CREATE,
        )


def _enter(person: User, monday: date, cells: list[Cell]) -> None:
    """The person's week grid, saved then submitted, as they would in the page."""
    rows: dict[tuple[int, str, str], dict[int, Decimal | None]] = defaultdict(dict)
    for cell in cells:
        rows[(cell.project.pk, cell.kind, cell.activity)][cell.day.weekday()] = cell.hours
    save_week(
        acting_user=person,
        monday=monday,
        version=week_token(person, monday),
        rows=[
            GridRow(key=f"r{i}", project_id=project_id, kind=kind, activity=activity, hours=hours)
            for i, ((project_id, kind, activity), hours) in enumerate(rows.items())
        ],
    )
    submit_week(acting_user=person, monday=monday)


def _backdate(entries: list[TimeEntry]) -> None:
    """The entries written through the services, stamped `now`."""
    for entry in entries:
        entry.created_at = _created(entry.day)
        if entry.status == TimeStatus.SUBMITTED:
            entry.updated_at = _submitted(entry.day)
        else:
            entry.reviewed_at = entry.updated_at = _reviewed(entry.day)
    TimeEntry.objects.bulk_update(entries, ["created_at", "updated_at", "reviewed_at"], batch_size=500)


def _working_day(day: date) -> date:
    """A Saturday or a Sunday moves to the next Monday."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def _claim(project: Project, start: date, end: date, today: date) -> Claim:
    coordinator = coordinator_of(project.carrier)
    claim = send_claim(
        create_claim(project, acting_user=coordinator, period_start=start, period_end=end), acting_user=coordinator
    )
    made_on = _working_day(end + timedelta(days=CLAIM_LAG_DAYS))
    created = _at(made_on, 10)
    sent = _at(min(_working_day(made_on + timedelta(days=SEND_LAG_DAYS)), today - timedelta(days=1)), 15)
    Claim.objects.filter(pk=claim.pk).update(created_at=created, sent_at=sent)
    claim.entries.update(updated_at=created)  # create_claim stamped them `now`
    return claim


def _exists() -> bool:
    funder = alsace.FUNDER["name"]
    return (
        TimeEntry.objects.filter(project__campaign__funder__name=funder).exists()
        or Claim.objects.filter(project__campaign__funder__name=funder).exists()
    )


def load_timesheets() -> str:
    if _exists():
        return "déjà chargées"
    rng = Random(SEED)  # noqa: S311 - synthetic demo data, not security
    today = timezone.localdate()
    this_monday = _monday(today)
    last_monday = this_monday - timedelta(days=7)
    projects = demo_projects()
    claimable = {
        project.pk: [(s, e) for s, e in periods(project.campaign) if e + timedelta(days=CLAIM_LAG_DAYS) < today]
        for project in projects
    }
    recent_from = this_monday - timedelta(days=7 * RECENT_WEEKS)
    bulk: list[Cell] = []
    weeks: dict[tuple[User, date], list[Cell]] = defaultdict(list)
    for project in projects:
        for cell in _plan(project, this_monday, rng):
            if cell.day < recent_from:
                bulk.append(cell)
            else:
                weeks[(cell.person, _monday(cell.day))].append(cell)
    _bulk_approved(bulk)
    for (person, monday), cells in sorted(weeks.items(), key=lambda item: (item[0][1], item[0][0].pk)):
        _enter(person, monday, cells)
    entered = list(TimeEntry.objects.filter(project__in=projects, status=TimeStatus.SUBMITTED))
    for project in projects:
        by_week: dict[date, list[int]] = defaultdict(list)
        for entry in entered:
            if entry.project_id == project.pk and entry.day < last_monday:
                by_week[_monday(entry.day)].append(entry.pk)
        for monday in sorted(by_week):
            review_hours(project, acting_user=project.lead, entry_ids=by_week[monday], approve=True)
    _backdate(list(TimeEntry.objects.filter(pk__in=[e.pk for e in entered])))
    made = [_claim(project, start, end, today) for project in projects for start, end in claimable[project.pk]]
    entries = TimeEntry.objects.filter(project__in=projects)
    hours = sum(entries.values_list("hours", flat=True), Decimal(0))
    waiting = entries.filter(status=TimeStatus.SUBMITTED).count()
    return (
        f"{format(hours.normalize(), 'f').replace('.', ',')} h en {entries.count()} saisies, "
        f"{len(made)} demandes de financement envoyées, {waiting} saisies de la semaine dernière à valider"
    )


def reset_timesheets() -> None:
    """Hours first: a claimed entry protects its claim."""
    funder = alsace.FUNDER["name"]
    TimeEntry.objects.filter(project__campaign__funder__name=funder).delete()
    Claim.objects.filter(project__campaign__funder__name=funder).delete()
