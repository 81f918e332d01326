"""The demo's timesheets and funding claims (reperes.demo.timesheets)."""

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from reperes.demo import campaigns, timesheets
from reperes.demo.accounts import ACCOUNTS
from reperes.network.enums import Role
from reperes.privacy import policy
from reperes.privacy.models import WriteRecord
from reperes.programme.enums import BudgetKind
from reperes.programme.models import Claim, ClaimStatus, Project, TimeEntry, TimeKind, TimeStatus
from reperes.programme.selectors import actions_of, claim_actions, claim_amounts
from tests.demo.login import demo_login

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
BUDGET_KIND = {TimeKind.ENGINEERING: BudgetKind.ENGINEERING, TimeKind.COORDINATION: BudgetKind.COORDINATION}


def _this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _recomputed(claim):
    """The claim's total from its rows: a line per person and kind at the campaign's rate, each
    rounded to the cent, plus the co-financing of the project's actions starting in the period,
    within the campaign's ceiling."""
    campaign = claim.project.campaign
    rates = {TimeKind.ENGINEERING: campaign.engineering_rate, TimeKind.COORDINATION: campaign.coordination_rate}
    lines = defaultdict(Decimal)
    for person, kind, hours in claim.entries.values_list("person_id", "kind", "hours"):
        lines[(person, kind)] += hours
    hours_amount = sum(
        ((hours * rates[kind]).quantize(CENT, rounding=ROUND_HALF_UP) for (_, kind), hours in lines.items()),
        Decimal(0),
    )
    actions = actions_of(claim.project).filter(starts_on__gte=claim.period_start, starts_on__lte=claim.period_end)
    actions_amount = sum(
        (min(a.cofinancing_requested, campaign.action_ceiling(a.cost)) for a in actions),
        Decimal(0),
    )
    return hours_amount, actions_amount


def test_each_closed_campaign_is_wholly_approved_and_claimed_by_half_year_in_sent_claims(demo):
    closed = campaigns.demo_campaigns()[:-1]
    assert closed
    for campaign in closed:
        projects = list(Project.objects.filter(campaign=campaign).select_related("campaign"))
        assert projects
        for project in projects:
            entries = TimeEntry.objects.filter(project=project)
            assert entries.exists(), project.name
            assert not entries.exclude(status=TimeStatus.CLAIMED).exists(), project.name
            claims = list(project.claims.order_by("period_start"))
            assert [(c.period_start, c.period_end) for c in claims] == timesheets.periods(campaign)
            assert {c.status for c in claims} == {ClaimStatus.SENT}
            assert all(c.sent_at is not None and c.sent_at >= c.created_at for c in claims)
            assert sum(c.entries.count() for c in claims) == entries.count()


def test_every_claim_totals_its_hours_at_the_rates_plus_the_actions_co_financing(demo):
    claims = list(Claim.objects.filter(project__campaign__in=campaigns.demo_campaigns()).select_related("project"))
    assert len(claims) > 20
    for claim in claims:
        hours_amount, actions_amount = _recomputed(claim)
        assert (claim.hours_amount, claim.actions_amount) == (hours_amount, actions_amount), claim
        assert claim.total == hours_amount + actions_amount
        assert claim_amounts(claim).total == claim.total
    # The actions of the campaign in progress began after its first quarter: the next claim, over
    # the quarter ended but not claimed yet, co-finances some.
    current = campaigns.demo_campaigns()[-1]
    quarter = timesheets.periods(current)[1]
    assert not Claim.objects.filter(project__campaign=current, period_start=quarter[0]).exists()
    assert any(claim_actions(p, *quarter).exists() for p in Project.objects.filter(campaign=current))


def test_the_hours_stay_within_the_budgets_planned_hours(demo):
    for project in Project.objects.filter(campaign__in=campaigns.demo_campaigns()).select_related("campaign"):
        campaign = project.campaign
        closed = campaign.ends_on < timezone.localdate()
        planned = {line.kind: line.planned for line in project.budget_lines.all()}
        for kind, rate in (
            (TimeKind.ENGINEERING, campaign.engineering_rate),
            (TimeKind.COORDINATION, campaign.coordination_rate),
        ):
            done = TimeEntry.objects.filter(project=project, kind=kind).aggregate(h=Sum("hours"))["h"]
            planned_hours = planned[BUDGET_KIND[kind]] / rate
            share = done / planned_hours
            assert (Decimal("0.8") if closed else Decimal("0.3")) <= share <= 1, (project.name, kind, share)
    # A few hours a week and person, in quarters, on working days.
    entries = TimeEntry.objects.filter(project__campaign__in=campaigns.demo_campaigns())
    assert not entries.filter(hours__gt=6).exists()
    assert all(h % Decimal("0.25") == 0 for h in entries.values_list("hours", flat=True))
    assert all(day.weekday() < 5 for day in entries.values_list("day", flat=True).distinct())


def test_the_hours_are_the_staff_of_the_carrier_and_approved_by_the_lead(demo):
    for entry in TimeEntry.objects.filter(project__campaign__in=campaigns.demo_campaigns()).select_related(
        "project", "person"
    )[:500]:
        assert policy.projects_open_to_hours(entry.person).filter(pk=entry.project_id).exists()
        if entry.status != TimeStatus.SUBMITTED:
            assert entry.reviewed_by_id == entry.project.lead_id
            assert entry.created_at <= entry.reviewed_at <= timezone.now()


def test_the_campaign_in_progress_has_a_claim_approved_hours_a_week_to_approve_and_nothing_this_week(demo):
    current = campaigns.demo_campaigns()[-1]
    this_monday = _this_monday()
    last_monday = this_monday - timedelta(days=7)
    entries = TimeEntry.objects.filter(project__campaign=current)
    assert not entries.filter(day__gte=this_monday).exists()
    assert not entries.filter(status=TimeStatus.DRAFT).exists()
    submitted = entries.filter(status=TimeStatus.SUBMITTED)
    assert submitted.exists()
    assert set(submitted.values_list("day", flat=True)) <= {last_monday + timedelta(days=k) for k in range(7)}
    assert not entries.filter(day__gte=last_monday).exclude(status=TimeStatus.SUBMITTED).exists()
    for project in Project.objects.filter(campaign=current):
        claims = list(project.claims.order_by("period_start"))
        assert claims and {c.status for c in claims} == {ClaimStatus.SENT}, project.name
        assert [(c.period_start, c.period_end) for c in claims] == timesheets.periods(current)[: len(claims)]
        claimed_until = claims[-1].period_end
        assert not entries.filter(project=project, day__gt=claimed_until, status=TimeStatus.CLAIMED).exists()
        assert not entries.filter(project=project, day__lte=claimed_until).exclude(status=TimeStatus.CLAIMED).exists()
    approved = entries.filter(status=TimeStatus.APPROVED)
    assert approved.exists() and not approved.filter(day__gte=last_monday).exists()
    assert approved.filter(day__lt=last_monday - timedelta(days=7)).exists()  # more than the week before


def test_the_demo_coordinator_has_last_weeks_hours_to_approve(demo, client):
    email = next(a["email"] for a in ACCOUNTS if a["role"] == Role.COORDINATOR)
    current = campaigns.demo_campaigns()[-1]
    project = Project.objects.get(campaign=current, lead__email=email)
    waiting = project.time_entries.filter(status=TimeStatus.SUBMITTED)
    assert waiting.exists()
    assert demo_login(client, email)
    response = client.get(reverse("programme:time_review", args=[project.pk]))
    assertContains(response, waiting.first().activity)
    # His own grid of the current week is empty: the browser journey fills it.
    assert not TimeEntry.objects.filter(person__email=email, day__gte=_this_monday()).exists()


def test_loading_twice_duplicates_nothing_and_reset_removes_it(demo):
    before = (TimeEntry.objects.count(), Claim.objects.count(), WriteRecord.objects.count())
    call_command("load_demo", force=True, verbosity=0)
    assert (TimeEntry.objects.count(), Claim.objects.count(), WriteRecord.objects.count()) == before
    timesheets.reset_timesheets()
    assert not TimeEntry.objects.filter(project__campaign__in=campaigns.demo_campaigns()).exists()
    assert not Claim.objects.filter(project__campaign__in=campaigns.demo_campaigns()).exists()
