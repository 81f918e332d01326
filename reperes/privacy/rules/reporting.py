"""Who may read the bilans (reperes.reporting) and write their qualitative part (named by
reperes.privacy.policy through __all__).

A bilan names no young person: counts of youths, protected by statistical disclosure control
(ADR 009), figures of actions and money, and what coordinators wrote of their partnership.

- the funder's officers read the bilans of their own organisation's campaigns and of every project
  in them, and the bilan across their campaigns;
- a Mission locale's coordinator reads the bilans of the projects their Mission locale carries,
  with exact counts (their staff hold these files: ADR 008), and the protected bilan of each
  campaign in which it carries one; they write their projects' qualitative part;
- administrators read every bilan, protected; they write no qualitative part (it is the
  coordinator's account of the partnership);
- counsellors, partner workers (a project's partners included) and a funder's officer for another
  funder's campaigns read none: 404."""

from django.db.models import QuerySet

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation
from reperes.privacy.rules.programme import _coordinated_mission_locale as _coordinated
from reperes.privacy.rules.programme import _funder
from reperes.privacy.rules.roles import AnyUser, has_role
from reperes.programme.models import Campaign, Project

__all__: list[str] = [
    "bilan_campaigns_visible_to",
    "bilan_funders_visible_to",
    "bilan_projects_visible_to",
    "can_read_bilans",
    "can_view_campaign_bilan",
    "can_view_exact_figures",
    "can_view_project_bilan",
    "can_write_assessment",
]


def can_read_bilans(user: AnyUser) -> bool:
    """Funders' officers, coordinators and administrators (the menu and /bilan/)."""
    return has_role(user, Role.ADMIN) or _funder(user) is not None or _coordinated(user) is not None


def bilan_campaigns_visible_to(user: AnyUser) -> QuerySet[Campaign]:
    """Administrators: every campaign. A funder's officer: their organisation's campaigns. A
    coordinator: the campaigns in which their Mission locale carries a project (read protected)."""
    if has_role(user, Role.ADMIN):
        return Campaign.objects.all()
    if (funder := _funder(user)) is not None:
        return Campaign.objects.filter(funder=funder)
    if (mission := _coordinated(user)) is not None:
        return Campaign.objects.filter(pk__in=Project.objects.filter(carrier=mission).values("campaign_id"))
    return Campaign.objects.none()


def can_view_campaign_bilan(user: AnyUser, campaign: Campaign) -> bool:
    return bilan_campaigns_visible_to(user).filter(pk=campaign.pk).exists()


def bilan_projects_visible_to(user: AnyUser) -> QuerySet[Project]:
    """Administrators: every project. A funder's officer: the projects of their organisation's
    campaigns. A coordinator: the projects their Mission locale carries, not the other Missions
    locales' projects of the same campaign."""
    if has_role(user, Role.ADMIN):
        return Project.objects.all()
    if (funder := _funder(user)) is not None:
        return Project.objects.filter(campaign__funder=funder)
    if (mission := _coordinated(user)) is not None:
        return Project.objects.filter(carrier=mission)
    return Project.objects.none()


def can_view_project_bilan(user: AnyUser, project: Project) -> bool:
    return bilan_projects_visible_to(user).filter(pk=project.pk).exists()


def can_view_exact_figures(user: AnyUser, project: Project) -> bool:
    """The coordinator of the carrying Mission locale, whose staff hold the project's files (ADR
    008), reads its exact counts on the page. Everyone else reads them protected, and so does every
    export, the coordinator's included: a file is made to be sent on."""
    mission = _coordinated(user)
    return mission is not None and project.carrier_id == mission.pk


def can_write_assessment(user: AnyUser, project: Project) -> bool:
    """The coordinator of the carrying Mission locale writes the project's qualitative part."""
    return can_view_exact_figures(user, project)


def bilan_funders_visible_to(user: AnyUser) -> QuerySet[Organisation]:
    """The funders whose bilan across campaigns the user reads: a funder's officer, their own;
    administrators, every funder. Coordinators read campaigns one at a time."""
    if has_role(user, Role.ADMIN):
        return Organisation.objects.filter(kind=OrganisationKind.FUNDER)
    if (funder := _funder(user)) is not None:
        return Organisation.objects.filter(pk=funder.pk)
    return Organisation.objects.none()
