"""Who may see or do what: the one place where access rules live.

Each rule is stated once, as a queryset for lists and lookups and as a predicate for single
objects and buttons. Views never build their own rule; objects outside a user's scope are
looked up through these querysets and answer 404 like missing ones.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from reperes.network.enums import PARTNER_KINDS, Role
from reperes.network.models import Organisation, User
from reperes.privacy.enums import SENSITIVE_SECTIONS, Section
from reperes.registry.enums import SignalConsent
from reperes.registry.models import Consent, ListImport, Signal, Youth
from reperes.territory.models import Territory

AnyUser = User | AnonymousUser


def role_of(user: AnyUser) -> str | None:
    if not user.is_authenticated:
        return None
    assert isinstance(user, User)
    return user.role


def has_role(user: AnyUser, *roles: str) -> bool:
    return role_of(user) in roles


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


def can_follow_youths(user: AnyUser) -> bool:
    """Counsellors and coordinators of a Mission locale hold caseloads."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR)


def can_send_signals(user: AnyUser) -> bool:
    """Partner workers and Mission locale staff report young people they meet."""
    return has_role(user, Role.PARTNER_WORKER, Role.COUNSELLOR, Role.COORDINATOR)


def can_view_programme(user: AnyUser) -> bool:
    """Coordinators, the funder and administrators see campaigns, projects and bilans."""
    return has_role(user, Role.COORDINATOR, Role.FUNDER_OFFICER, Role.ADMIN)


def can_view_personal_data(user: AnyUser) -> bool:
    """The funder never sees a person (décret i-milo: anonymised data only); neither does the
    platform operator's administrator, who manages accounts and reference data."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER)


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


def can_import_directory(user: AnyUser) -> bool:
    """Administrators import partner directories: an import touches organisations of every territory."""
    return has_role(user, Role.ADMIN)


# --- Young people -------------------------------------------------------------------------------


def youths_visible_to(user: AnyUser) -> QuerySet[Youth]:
    """Counsellors and coordinators of the Mission locale that holds the file; a partner worker
    for the youths their organisation reported with the youth's agreement to be contacted, until
    the youth withdraws their consent. The
    funder and the administrators never see a person. Merged records are not shown."""
    role = role_of(user)
    youths = Youth.objects.active()
    if role not in (Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER):
        return youths.none()
    assert isinstance(user, User)
    own = user.organisation
    if own is None:
        return youths.none()
    if role == Role.PARTNER_WORKER:
        reported = Signal.objects.filter(organisation=own, consent=SignalConsent.CONTACT).values("youth_id")
        # A withdrawal takes effect at once: without a consent in force, the partner loses the file.
        withdrawn = Consent.objects.filter(youth=OuterRef("pk"), withdrawn_at__isnull=False)
        in_force = Consent.objects.filter(youth=OuterRef("pk"), withdrawn_at=None)
        return youths.filter(pk__in=reported).exclude(Q(Exists(withdrawn)) & ~Q(Exists(in_force)))
    return youths.filter(mission_locale=own)


def can_view_youth(user: AnyUser, youth: Youth) -> bool:
    return youths_visible_to(user).filter(pk=youth.pk).exists()


def sections_visible_to(user: AnyUser, youth: Youth) -> set[str]:
    """Identity and pathway for everyone who may see the file; the sensitive sections (housing,
    health and addiction, justice flag) only to the youth's référent, and to a partner for the
    sections the youth's active consent shares with it."""
    if not can_view_youth(user, youth):
        return set()
    assert isinstance(user, User)
    sections: set[str] = {Section.IDENTITY, Section.PATHWAY}
    if youth.referent_id == user.pk:
        return sections | SENSITIVE_SECTIONS
    if role_of(user) == Role.PARTNER_WORKER and user.organisation is not None:
        for consent in youth.consents.filter(withdrawn_at=None, share_with=user.organisation):
            sections |= set(consent.sensitive_sections) & SENSITIVE_SECTIONS
    return sections


def signals_visible_to(user: AnyUser) -> QuerySet[Signal]:
    """A partner sees the signals its organisation sent (and what became of them); Mission
    locale staff see the signals their Mission locale received."""
    role = role_of(user)
    if role not in (Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER):
        return Signal.objects.none()
    assert isinstance(user, User)
    own = user.organisation
    if own is None:
        return Signal.objects.none()
    if role == Role.PARTNER_WORKER:
        return Signal.objects.filter(organisation=own)
    return Signal.objects.filter(mission_locale=own)


def can_triage_signals(user: AnyUser) -> bool:
    """Counsellors and coordinators triage the signals their Mission locale receives."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR)


def can_manage_consent(user: AnyUser, youth: Youth) -> bool:
    """Mission locale staff holding the file record the youth's consent and its withdrawal."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR) and can_view_youth(user, youth)


def can_import_lists(user: AnyUser) -> bool:
    """Mission locale staff bring dropout and partner lists into their own Mission locale's files."""
    if not has_role(user, Role.COUNSELLOR, Role.COORDINATOR):
        return False
    assert isinstance(user, User)
    return user.organisation is not None


def list_imports_visible_to(user: AnyUser) -> QuerySet[ListImport]:
    """The imports of the user's Mission locale, with their reports."""
    if not can_import_lists(user):
        return ListImport.objects.none()
    assert isinstance(user, User)
    return ListImport.objects.filter(mission_locale=user.organisation)


def can_edit_youth(user: AnyUser, youth: Youth) -> bool:
    """Mission locale staff holding the file keep it up to date; partners only report (signals)."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR) and can_view_youth(user, youth)


def possible_referents(mission_locale: Organisation) -> QuerySet[User]:
    """Who may follow a youth of this Mission locale: its active counsellors and coordinators."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation=mission_locale,
        memberships__is_active=True,
        memberships__role__in=[Role.COUNSELLOR, Role.COORDINATOR],
    ).order_by("last_name", "first_name", "pk")


def can_change_referent(user: AnyUser, youth: Youth) -> bool:
    """A file without référent may be taken by the staff who keep it; one that has a référent
    changes hands only by that référent or a coordinator (the référent sees the sensitive
    sections: nobody gives them to themselves)."""
    if not can_edit_youth(user, youth):
        return False
    return youth.referent_id is None or youth.referent_id == user.pk or has_role(user, Role.COORDINATOR)
