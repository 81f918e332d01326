"""Who grants access to youths' files (ADR 007): accounts and memberships.

A role that reads youths' files (counsellor, coordinator, partner worker) is granted by the
coordinator of a Mission locale, never by the platform's administrators: they create accounts and
the funder's and their own memberships, and that is all. The Mission locale's coordinator sees
who holds such a role on its files, and who granted it."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django_otp import user_has_device

from reperes.network.enums import PARTNER_KINDS, OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.privacy.rules.roles import AnyUser
from reperes.registry.models import Consent

# Roles whose holders read personal data (files, the platform's administration): each needs a
# second factor at login (ADR 012). The funder reads aggregates only.
SECOND_FACTOR_ROLES: frozenset[str] = frozenset({Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER, Role.ADMIN})

# Roles whose holders read youths' files (policy.can_view_personal_data).
FILE_READING_ROLES: frozenset[str] = frozenset({Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER})
# What the platform's administrators may grant in the Django admin.
ADMIN_GRANTABLE_ROLES: frozenset[str] = frozenset({Role.FUNDER_OFFICER, Role.ADMIN})


def admin_may_grant(role: str) -> bool:
    """Administrators never grant a role that reads youths' files (they could grant it to
    themselves and read the files: ADR 007)."""
    return role in ADMIN_GRANTABLE_ROLES


def reads_files(user: User) -> bool:
    """The account holds an active membership whose role reads youths' files."""
    return bool(user.pk) and user.memberships.filter(is_active=True, role__in=FILE_READING_ROLES).exists()


def must_use_second_factor(user: AnyUser) -> bool:
    """A second factor at every login for whoever reads personal data: an active membership whose
    role reads files or administers the platform, the Django admin's staff, and anybody who chose
    to activate one (the funder may). Nobody else is asked (an account with no role reads nothing)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_staff or user.is_superuser:
        return True
    if user.memberships.filter(is_active=True, role__in=SECOND_FACTOR_ROLES).exists():
        return True
    return bool(user_has_device(user))


def can_reset_second_factor(user: AnyUser, membership: Membership) -> bool:
    """A coordinator resets the second factor of a member of an organisation they manage (a lost
    phone), never their own: their own is replaced from « Sécurité du compte » once verified."""
    return membership.pk in second_factor_resettable(user, [membership])


def second_factor_resettable(user: AnyUser, memberships: Iterable[Membership]) -> set[int]:
    """Which of these memberships `can_reset_second_factor` allows, in one query (a members page)."""
    wanted = [m.pk for m in memberships if m.is_active and m.user_id != user.pk]
    if not wanted:
        return set()
    return set(managed_memberships(user).filter(pk__in=wanted).values_list("pk", flat=True))


def coordinated_mission(user: AnyUser) -> Organisation | None:
    """The active Mission locale the user coordinates, or None."""
    if not user.is_authenticated:
        return None
    assert isinstance(user, User)
    membership = user.active_membership
    if membership is None or membership.role != Role.COORDINATOR:
        return None
    organisation = membership.organisation
    if organisation.kind != OrganisationKind.MISSION_LOCALE or not organisation.is_active:
        return None
    return organisation


def organisations_managed_by(user: AnyUser) -> QuerySet[Organisation]:
    """A Mission locale's coordinator adds and removes the members of their Mission locale, and
    the partner workers of the partners that serve a commune of its territory or stand in one (the
    partners whose profile they edit). Nobody else does: not a counsellor, not a partner worker,
    not the funder, not the platform's administrators."""
    mission = coordinated_mission(user)
    if mission is None:
        return Organisation.objects.none()
    if mission.territory_id is None:
        return Organisation.objects.filter(pk=mission.pk)
    communes = mission.territory.communes.values("pk")  # type: ignore[union-attr]
    partners = Organisation.objects.filter(kind__in=PARTNER_KINDS, is_active=True).filter(
        Q(territory__communes__in=communes) | Q(commune__in=communes)
    )
    return Organisation.objects.filter(Q(pk=mission.pk) | Q(pk__in=partners.values("pk")))


def can_manage_members(user: AnyUser, organisation: Organisation) -> bool:
    return organisations_managed_by(user).filter(pk=organisation.pk).exists()


def managed_memberships(user: AnyUser) -> QuerySet[Membership]:
    """The memberships a coordinator may deactivate: those of the organisations they manage."""
    return Membership.objects.filter(organisation__in=organisations_managed_by(user))


def can_view_access_overview(user: AnyUser) -> bool:
    """« Qui a accès à nos dossiers » is for the coordinators of a Mission locale."""
    return coordinated_mission(user) is not None


def partners_reading_files_of(mission: Organisation) -> QuerySet[Organisation]:
    """The partners whose workers may read some of this Mission locale's files: those a consent
    in force names (Consent.share_with) — the only way a partner reads a file (ADR 008)."""
    named = Consent.objects.filter(youth__mission_locale=mission, withdrawn_at=None).values("share_with")
    return Organisation.objects.filter(kind__in=PARTNER_KINDS, pk__in=named)
