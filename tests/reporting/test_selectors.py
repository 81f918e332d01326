"""The bilan's figures (issue 13): what each count means, dated at the bilan's reference date, in
a handful of queries whatever the number of youths; every table adds up, and once protected no
small count is published nor can be recomputed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from reperes.exports.tables import Kind, ReportTable
from reperes.network.enums import OrganisationKind
from reperes.pathways.enums import ExitReason
from reperes.programme.disclosure import recoverable_cells
from reperes.programme.selectors import youths_of
from reperes.registry.enums import Barrier, Sex
from reperes.reporting import cells
from reperes.reporting.bilan import Figure, campaign_bilan, project_bilan, publication
from reperes.reporting.cells import at, furthest, stage
from reperes.reporting.enums import AgeBand, Situation
from reperes.reporting.selectors import campaign_counts, reference_date
from tests.programme.factories import CampaignFactory
from tests.registry.factories import ListImportFactory, import_line, staff_of
from tests.reporting.factories import TODAY, action, aware, bilan_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = bilan_world()
    a, b = world.project_a, world.project_b
    world.identify(a, kind="pjj", sex="f", age=17, stage=5)
    world.identify(a, kind="pjj", sex="m", age=19, stage=3, exit=ExitReason.LOST_AGAIN)
    world.identify(a, kind="centre_social", sex="f", age=23, stage=2, barriers=(Barrier.MOBILITY,))
    world.identify(a, kind="prevention_specialisee", sex="m", age=16, stage=1, exit=ExitReason.REFUSED)
    world.identify(b, kind="prevention_specialisee", sex="f", age=20, stage=4, barriers=(Barrier.HOUSING,))
    world.identify(b, kind="mission_locale", sex="", age=24, stage=1)
    return world


def rows_of(counts, **where):
    return sum(r.count for r in counts.pathways if all(getattr(r, k) == v for k, v in where.items()))


def test_the_bilan_counts_each_projects_youths_by_furthest_stage_and_situation(world):
    counts = campaign_counts(world.campaign)
    assert counts.reference_date == world.campaign.ends_on
    assert counts.identified == 6
    for project in (world.project_a, world.project_b):
        assert rows_of(counts, project=project.pk) == youths_of(project).count()
    assert rows_of(counts, project=world.project_a.pk, stage=5) == 1
    assert rows_of(counts, situation=Situation.LOST_AGAIN, stage=3) == 1
    assert rows_of(counts, situation=Situation.REFUSED, stage=1) == 1
    assert rows_of(counts, situation=Situation.IN_PROGRESS) == 4


def test_the_source_is_the_kind_of_the_first_signals_sender_or_the_list(world):
    mission = world.mission_a
    list_import = ListImportFactory(
        created_by=staff_of(mission),
        done=True,
        lines=[import_line("Brucker", "Léa", TODAY - timedelta(days=19 * 366))],
    )
    youth = list_import.rows.get().youth
    type(youth).objects.filter(pk=youth.pk).update(created_at=aware(world.campaign.starts_on + timedelta(days=3)))
    counts = campaign_counts(world.campaign)
    sources = {}
    for row in counts.profiles:
        sources[row.source] = sources.get(row.source, 0) + row.count
    assert sources == {
        OrganisationKind.PJJ: 2,
        OrganisationKind.SOCIAL_CENTRE: 1,
        OrganisationKind.PREVENTION: 2,
        OrganisationKind.MISSION_LOCALE: 1,
        "list_dropout": 1,
    }


def test_the_age_band_is_the_age_on_the_day_of_identification(world):
    counts = campaign_counts(world.campaign)
    ages = {}
    for row in counts.profiles:
        ages[row.age] = ages.get(row.age, 0) + row.count
    # 17 when met (18 today), 16; 19 and 20; 23 and 24.
    assert ages == {AgeBand.MINOR: 2, AgeBand.YOUNG_ADULT: 2, AgeBand.ADULT: 2}


def test_a_campaign_in_progress_counts_up_to_the_end_of_the_previous_month():
    today = date(TODAY.year, TODAY.month, 15)
    world = bilan_world(starts_on=today - timedelta(days=120), ends_on=today + timedelta(days=200))
    assert reference_date(world.campaign, today) == today.replace(day=1) - timedelta(days=1)
    day_before_month = (today.replace(day=1) - world.campaign.starts_on).days - 1
    early = world.identify(world.project_a, stage=1, day=10)
    world.identify(world.project_a, stage=1, day=day_before_month + 2)  # this month: not yet
    # A stage reached this month does not count yet either.
    from reperes.pathways.models import PathwayEvent

    PathwayEvent.objects.create(
        pathway=early.pathways.get(), kind="stage", from_stage=1, stage=2, at=aware(today - timedelta(days=2))
    )
    counts = campaign_counts(world.campaign, today=today)
    assert counts.identified == 1
    assert rows_of(counts, stage=1) == 1
    upcoming = CampaignFactory(starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=300))
    assert reference_date(upcoming, today) is None


def test_actions_sessions_hours_attendance_and_partners_are_counted_per_project(world):
    partner = world.partners[f"pjj:{world.mission_a.pk}"]
    action(world.project_a, partner=partner, sessions=3, minutes=90, youths=world.youths[:2])
    counts = campaign_counts(world.campaign)
    figures = counts.actions[world.project_a.pk]
    assert (figures.actions, figures.sessions, figures.minutes, figures.enrolled) == (1, 3, 270, 2)
    assert (figures.present, figures.absent, figures.cost) == (2, 4, Decimal("1500.00"))
    assert counts.partner_actions == {(world.project_a.pk, OrganisationKind.PJJ): 1}
    assert counts.signals[(world.project_a.pk, OrganisationKind.PJJ)] == 2
    assert counts.budget[(world.project_a.pk, "coordination")] == (Decimal("12000.50"), Decimal("6000.25"))


def test_the_queries_do_not_grow_with_the_youths(world, django_assert_num_queries):
    campaign_counts(world.campaign)  # warm the content types and the like
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        campaign_counts(world.campaign)
    for k in range(12):
        world.identify(world.project_b if k % 2 else world.project_a, stage=1 + k % 5, sex="f" if k % 3 else "m")
    with django_assert_num_queries(len(few.captured_queries)):
        counts = campaign_counts(world.campaign)
    assert counts.identified == 18
    # Thirteen reads; the savepoint and PostgreSQL's « SET LOCAL jit = off » are not reads.
    reads = [q for q in few.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET LOCAL"))]
    assert len(reads) <= 13


# --- Tables that add up, and protection that holds ---------------------------------------------


def numeric(value):
    if isinstance(value, Figure):
        return None if value.suppressed else value.value
    return value


def check_reconciled(table: ReportTable) -> list[str]:
    """Every count or amount of a total row is the sum of the rows above it, when they are all
    published."""
    problems = []
    if table.total is None:
        return problems
    for index, column in enumerate(table.columns):
        if column.kind not in (Kind.INTEGER, Kind.MONEY):
            continue
        total = numeric(table.total[index])
        parts = [numeric(row[index]) for row in table.rows]
        if total is None or any(part is None for part in parts):
            continue
        if sum(parts) != total:
            problems.append(f"{table.title} / {column.header}: {parts} ≠ {total}")
    return problems


def all_published(table: ReportTable) -> bool:
    return not table.has_suppressed


def test_every_total_equals_the_sum_of_its_rows(world, settings):
    settings.REPERES_SMALL_CELL_THRESHOLD = 1  # nothing secret: every total is checked
    action(
        world.project_b,
        partner=world.partners[f"prevention_specialisee:{world.mission_b.pk}"],
        youths=world.youths[4:5],
    )
    bilans = [campaign_bilan(world.campaign)]
    bilans += [project_bilan(p, exact=exact) for p in (world.project_a, world.project_b) for exact in (False, True)]
    problems, checked = [], 0
    for bilan in bilans:
        for table in bilan.tables:
            problems += check_reconciled(table)
            checked += table.total is not None and all_published(table)
    assert not problems, problems
    assert checked >= 20


def test_the_campaigns_figures_are_the_projects_figures_added_up(world):
    published = publication(campaign_counts(world.campaign), exact=True)
    for k in cells.STAGES:
        by_project = [published.values[at(stage(k), project=str(p.pk))] for p in (world.project_a, world.project_b)]
        assert sum(by_project) == published.values[at(stage(k))]
    assert published.values[at(stage(1), sex=Sex.FEMALE)] == 3
    assert published.values[at(furthest(3), situation=Situation.LOST_AGAIN)] == 1


def test_once_protected_no_small_count_is_published_nor_recoverable(world):
    for k in range(25):
        world.identify(world.project_a if k % 3 else world.project_b, stage=1 + k % 4, sex="fm"[k % 2], age=16 + k % 9)
    published = publication(campaign_counts(world.campaign))
    small = [cell for cell, value in published.values.items() if value is not None and 0 < value < 11]
    assert not small
    assert not recoverable_cells(published)
    assert published.secret_cells  # this small campaign has some
    bilan = campaign_bilan(world.campaign)
    assert bilan.note.startswith("secret")
    shown = [cell for table in bilan.tables for row in [*table.rows, table.total or []] for cell in row]
    for cell in shown:
        if isinstance(cell, Figure) and not cell.suppressed and isinstance(cell.value, int):
            assert cell.value == 0 or cell.value >= 11, cell


def test_a_project_bilan_reads_its_cells_from_the_campaigns_publication(world, settings):
    settings.REPERES_SMALL_CELL_THRESHOLD = 2
    campaign = campaign_bilan(world.campaign)
    project = project_bilan(world.project_a)
    (by_project,) = [t for t in campaign.tables if t.title == "Par projet"]
    row = next(r for r in by_project.rows if r[0] == world.project_a.name)
    funnel = project.tables[0]
    assert [numeric(r[1]) for r in funnel.rows] == [numeric(v) for v in row[1:]]


def test_approved_hours_and_sent_claims_are_counted_by_the_bilans_date(world):
    from reperes.programme.models import Claim, ClaimStatus, TimeEntry, TimeKind, TimeStatus

    day = world.campaign.starts_on + timedelta(days=30)
    lead = world.project_a.lead
    for kind, hours, status in (
        (TimeKind.ENGINEERING, Decimal("7.50"), TimeStatus.APPROVED),
        (TimeKind.COORDINATION, Decimal("3.25"), TimeStatus.APPROVED),
        (TimeKind.COORDINATION, Decimal("2.00"), TimeStatus.SUBMITTED),  # not approved: not counted
    ):
        TimeEntry.objects.create(
            person=lead,
            project=world.project_a,
            day=day,
            kind=kind,
            activity=f"réunion {status}",
            hours=hours,
            status=status,
        )
    Claim.objects.create(
        project=world.project_a,
        period_start=world.campaign.starts_on,
        period_end=day,
        status=ClaimStatus.SENT,
        hours_amount=Decimal("360.00"),
        actions_amount=Decimal("600.00"),
        total=Decimal("960.00"),
        created_by=lead,
        sent_at=aware(day + timedelta(days=3)),
    )
    counts = campaign_counts(world.campaign)
    assert counts.hours == {
        (world.project_a.pk, TimeKind.ENGINEERING): Decimal("7.50"),
        (world.project_a.pk, TimeKind.COORDINATION): Decimal("3.25"),
    }
    assert counts.claimed[world.project_a.pk] == (Decimal("360.00"), Decimal("600.00"), Decimal("960.00"))
    (budget,) = [s for s in campaign_bilan(world.campaign).sections if s.key == "budget"]
    hours, claims = budget.tables[2:]
    assert hours.total == ["Total", "7,50 h", "3,25 h"]
    assert claims.total[3] == Decimal("960.00")


def test_the_nightly_pass_freezes_each_bilan_once_and_the_page_then_reads_it(world):
    from django.core.management import call_command

    from reperes.reporting.models import BilanSnapshot
    from reperes.reporting.services import freeze_bilans
    from reperes.reporting.tasks import freeze_bilans_task

    CampaignFactory(starts_on=TODAY - timedelta(days=10), ends_on=TODAY + timedelta(days=300))  # no project
    assert freeze_bilans() == {"frozen": 1, "already": 0}
    snapshot = BilanSnapshot.objects.get()
    assert snapshot.campaign == world.campaign and snapshot.reference_date == world.campaign.ends_on
    # A youth backdated into the campaign after the freeze: the frozen counts keep 6, live ones say 7.
    world.identify(world.project_a, kind="pjj", sex="f", stage=2)
    assert campaign_counts(world.campaign, frozen=snapshot.counts).identified == 6
    assert campaign_counts(world.campaign).identified == 7
    assert freeze_bilans_task.call() == {"frozen": 0, "already": 1}
    call_command("freeze_bilans", verbosity=0)
    assert BilanSnapshot.objects.count() == 1
