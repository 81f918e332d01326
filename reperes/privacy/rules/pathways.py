"""Who may see or do what on a youth's pathway (named by reperes.privacy.policy through __all__).

The pathway is a section of the file (Section.PATHWAY): whoever may read the file reads its stage and
timeline. It is worked — contacts, stages, project, outcomes — by the Mission locale that holds the
file. Barriers are read and set with the section they belong to (housing, health and addiction,
justice: the référent, or a partner the consent shares it with). Notes: a partner's note stays in its
organisation unless shared. A re-approach plan names only a partner that already knows the youth."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation
from reperes.pathways.enums import ReapproachStatus, barrier_section
from reperes.pathways.models import FollowUp, Note, Reapproach
from reperes.privacy.rules.roles import AnyUser, has_role, organisation_of
from reperes.privacy.rules.youths import (
    SENSITIVE_KINDS,
    can_edit_youth,
    can_view_youth,
    organisation_label,
    sections_visible_to,
)
from reperes.registry.enums import Barrier
from reperes.registry.models import Consent, Signal, Youth

__all__ = [
    "barrier_kinds_visible",
    "pathway_organisation_label",
    "can_add_note",
    "can_report_reapproach",
    "can_set_barrier",
    "can_view_pathway",
    "can_work_pathway",
    "follow_ups_visible_to",
    "notes_visible_to",
    "organisations_knowing",
    "reapproach_partners",
    "reapproaches_for",
    "settable_barriers",
]


def can_view_pathway(user: AnyUser, youth: Youth) -> bool:
    """Everyone who may read the file reads its pathway (the stage, the timeline)."""
    return can_view_youth(user, youth)


def can_work_pathway(user: AnyUser, youth: Youth) -> bool:
    """Staff of the Mission locale holding the file record contacts, stages, the project, outcomes
    and follow-ups; partners act through referrals, re-approaches they are given and attendance."""
    return can_edit_youth(user, youth)


def can_add_note(user: AnyUser, youth: Youth) -> bool:
    """Whoever reads the file may add a short note to its timeline."""
    return has_role(user, Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER) and can_view_youth(user, youth)


def notes_visible_to(user: AnyUser, youth: Youth) -> QuerySet[Note]:
    """The notes shared with the file's readers, and those of the reader's own organisation."""
    own = organisation_of(user)
    if own is None or not can_view_youth(user, youth):
        return Note.objects.none()
    return youth.pathway_notes.filter(Q(scope="shared") | Q(organisation=own))


def barrier_kinds_visible(sections: set[str], kinds: list[str]) -> list[str]:
    """The barriers, among `kinds`, whose section the reader holds (from `sections_visible_to`)."""
    return [kind for kind in kinds if barrier_section(kind) in sections]


def settable_barriers(user: AnyUser, youth: Youth) -> list[str]:
    """Staff holding the file set barriers of the sections they hold: the sensitive ones (housing,
    health and addiction, justice) only the référent. Asked once for all the kinds."""
    if not can_work_pathway(user, youth):
        return []
    return barrier_kinds_visible(sections_visible_to(user, youth), list(Barrier.values))


def can_set_barrier(user: AnyUser, youth: Youth, kind: str) -> bool:
    """`settable_barriers` for one kind."""
    return kind in settable_barriers(user, youth)


def organisations_knowing(youth: Youth) -> QuerySet[Organisation]:
    """The organisations that already know the youth: the Mission locale holding the file, the
    partners that reported them and those a consent in force names. Only they carry out a contact
    or a re-approach: naming the youth to anyone else would tell them who declined."""
    reported = youth.signals.values("organisation_id")
    consented = youth.consents.filter(withdrawn_at=None).values("share_with")
    return (
        Organisation.objects.active()
        .filter(Q(pk=youth.mission_locale_id) | Q(pk__in=reported) | Q(pk__in=consented))
        .distinct()
        .order_by("name")
    )


def reapproach_partners(user: AnyUser, youth: Youth) -> QuerySet[Organisation]:
    """Who a contact or a re-approach may go through, for the staff who work the pathway:
    `organisations_knowing` the youth."""
    if organisation_of(user) is None or not can_work_pathway(user, youth):
        return Organisation.objects.none()
    # A specialised partner (PJJ, CSAPA…) named in the list would tell its section to a reader
    # who does not hold it, as for consents and referrals.
    held = sections_visible_to(user, youth)
    hidden = [kind for kind, section in SENSITIVE_KINDS.items() if section not in held]
    return organisations_knowing(youth).exclude(kind__in=hidden)


def reapproaches_for(user: AnyUser) -> QuerySet[Reapproach]:
    """The planned re-approaches given to the user's organisation (partner workers and Mission locale
    staff alike), while the organisation still knows the youth (`organisations_knowing`, asked now:
    a consent withdrawn or a file handed to another Mission locale ends the plan's reach)."""
    own = organisation_of(user)
    if own is None or not has_role(user, Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER_WORKER):
        return Reapproach.objects.none()
    reported = Signal.objects.filter(youth=OuterRef("youth_id"), organisation=own)
    consented = Consent.objects.filter(youth=OuterRef("youth_id"), withdrawn_at=None, share_with=own)
    return Reapproach.objects.filter(
        Q(youth__mission_locale=own) | Exists(reported) | Exists(consented),
        by_organisation=own,
        status=ReapproachStatus.PLANNED,
        pathway__closed_at=None,
        youth__status="active",
    )


def can_report_reapproach(user: AnyUser, reapproach: Reapproach) -> bool:
    """The organisation a planned re-approach was given to reports how it went."""
    return reapproaches_for(user).filter(pk=reapproach.pk).exists()


def follow_ups_visible_to(user: AnyUser) -> QuerySet[FollowUp]:
    """The follow-ups of the files the user's Mission locale holds, for its staff."""
    own = organisation_of(user)
    if own is None or not has_role(user, Role.COUNSELLOR, Role.COORDINATOR):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(
        outcome__pathway__youth__mission_locale=own, outcome__pathway__youth__status="active"
    )


def pathway_organisation_label(user: AnyUser, organisation: Organisation, sections: set[str]) -> str:
    """An organisation named on a youth's pathway (timeline, signalled barriers) as this reader may
    read it: `organisation_label`, and to a partner worker any other partner is « un autre
    partenaire » — which partners know a youth is the Mission locale's to know, as the file's
    signals say « votre structure » only (ADR 008)."""
    own = organisation_of(user)
    if (
        has_role(user, Role.PARTNER_WORKER)
        and (own is None or organisation.pk != own.pk)
        and organisation.kind != OrganisationKind.MISSION_LOCALE
    ):
        return gettext("un autre partenaire")
    return organisation_label(organisation, sections)
