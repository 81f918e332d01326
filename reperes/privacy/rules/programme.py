"""Who may see or do what in reperes.programme (named by reperes.privacy.policy through __all__).

Campaigns and projects hold no personal data: names of organisations and people at work, amounts,
objectives, and counts of youths (which the pages mask for the funder when small). Still, each
reader sees only what concerns them:

- the funder's officers see their own organisation's campaigns and every project in them, and set
  the campaigns' rules (hourly rates, co-financing ceilings);
- a Mission locale's coordinator sees the projects their Mission locale carries and the campaigns
  they belong to, creates its project in a campaign not closed yet, and edits it — its
  description, territory, objectives, partners and budget;
- administrators see and edit everything, and create projects in any campaign (past ones too);
- counsellors, partner workers (a project's partners included) and a funder's officer for another
  funder's campaigns see nothing here: 404."""

from django.db.models import F, QuerySet
from django.utils import timezone

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation, User
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of
from reperes.privacy.rules.youths import MISSION_LOCALE_STAFF
from reperes.programme.models import Campaign, Claim, Project, ProjectPartner

__all__: list[str] = [
    "campaigns_open_to_projects",
    "campaigns_visible_to",
    "can_create_projects",
    "can_edit_campaign_rules",
    "can_edit_project",
    "can_view_project",
    "carriers_for",
    "possible_project_leads",
    "project_partners_editable_by",
    "projects_editable_by",
    "projects_visible_to",
]


def _coordinated_mission_locale(user: AnyUser) -> Organisation | None:
    own = organisation_of(user)
    if own is None or not has_role(user, Role.COORDINATOR) or own.kind != OrganisationKind.MISSION_LOCALE:
        return None
    return own


def _funder(user: AnyUser) -> Organisation | None:
    own = organisation_of(user)
    if own is None or not has_role(user, Role.FUNDER_OFFICER):
        return None
    return own


def campaigns_visible_to(user: AnyUser) -> QuerySet[Campaign]:
    """Administrators: every campaign. A funder's officer: their organisation's campaigns. A
    coordinator: the campaigns in which their Mission locale carries a project. Nobody else."""
    if has_role(user, Role.ADMIN):
        return Campaign.objects.all()
    if (funder := _funder(user)) is not None:
        return Campaign.objects.filter(funder=funder)
    if (mission := _coordinated_mission_locale(user)) is not None:
        return Campaign.objects.filter(pk__in=Project.objects.filter(carrier=mission).values("campaign_id"))
    return Campaign.objects.none()


def projects_visible_to(user: AnyUser) -> QuerySet[Project]:
    """Administrators: every project. A funder's officer: the projects of their organisation's
    campaigns. A coordinator: the projects their Mission locale carries (not the other Missions
    locales' projects of the same campaign). Nobody else."""
    if has_role(user, Role.ADMIN):
        return Project.objects.all()
    if (funder := _funder(user)) is not None:
        return Project.objects.filter(campaign__funder=funder)
    if (mission := _coordinated_mission_locale(user)) is not None:
        return Project.objects.filter(carrier=mission)
    return Project.objects.none()


def can_view_project(user: AnyUser, project: Project) -> bool:
    return projects_visible_to(user).filter(pk=project.pk).exists()


def projects_editable_by(user: AnyUser) -> QuerySet[Project]:
    """Administrators edit every project; a coordinator, those their Mission locale carries
    (description, territory, objectives, partners and budget). The funder reads them."""
    if has_role(user, Role.ADMIN):
        return Project.objects.all()
    if (mission := _coordinated_mission_locale(user)) is not None:
        return Project.objects.filter(carrier=mission)
    return Project.objects.none()


def can_edit_project(user: AnyUser, project: Project) -> bool:
    """The carrier's coordinator and administrators (projects_editable_by)."""
    if has_role(user, Role.ADMIN):
        return True
    mission = _coordinated_mission_locale(user)
    return mission is not None and project.carrier_id == mission.pk


def project_partners_editable_by(user: AnyUser) -> QuerySet[ProjectPartner]:
    """The partners (with their roles) of the projects the user edits: those they may remove."""
    return ProjectPartner.objects.filter(project__in=projects_editable_by(user))


def can_create_projects(user: AnyUser) -> bool:
    """A Mission locale's coordinator (for their Mission locale) and administrators."""
    return has_role(user, Role.ADMIN) or _coordinated_mission_locale(user) is not None


def campaigns_open_to_projects(user: AnyUser) -> QuerySet[Campaign]:
    """The campaigns in which the user may create a project: for a coordinator, those not closed
    yet (upcoming or in progress, of any funder); for administrators, every one (a past campaign's
    projects may be entered afterwards)."""
    if has_role(user, Role.ADMIN):
        return Campaign.objects.all()
    if _coordinated_mission_locale(user) is not None:
        return Campaign.objects.filter(ends_on__gte=timezone.localdate())
    return Campaign.objects.none()


def carriers_for(user: AnyUser) -> QuerySet[Organisation]:
    """The Missions locales for which the user may create a project: a coordinator's own;
    every active Mission locale for administrators."""
    if has_role(user, Role.ADMIN):
        return Organisation.objects.active().missions_locales()
    if (mission := _coordinated_mission_locale(user)) is not None:
        return Organisation.objects.filter(pk=mission.pk)
    return Organisation.objects.none()


def possible_project_leads(carriers: QuerySet[Organisation]) -> QuerySet[User]:
    """Who may lead a project of one of these Missions locales and approve its hours: an active
    counsellor or coordinator of the carrying Mission locale (as for a youth's référent), each
    annotated with `mission_locale_name`."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation__in=carriers,
            memberships__is_active=True,
            memberships__role__in=list(MISSION_LOCALE_STAFF),
        )
        .annotate(mission_locale_name=F("memberships__organisation__name"))
        .order_by("last_name", "first_name", "pk")
    )


def can_edit_campaign_rules(user: AnyUser, campaign: Campaign) -> bool:
    """The officers of the campaign's funder and administrators set its hourly rates and ceilings."""
    if has_role(user, Role.ADMIN):
        return True
    funder = _funder(user)
    return funder is not None and campaign.funder_id == funder.pk


# --- Timesheets and funding claims --------------------------------------------------------------
# Hours are entered by the staff (counsellors and coordinators) of the carrying Mission locale,
# each their own, for the projects their Mission locale carries; the project's lead approves them;
# the carrier's coordinators make the claims, send them and unlock hours (administrators unlock
# too); the campaign's funder reads the claims sent to it, administrators read every claim. A claim
# names the staff whose hours it pays, with their hours by kind: these are people at work, not
# youths, and the funder's financial control needs to know whose hours it pays (the call for
# projects pays the hours of engineering and of coordination). No claim names a young person.

__all__ += [
    "can_create_claims",
    "can_enter_hours",
    "can_unlock_hours",
    "claims_visible_to",
    "projects_approvable_by",
    "projects_open_to_hours",
]


def _mission_locale_staff_of(user: AnyUser) -> Organisation | None:
    own = organisation_of(user)
    if (
        own is None
        or not has_role(user, Role.COUNSELLOR, Role.COORDINATOR)
        or own.kind != OrganisationKind.MISSION_LOCALE
    ):
        return None
    return own


def can_enter_hours(user: AnyUser) -> bool:
    """Counsellors and coordinators of a Mission locale enter their own hours (their week grid)."""
    return _mission_locale_staff_of(user) is not None


def projects_open_to_hours(user: AnyUser) -> QuerySet[Project]:
    """The projects a member of staff enters hours for: those their Mission locale carries."""
    if (mission := _mission_locale_staff_of(user)) is not None:
        return Project.objects.filter(carrier=mission)
    return Project.objects.none()


def projects_approvable_by(user: AnyUser) -> QuerySet[Project]:
    """The projects whose hours the user approves: those they lead, while they are on the staff of
    the carrier. Nobody else approves, administrators neither (the lead answers for the hours)."""
    if (mission := _mission_locale_staff_of(user)) is not None:
        return Project.objects.filter(carrier=mission, lead_id=user.pk)
    return Project.objects.none()


def can_create_claims(user: AnyUser, project: Project) -> bool:
    """The carrier's coordinators make, send and cancel the project's claims; administrators read."""
    mission = _coordinated_mission_locale(user)
    return mission is not None and project.carrier_id == mission.pk


def can_unlock_hours(user: AnyUser, project: Project) -> bool:
    """The carrier's coordinators and administrators unlock claimed hours (with a reason)."""
    return has_role(user, Role.ADMIN) or can_create_claims(user, project)


def claims_visible_to(user: AnyUser) -> QuerySet[Claim]:
    """Administrators: every claim. The carrier's coordinator: the project's claims. The campaign's
    funder: the claims sent to it (not those in preparation nor cancelled before being sent).
    Nobody else."""
    if has_role(user, Role.ADMIN):
        return Claim.objects.all()
    if (funder := _funder(user)) is not None:
        return Claim.objects.filter(project__campaign__funder=funder).exclude(sent_at=None)
    if (mission := _coordinated_mission_locale(user)) is not None:
        return Claim.objects.filter(project__carrier=mission)
    return Claim.objects.none()
