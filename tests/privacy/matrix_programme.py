"""The permission matrix's lines for reperes.programme (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rules' docstrings (reperes/privacy/rules/programme.py).
RELATIONS: project_id -> own (the project Mission locale A carries in the campaign in progress of
  the world's funder), other (Mission locale B's project in another funder's campaign);
  project_partner_id -> own (partner P in A's project), other (partner R in B's project);
  campaign_id -> own (the world's funder's campaign), other (another funder's).
populate(world): creates both campaigns, both projects and their partners through the services.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reperes.privacy import policy
from reperes.programme.enums import PartnerRole
from reperes.programme.models import Claim, ClaimStatus
from reperes.programme.services import add_partner, create_campaign, create_project
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.privacy.test_permission_matrix import (
    ADMIN,
    COORDINATOR,
    FUNDER,
    ML_STAFF,
    NOBODY,
    Rule,
    form,
    get,
    post,
)

RELATIONS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({"project_id"}): ("own", "other"),
    frozenset({"project_partner_id"}): ("own", "other"),
    frozenset({"campaign_id"}): ("own", "other"),
    # claim_id -> own (a claim sent for A's project), other (one sent for B's project).
    frozenset({"claim_id"}): ("own", "other"),
}

EDITORS = frozenset({COORDINATOR, ADMIN})

EXPECTED: dict[str, Rule] = {
    # can_view_programme + campaigns_visible_to: coordinators (campaigns where their Mission locale
    # carries a project), the funder (its own) and administrators (all); counsellors and partner
    # workers never.
    "programme:campaign_list": get(none={COORDINATOR, FUNDER, ADMIN}),
    # can_edit_campaign_rules: the officers of the campaign's funder and administrators. An empty
    # body does not say which version of the rules it saw: refused on the page (reaching the view).
    "programme:campaign_rules": get(
        own={FUNDER, ADMIN}, other={ADMIN}, action=form(own={FUNDER, ADMIN}, other={ADMIN})
    ),
    # can_create_projects: a Mission locale's coordinator and administrators (an empty body is
    # refused by the form).
    "programme:project_create": get(none=EDITORS, action=form(none=EDITORS)),
    # projects_visible_to: the carrier's coordinator, the campaign's funder, administrators; the
    # coordinator of another Mission locale and the funder of another campaign get 404.
    "programme:project_detail": get(own={COORDINATOR, FUNDER, ADMIN}, other={ADMIN}),
    # can_edit_project: the carrier's coordinator and administrators; the funder reads only.
    "programme:project_edit": get(own=EDITORS, other={ADMIN}, action=form(own=EDITORS, other={ADMIN})),
    "programme:budget_edit": get(own=EDITORS, other={ADMIN}, action=form(own=EDITORS, other={ADMIN})),
    # POST-only, same rule; an empty body is refused with a message and a redirect to the project.
    "programme:partner_add": post(lambda world: {}, own=EDITORS, other={ADMIN}),
    # project_partners_editable_by: the partners of the projects the user edits.
    "programme:partner_remove": post(lambda world: {}, own=EDITORS, other={ADMIN}),
    # can_enter_hours: counsellors and coordinators of a Mission locale, each their own week.
    "programme:timesheet": get(none=ML_STAFF, action=form(none=ML_STAFF)),
    # projects_approvable_by: the project's lead only (A's coordinator leads A's project).
    "programme:time_review": get(own={COORDINATOR}, other=NOBODY, action=form(own={COORDINATOR}, other=NOBODY)),
    # projects_visible_to reads the claims (claims_visible_to); can_create_claims: the carrier's coordinator.
    "programme:claim_list": get(
        own={COORDINATOR, FUNDER, ADMIN}, other={ADMIN}, action=form(own={COORDINATOR}, other=NOBODY)
    ),
    # claims_visible_to: the carrier's coordinator, the funder of the campaign once sent, administrators.
    "programme:claim_detail": get(own={COORDINATOR, FUNDER, ADMIN}, other={ADMIN}),
    "programme:claim_xlsx": get(own={COORDINATOR, FUNDER, ADMIN}, other={ADMIN}),
    "programme:claim_pdf": get(own={COORDINATOR, FUNDER, ADMIN}, other={ADMIN}),
    # can_create_claims sends; can_unlock_hours (the carrier's coordinator, administrators) unlocks.
    "programme:claim_send": post(lambda world: {}, own={COORDINATOR}, other=NOBODY),
    "programme:claim_unlock": post(lambda world: {}, own={COORDINATOR, ADMIN}, other={ADMIN}),
}


def populate(world: Any) -> dict[str, dict[str, int]]:
    today = timezone.localdate()
    dates = {"starts_on": today - timedelta(days=100), "ends_on": today + timedelta(days=265)}
    funder = world.users[FUNDER].organisation
    own = create_campaign(funder=funder, name="Campagne en cours", **dates)
    other = create_campaign(funder=OrganisationFactory(funder=True), name="Campagne d'une autre Région", **dates)
    mission_a = world.users[COORDINATOR].organisation
    mission_b = world.other_signal.mission_locale
    coordinator = world.users[COORDINATOR]
    project_a = create_project(
        acting_user=coordinator, campaign=own, carrier=mission_a, name="Projet de A", lead=coordinator
    )
    admin = world.users[ADMIN]
    lead_b = policy.possible_referents(mission_b).first() or MembershipFactory(organisation=mission_b).user
    project_b = create_project(acting_user=admin, campaign=other, carrier=mission_b, name="Projet de B", lead=lead_b)
    partner_a = add_partner(
        project_a, acting_user=coordinator, organisation=world.partner, role=PartnerRole.IDENTIFICATION
    )
    partner_b = add_partner(
        project_b, acting_user=admin, organisation=world.other_signal.organisation, role=PartnerRole.ACTION
    )
    sent = {"status": ClaimStatus.SENT, "sent_at": timezone.now(), "period_start": today, "period_end": today}
    claim_a = Claim.objects.create(project=project_a, created_by=coordinator, **sent)
    claim_b = Claim.objects.create(project=project_b, created_by=admin, **sent)
    return {
        "claim_id": {"own": claim_a.pk, "other": claim_b.pk},
        "project_id": {"own": project_a.pk, "other": project_b.pk},
        "project_partner_id": {"own": partner_a.pk, "other": partner_b.pk},
        "campaign_id": {"own": own.pk, "other": other.pk},
    }
