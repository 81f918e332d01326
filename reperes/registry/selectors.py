"""Reads of the registry shared by pages and the API; always through the privacy policy."""

from django.db.models import QuerySet

from reperes.network.models import User
from reperes.privacy import policy
from reperes.registry.enums import CandidateStatus, SignalStatus, YouthStatus
from reperes.registry.models import DuplicateCandidate, Signal, Youth
from reperes.territory.text import fold


def caseload(user: User, *, query: str = "", mine_only: bool = False) -> QuerySet[Youth]:
    """The youths a user may see, filtered by words of their names (accents ignored)."""
    youths = policy.youths_visible_to(user)
    if mine_only:
        youths = youths.filter(referent=user)
    for word in fold(query).split():
        youths = youths.filter(search_name__contains=" " + word)
    return youths.select_related("commune", "referent").order_by("last_name", "first_names", "pk")


def triage_queue(user: User) -> QuerySet[Signal]:
    """New named signals waiting for a référent, oldest first: the first reported is the first called."""
    return (
        policy.signals_visible_to(user)
        .filter(status=SignalStatus.NEW)
        .select_related("organisation", "commune", "youth")
        .order_by("created_at", "pk")
    )


def contact_opportunities(user: User) -> QuerySet[Signal]:
    return (
        policy.signals_visible_to(user)
        .filter(status=SignalStatus.OPPORTUNITY)
        .select_related("organisation", "commune", "author")
        .order_by("-created_at", "-pk")
    )


def signals_sent(user: User) -> QuerySet[Signal]:
    """What a partner's organisation reported, and what became of each."""
    return policy.signals_visible_to(user).select_related("commune", "youth", "youth__referent", "author")


def duplicate_queue(user: User) -> QuerySet[DuplicateCandidate]:
    """Open pairs whose two records are both active and both visible to the user, likeliest first."""
    youths = policy.youths_visible_to(user)
    return (
        DuplicateCandidate.objects.filter(
            status=CandidateStatus.OPEN,
            youth_a__in=youths,
            youth_b__in=youths,
            youth_a__status=YouthStatus.ACTIVE,
            youth_b__status=YouthStatus.ACTIVE,
        )
        .select_related("youth_a", "youth_b", "youth_a__commune", "youth_b__commune")
        .order_by("-score", "pk")
    )
