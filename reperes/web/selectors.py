"""Reads behind the home pages: counts only, never a young person's name. Mission locale staff's
counts go through the privacy policy (directly or through the selector of the page the count links
to); the funder's are the programme's aggregates per campaign, small counts masked."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from reperes.mobilisation import selectors as mobilisation
from reperes.network.enums import Role
from reperes.network.models import User
from reperes.network.selectors import coverage_of
from reperes.pathways.selectors import at_risk, caseload_youths
from reperes.privacy import policy
from reperes.programme.disclosure import Shown
from reperes.programme.enums import CampaignStatus
from reperes.programme.models import Campaign
from reperes.referrals import selectors as referrals
from reperes.registry.selectors import (
    caseload,
    duplicate_queue,
    inform_deadline,
    outcomes_sent,
    signals_sent,
    to_inform,
    triage_queue,
)
from reperes.reporting.bilan import programme_figures
from reperes.territory.models import Commune

# Current campaigns first, then the next ones, then the closed ones.
_STATUS_ORDER = {CampaignStatus.IN_PROGRESS: 0, CampaignStatus.UPCOMING: 1, CampaignStatus.CLOSED: 2}


def has_bilans_to_read(user: User) -> bool:
    """Whether « Bilans » is offered (menu, home card): the policy lets the user read bilans and
    there is a campaign to read; an empty entry would promise a page that is not there."""
    return policy.can_read_bilans(user) and policy.bilan_campaigns_visible_to(user).exists()


def home_context(user: User) -> dict[str, Any]:
    """What the home pages show: the user's organisation, the size of its territory, and what the
    user's role has to do or to watch."""
    organisation = user.organisation
    context: dict[str, Any] = {
        "organisation": organisation,
        "can_enter_hours": policy.can_enter_hours(user),
        "can_view_programme": policy.can_view_programme(user),
        "can_read_bilans": has_bilans_to_read(user),
    }
    if organisation is not None and organisation.territory is not None:
        context["territory"] = organisation.territory
        context["territory_communes"] = organisation.territory.communes.count()
    if policy.can_triage_signals(user):
        context["queue_count"] = triage_queue(user).count()
    if policy.has_role(user, Role.COUNSELLOR):
        context |= counsellor_tasks(user)
    if policy.has_role(user, Role.COORDINATOR):
        context |= partnership_overview(user)
    if policy.has_role(user, Role.PARTNER_WORKER):
        context["signals_sent_count"] = signals_sent(user).count()
        context["signal_outcomes"] = outcomes_sent(user)
        context["meeting_request_count"] = policy.meeting_requests_for(user).count()
    if policy.can_view_personal_data(user):
        # Counts only: the pages they link to show the names (and log them).
        context["reapproach_count"] = policy.reapproaches_for(user).count()
        context["referrals_card"] = referrals.home_card(user)
        context["mobilisation_card"] = mobilisation.home_card(user)
    if policy.has_role(user, Role.FUNDER_OFFICER):
        context["campaigns"] = campaign_overview(user)
    if policy.can_administer(user):
        context["commune_count"] = Commune.objects.current().count()
    return context


def counsellor_tasks(user: User) -> dict[str, Any]:
    """The youths of the Mission locale to inform (GDPR art. 14) with the earliest deadline, the
    possible duplicates to review, and the size of the user's own caseload."""
    due = to_inform(user).aggregate(count=Count("pk"), first_listed=Min("listed_at"))
    inform_by: date | None = inform_deadline(due["first_listed"]) if due["first_listed"] else None
    return {
        "inform_count": due["count"],
        "inform_by": inform_by,
        "inform_late": inform_by is not None and inform_by < timezone.localdate(),
        "duplicate_count": duplicate_queue(user).count(),
        "caseload_count": caseload(user, mine_only=True).count(),
        "at_risk_count": at_risk_count(user),
    }


def at_risk_count(user: User) -> int:
    """How many of the user's own youths are at risk of being lost again (the caseload's alerts),
    counted by the database in one query."""
    return at_risk(user, caseload_youths(user, mine_only=True), mine_only=True).count()


def partnership_overview(user: User) -> dict[str, Any]:
    """The youths of the coordinator's Mission locale, and its territory's coverage as the coverage
    page shows it: the partners able to identify youths there, and the communes without any."""
    context: dict[str, Any] = {"youth_count": policy.youths_visible_to(user).count()}
    mission = policy.missions_locales_for_coverage(user).select_related("territory").first()
    if mission is not None and mission.territory is not None:
        coverage = coverage_of(mission.territory)
        context["coverage"] = {
            "identifiers": len({partner.pk for row in coverage.rows for partner in row.identifiers}),
            "gaps": len(coverage.gaps),
            "communes": len(coverage.rows),
        }
    return context


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    status: CampaignStatus
    identified: int | None  # None when secret (programme.disclosure)


def _value(shown: Shown | str) -> int | None:
    return shown.value if isinstance(shown, Shown) else None


def campaign_overview(user: User) -> list[CampaignFigures]:
    """The campaigns of the funder's organisation, current first, each with the number of youths its
    projects identified: an aggregate over the Missions locales carrying a project in it, on their
    projects' territories, without the files closed as « hors public ». Protected as on the
    programme's pages and the bilan (reporting.bilan.programme_figures: the cells of each campaign's
    frozen bilan): secret when under 11 or when it would give back a count masked there; never a
    person."""
    organisation = user.organisation
    if not policy.can_view_programme(user) or organisation is None:
        return []
    today = timezone.localdate()
    campaigns = list(Campaign.objects.filter(funder=organisation).order_by("-starts_on", "-pk"))
    shown = programme_figures(campaigns).campaigns
    figures = [
        CampaignFigures(
            campaign=campaign, status=campaign.status(today), identified=_value(shown[campaign.pk].identified)
        )
        for campaign in campaigns
    ]
    return sorted(figures, key=lambda f: _STATUS_ORDER[f.status])  # stable: most recent first within a status
