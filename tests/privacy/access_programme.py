"""The access log's lines for reperes.programme (merged into READS by test_access_log).

No programme page names a young person: campaigns, projects, partners, budgets and counts of
youths (protected for the funder and the administrator). populate(world) gives the world's funder
a campaign in progress in which Mission locale A carries a project with partner P, in which the
world's youths of A count: the pages show their number, never their names.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reperes.programme.enums import PartnerRole
from reperes.programme.models import Claim, ClaimStatus
from reperes.programme.services import add_partner, create_campaign, create_project
from tests.privacy.test_access_log import NoYouth, Read
from tests.privacy.test_permission_matrix import Route

READS: dict[str, NoYouth | tuple[Read, ...]] = {
    "programme:campaign_list": NoYouth("campaigns, their rules, projects and counts of youths"),
    "programme:campaign_rules": NoYouth("the form of a campaign's rules"),
    "programme:project_create": NoYouth("the form of a new project"),
    "programme:project_detail": NoYouth("a project, its partners, budget and counts of youths"),
    "programme:project_edit": NoYouth("the form of a project"),
    "programme:budget_edit": NoYouth("the form of a project's budget"),
    "programme:partner_add": NoYouth("adds a partner and redirects", method="POST"),
    "programme:partner_remove": NoYouth("removes a partner and redirects", method="POST"),
    "programme:timesheet": NoYouth("the user's own week of hours"),
    "programme:time_review": NoYouth("hours of staff waiting for the lead's approval"),
    "programme:claim_list": NoYouth("a project's funding claims"),
    "programme:claim_detail": NoYouth("a claim: staff hours, rates, actions and amounts"),
    "programme:claim_xlsx": NoYouth("the claim as a workbook"),
    "programme:claim_pdf": NoYouth("the claim as a PDF"),
    "programme:claim_send": NoYouth("sends a claim and redirects", method="POST"),
    "programme:claim_unlock": NoYouth("unlocks hours and redirects", method="POST"),
}


def populate(world: Any) -> dict[str, Any]:
    today = timezone.localdate()
    # Began before the world's signals were received: its youths count in A's project.
    campaign = create_campaign(
        funder=world.users["funder"].organisation,
        name="Campagne en cours",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=265),
    )
    coordinator = world.users["coordinator"]
    project = create_project(
        acting_user=coordinator,
        campaign=campaign,
        carrier=coordinator.organisation,
        name="Projet de A",
        lead=coordinator,
        youths_to_identify=20,
        youths_to_mobilise=10,
    )
    partner = add_partner(project, acting_user=coordinator, organisation=world.partner, role=PartnerRole.MOBILISATION)
    claim = Claim.objects.create(
        project=project, created_by=coordinator, period_start=today, period_end=today, status=ClaimStatus.DRAFT
    )
    return {
        "programme_campaign": campaign,
        "programme_project": project,
        "programme_partner": partner,
        "programme_claim": claim,
    }


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    if route.arguments == {"project_id"}:
        return {"project_id": world.extra["programme_project"].pk}
    if route.arguments == {"project_partner_id"}:
        return {"project_partner_id": world.extra["programme_partner"].pk}
    if route.arguments == {"claim_id"}:
        return {"claim_id": world.extra["programme_claim"].pk}
    if route.arguments == {"campaign_id"}:
        return {"campaign_id": world.extra["programme_campaign"].pk}
    return None
