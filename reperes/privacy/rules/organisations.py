"""Organisations, the directory, coverage and reference data: no person in them."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from reperes.network.enums import PARTNER_KINDS, Role
from reperes.network.models import Organisation, User
from reperes.privacy.rules.roles import AnyUser, has_role, role_of
from reperes.registry.models import Consent, Signal
from reperes.territory.models import Territory


def organisations_visible_to(user: AnyUser) -> QuerySet[Organisation]:
    """Every logged-in person with an active membership reads the directory of organisations:
    knowing each other's fields of activity is what the partnership lacked."""
    if role_of(user) is None:
        return Organisation.objects.none()
    return Organisation.objects.active()


def organisations_editable_by(user: AnyUser) -> QuerySet[Organisation]:
    """Administrators edit every organisation. A coordinator edits their Mission locale and the
    partners that serve a commune of its territory or stand in one. A partner worker edits their
    own organisation's profile and services."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Organisation.objects.all()
    if role not in (Role.COORDINATOR, Role.PARTNER_WORKER):
        return Organisation.objects.none()
    assert isinstance(user, User)
    own = user.organisation
    if own is None:
        return Organisation.objects.none()
    if role == Role.PARTNER_WORKER or own.territory_id is None:
        return Organisation.objects.filter(pk=own.pk)
    territory_codes = Territory.communes.through.objects.filter(territory_id=own.territory_id).values("commune_id")
    serves_territory = Territory.communes.through.objects.filter(
        territory_id=OuterRef("territory_id"), commune_id__in=territory_codes
    )
    return Organisation.objects.filter(
        Q(pk=own.pk) | Q(kind__in=PARTNER_KINDS) & (Q(Exists(serves_territory)) | Q(commune_id__in=territory_codes))
    )


def can_edit_organisation(user: AnyUser, organisation: Organisation) -> bool:
    return organisations_editable_by(user).filter(pk=organisation.pk).exists()


def can_view_programme(user: AnyUser) -> bool:
    """Coordinators, the funder and administrators see campaigns, projects and bilans."""
    return has_role(user, Role.COORDINATOR, Role.FUNDER_OFFICER, Role.ADMIN)


def can_administer(user: AnyUser) -> bool:
    """Administrators manage organisations, accounts and reference data."""
    return has_role(user, Role.ADMIN)


def missions_locales_for_coverage(user: AnyUser) -> QuerySet[Organisation]:
    """Mission locale staff see their own territory's coverage; the funder and administrators see
    every Mission locale's (it names organisations and communes, never a young person)."""
    role = role_of(user)
    missions = Organisation.objects.active().missions_locales().exclude(territory=None)
    if role in (Role.FUNDER_OFFICER, Role.ADMIN):
        return missions
    if role in (Role.COUNSELLOR, Role.COORDINATOR):
        assert isinstance(user, User)
        own = user.organisation
        return missions.filter(pk=own.pk) if own else missions.none()
    return missions.none()


def organisation_kind_locked(organisation: Organisation) -> bool:
    """An organisation's kind decides whether its name is masked on the files it touches (a PJJ
    unit is « un partenaire spécialisé »): once it has reported a youth or a consent names it, its
    kind is no longer changed in the Django admin, where nobody of the Mission locale would see it."""
    if organisation.pk is None:
        return False
    return (
        Signal.objects.filter(organisation=organisation).exists()
        or Consent.objects.filter(share_with=organisation).exists()
    )


def can_import_directory(user: AnyUser) -> bool:
    """Administrators import partner directories: an import touches organisations of every territory."""
    return has_role(user, Role.ADMIN)
