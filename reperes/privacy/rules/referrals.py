"""Referrals (orientations): who sends a youth to a partner, who answers, who sees them.

In one paragraph (ADR 008): the staff of the Mission locale that holds a file refer the youth to
an active partner of the mesh; the partner's workers read the file while the referral is active
(sent, received or accepted, and not past its expiry), then only identity, pathway and the
sensitive sections the referral shares — which only someone holding them may share. A referral
to a partner that no consent in force names (or that shares a section the consent does not) is
sent only by the youth's référent or a coordinator, with a reason that is kept and shown to the
Mission locale. The partner answers; the Mission locale withdraws.

Named by reperes.privacy.policy through __all__."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from reperes.network.enums import Role
from reperes.network.models import Organisation
from reperes.privacy.enums import SENSITIVE_SECTIONS
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of, role_of
from reperes.privacy.rules.youths import (
    MISSION_LOCALE_STAFF,
    SENSITIVE_KINDS,
    can_edit_youth,
    sections_visible_to,
)
from reperes.referrals.enums import ANSWERS
from reperes.referrals.models import Referral
from reperes.registry.enums import YouthStatus
from reperes.registry.models import Youth

__all__: list[str] = [
    "can_answer_referral",
    "can_override_consent",
    "can_refer",
    "can_refer_to_services",
    "can_withdraw_referral",
    "consent_covers_referral",
    "referral_partners",
    "referrals_visible_to",
    "shareable_sections",
]


def can_refer(user: AnyUser, youth: Youth) -> bool:
    """Mission locale staff holding an active file refer the youth to a partner."""
    return can_edit_youth(user, youth)


def can_refer_to_services(user: AnyUser) -> bool:
    """From a service of the directory, Mission locale staff pick one of their youths to refer."""
    return has_role(user, *MISSION_LOCALE_STAFF) and organisation_of(user) is not None


def referral_partners(user: AnyUser, youth: Youth) -> QuerySet[Organisation]:
    """The partners a referral by this user may name: every active partner of the mesh (the
    directory's reach is the point of a referral), those serving the youth's commune first
    (`serves_commune`); a specialised partner whose kind tells a section (PJJ, CSAPA…) only for
    someone who holds that section of the file, as for consents."""
    if not can_refer(user, youth):
        return Organisation.objects.none()
    held = sections_visible_to(user, youth)
    hidden = [kind for kind, section in SENSITIVE_KINDS.items() if section not in held]
    serving = Q(territory__communes=youth.commune_id) if youth.commune_id else Q(pk__in=[])
    serves = Organisation.objects.filter(serving, pk=OuterRef("pk"))
    return (
        Organisation.objects.active()
        .partners()
        .exclude(kind__in=hidden)
        .annotate(serves_commune=Exists(serves))
        .order_by("-serves_commune", "name")
    )


def shareable_sections(user: AnyUser, youth: Youth) -> set[str]:
    """The sensitive sections a referral by this user may share: those the user holds (the
    référent's, in practice). Identity and pathway are always part of a referral."""
    return sections_visible_to(user, youth) & SENSITIVE_SECTIONS


def consent_covers_referral(youth: Youth, organisation: Organisation, sections: set[str] | frozenset[str]) -> bool:
    """A consent in force names the partner and shares every sensitive section the referral would."""
    shared = youth.consents.filter(withdrawn_at=None, share_with=organisation).values_list(
        "sensitive_sections", flat=True
    )
    return any(set(sections) <= set(names) for names in shared)


def can_override_consent(user: AnyUser, youth: Youth) -> bool:
    """Without a consent covering the referral, only the youth's référent (who knows the youth and
    holds every section) or a coordinator of the Mission locale holding the file sends it, with a
    reason: logged in the write history and shown to the Mission locale on the referral."""
    if not can_refer(user, youth):
        return False
    return youth.referent_id == user.pk or has_role(user, Role.COORDINATOR)


def referrals_visible_to(user: AnyUser) -> QuerySet[Referral]:
    """Mission locale staff: the referrals of the active files their Mission locale holds (whoever
    sent them: a file handed over brings its referrals along); a partner worker: the referrals
    addressed to their organisation while they are active (sent, received or accepted, not past
    expiry) — a closed one, like the file, is no longer theirs."""
    own = organisation_of(user)
    role = role_of(user)
    if own is None:
        return Referral.objects.none()
    if role in MISSION_LOCALE_STAFF:
        return Referral.objects.filter(youth__mission_locale=own, youth__status=YouthStatus.ACTIVE)
    if role == Role.PARTNER_WORKER:
        return Referral.objects.active().filter(to_organisation=own, youth__status=YouthStatus.ACTIVE)
    return Referral.objects.none()


def can_answer_referral(user: AnyUser, referral: Referral) -> bool:
    """A worker of the receiving organisation answers (received, accepted, declined, done) while
    the referral is active."""
    own = organisation_of(user)
    return (
        has_role(user, Role.PARTNER_WORKER)
        and own is not None
        and referral.to_organisation_id == own.pk
        and referral.is_active
        and referral.status in ANSWERS
    )


def can_withdraw_referral(user: AnyUser, referral: Referral) -> bool:
    """Staff of the Mission locale holding the file withdraw an active referral."""
    return can_edit_youth(user, referral.youth) and referral.is_active
