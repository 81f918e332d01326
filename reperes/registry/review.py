"""Duplicate review: a periodic sweep of each Mission locale's records through the engine's
dedupe (the batch use of `reperes.matching`; nightly, a task of the background worker), then a
counsellor's decision on each pair: merge it (services.merge_youths, undoable) or mark it as two
people, never proposed again."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.matching import Outcome, dedupe
from reperes.network.models import Organisation, User
from reperes.privacy import audit
from reperes.registry.enums import CandidateStatus
from reperes.registry.identity import record_of
from reperes.registry.models import DuplicateCandidate, Merge, Youth
from reperes.registry.services import merge_youths

logger = logging.getLogger(__name__)


def sweep_duplicates(mission: Organisation) -> int:
    """Compare every active record of one Mission locale with the others; each pair the engine
    takes for one person, or cannot tell apart, becomes an open candidate unless already known.
    Records of two Missions locales are never merged, so they are never compared."""
    youths = {str(y.pk): y for y in Youth.objects.active().filter(mission_locale=mission).select_related("commune")}
    best: dict[tuple[int, int], tuple[float, str]] = {}
    for decision in dedupe(record_of(y) for y in youths.values()):
        if decision.outcome not in (Outcome.SAME, Outcome.REVIEW):
            continue
        for match in decision.matches:
            a, b = sorted((int(decision.record_id), int(match.id)))
            pair = (a, b)
            if pair not in best or match.score > best[pair][0]:
                best[pair] = (match.score, match.explanation)
    existing = set(
        DuplicateCandidate.objects.filter(youth_a__mission_locale=mission).values_list("youth_a_id", "youth_b_id")
    )
    existing |= _distinct_after_merges(mission)
    new = [
        DuplicateCandidate(youth_a_id=a, youth_b_id=b, score=score, explanation=explanation[:300])
        for (a, b), (score, explanation) in best.items()
        if (a, b) not in existing
    ]
    DuplicateCandidate.objects.bulk_create(new, ignore_conflicts=True)
    logger.info("sweep of mission_locale=%s: %s records, %s new candidates", mission.pk, len(youths), len(new))
    return len(new)


def sweep_all_missions() -> int:
    """The nightly sweep (tasks.nightly_sweep): every active Mission locale, one after the other."""
    return sum(sweep_duplicates(mission) for mission in Organisation.objects.active().missions_locales())


def _distinct_after_merges(mission: Organisation) -> set[tuple[int, int]]:
    """« Deux personnes » said of a record still holds once it is merged into another: the pair
    is carried over to the records they now live in."""
    merged_into = dict(
        Youth.objects.filter(mission_locale=mission).exclude(merged_into=None).values_list("pk", "merged_into_id")
    )

    def root(pk: int) -> int:
        while pk in merged_into:
            pk = merged_into[pk]
        return pk

    carried = set()
    for a, b in DuplicateCandidate.objects.filter(
        youth_a__mission_locale=mission, status=CandidateStatus.DISTINCT
    ).values_list("youth_a_id", "youth_b_id"):
        x, y = sorted((root(a), root(b)))
        carried.add((x, y))
    return carried


def _decide(candidate: DuplicateCandidate, status: str, acting_user: User) -> None:
    candidate.status, candidate.decided_by, candidate.decided_at = status, acting_user, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def merge_candidate(candidate: DuplicateCandidate, *, keep: Youth, acting_user: User) -> Merge:
    candidate = (
        DuplicateCandidate.objects.select_for_update().select_related("youth_a", "youth_b").get(pk=candidate.pk)
    )
    if candidate.status != CandidateStatus.OPEN:
        raise ValidationError(_("Cette paire a déjà été examinée."))
    if keep.pk not in (candidate.youth_a_id, candidate.youth_b_id):
        raise ValidationError(_("Choisissez l'un des deux dossiers."))
    absorbed = candidate.youth_b if keep.pk == candidate.youth_a_id else candidate.youth_a
    merge = merge_youths(keep, absorbed, acting_user=acting_user)
    _decide(candidate, CandidateStatus.MERGED, acting_user)
    return merge


@transaction.atomic
def mark_distinct(candidate: DuplicateCandidate, *, acting_user: User) -> DuplicateCandidate:
    """Two people after all (twins, namesakes): the pair stays closed through every later sweep."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != CandidateStatus.OPEN:
        raise ValidationError(_("Cette paire a déjà été examinée."))
    _decide(candidate, CandidateStatus.DISTINCT, acting_user)
    audit.record_write(candidate, acting_user=acting_user, after={"status": CandidateStatus.DISTINCT})
    return candidate
