"""Reads of the registry shared by pages and the API; always through the privacy policy."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from reperes.network.models import Membership, Organisation, User
from reperes.network.selectors import mission_locale_for
from reperes.privacy import policy
from reperes.privacy.models import AccessLog
from reperes.registry.enums import CandidateStatus, RowOutcome, SignalStatus, YouthStatus
from reperes.registry.models import Consent, DuplicateCandidate, ImportedRow, Signal, SignalContact, Youth
from reperes.territory.models import Commune
from reperes.territory.text import fold

CASELOAD_ORDER = {
    "name": ("sort_name", "pk"),
    # The files opened lately first: this campaign's youths before those of past ones.
    "recent": ("-created_at", "-pk"),
}


def caseload(user: User, *, query: str = "", mine_only: bool = False, sort: str = "name") -> QuerySet[Youth]:
    """The youths a user may see, filtered by words of their names (accents ignored), sorted by
    name or with the files opened lately first."""
    youths = policy.youths_visible_to(user)
    if mine_only:
        youths = youths.filter(referent=user)
    for word in fold(query).split():
        youths = youths.filter(search_name__contains=" " + word)
    return youths.select_related("commune", "referent").order_by(*CASELOAD_ORDER.get(sort, CASELOAD_ORDER["name"]))


def triage_queue(user: User) -> QuerySet[Signal]:
    """New named signals waiting for a référent, oldest first: the first reported is the first called."""
    return (
        policy.signals_visible_to(user)
        .filter(status=SignalStatus.NEW)
        .select_related("organisation", "commune", "youth")
        .order_by("created_at", "pk")
    )


def contact_opportunities(user: User) -> QuerySet[Signal]:
    """Signals sent without the youth's agreement and still open, the latest first, each with its
    contact attempts (the latest first)."""
    return (
        policy.signals_visible_to(user)
        .filter(status=SignalStatus.OPPORTUNITY)
        .select_related("organisation", "commune", "author")
        .prefetch_related(Prefetch("contacts", queryset=SignalContact.objects.order_by("-recorded_at", "-pk")))
        .order_by("-created_at", "-pk")
    )


def opportunity_contacts(signal: Signal) -> QuerySet[SignalContact]:
    """The attempts to reach the youth of a contact opportunity, the latest first."""
    return signal.contacts.select_related("recorded_by", "answered_by", "through").order_by("-recorded_at", "-pk")


def signals_sent(user: User) -> QuerySet[Signal]:
    """What a partner's organisation reported, and what became of each; `meeting_asked` when the
    Mission locale waits for the partner to propose a meeting to the youth."""
    return (
        policy.signals_visible_to(user)
        .select_related("commune", "youth", "youth__referent", "author")
        .annotate(meeting_asked=Exists(SignalContact.objects.awaiting_answer().filter(signal=OuterRef("pk"))))
    )


def outcomes_sent(user: User) -> list[tuple[str, int]]:
    """What became of the partner's signals, as it reads them, with how many: one query."""
    counts: dict[str, int] = {}
    rows = policy.signals_visible_to(user).values_list("status", "known_on_arrival").annotate(n=Count("pk"))
    for status, known, n in rows.order_by():
        label = Signal(status=status, known_on_arrival=known).outcome_for_partner
        counts[label] = counts.get(label, 0) + n
    return sorted(counts.items(), key=lambda item: -item[1])


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


# GDPR art. 14: a person whose data came from a third party (a dropout list) is informed within a month.
INFORM_WITHIN = timedelta(days=30)


def inform_deadline(listed_at: datetime) -> date:
    """The day, in the platform's time zone, by which someone a list brought in must be informed."""
    return timezone.localdate(listed_at + INFORM_WITHIN)


def to_inform(user: User) -> QuerySet[Youth]:
    """Youths whose record a list opened and who have not been informed yet, the most urgent
    first; `listed_at` is when the first list brought them in."""
    from_list = ImportedRow.objects.filter(youth=OuterRef("pk"), outcome__in=[RowOutcome.CREATED, RowOutcome.REVIEW])
    informed = Consent.objects.filter(youth=OuterRef("pk"))
    return (
        policy.youths_visible_to(user)
        .filter(Exists(from_list))
        .exclude(Exists(informed))
        .annotate(listed_at=Min("imported_rows__list_import__finished_at"))
        .select_related("commune", "referent")
        .order_by("listed_at", "pk")
    )


def information_due(user: User, *, limit: int = 50) -> list[tuple[Youth, date]]:
    """The youths to inform with the day each must be informed by."""
    return [(youth, inform_deadline(youth.listed_at)) for youth in to_inform(user)[:limit]]  # type: ignore[attr-defined]


def inform_by(youth: Youth) -> date | None:
    """The day by which a youth brought in by a list must be informed, while nobody has."""
    if youth.consents.exists():
        return None
    first = (
        ImportedRow.objects.filter(youth=youth, outcome__in=[RowOutcome.CREATED, RowOutcome.REVIEW])
        .aggregate(at=Min("list_import__finished_at"))
        .get("at")
    )
    return inform_deadline(first) if first else None


def handover_target(youth: Youth, commune: Commune | None) -> Organisation | None:
    """The Mission locale a move to `commune` would hand the file to, or None when it stays (or
    when no Mission locale covers the commune: the save then says so)."""
    if commune is None or commune.pk == youth.commune_id:
        return None
    mission = mission_locale_for(commune)
    return mission if mission is not None and mission.pk != youth.mission_locale_id else None


@dataclass
class Reading:
    entry: AccessLog
    organisation_obj: Organisation | None
    label: str = ""


def readings_by_others(youth: Youth, referent: User, *, limit: int = 20) -> tuple[list[Reading], int]:
    """Who else read the file, latest first, each with their organisation, and how many readings
    there were in all: the référent knows her own."""
    entries = AccessLog.objects.filter(youth_id=youth.pk).exclude(user=referent)
    latest = list(entries.select_related("user").order_by("-at", "-pk")[:limit])
    memberships = (
        Membership.objects.filter(user_id__in={entry.user_id for entry in latest}, is_active=True)
        .select_related("organisation")
        .order_by("-pk")  # the first active membership, as User.active_membership, is written last
    )
    organisation = {membership.user_id: membership.organisation for membership in memberships}
    return [Reading(entry, organisation.get(entry.user_id)) for entry in latest], entries.count()
