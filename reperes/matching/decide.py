"""One decision per incoming record, not per pair: the same person (auto), to review, or a new
person, from the best candidate's score, a few rules, and its margin over the runner-up."""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from reperes.matching.compare import (
    Comparison,
    Level,
    compare_birth_dates,
    compare_names,
    compare_places,
    compare_sexes,
)
from reperes.matching.profile import Profile, make_profile
from reperes.matching.records import Record
from reperes.matching.score import DEFAULT_MODEL, Bound, Model, NameCounts, explain, score


class Outcome(StrEnum):
    SAME = "same"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """In bits above the prior (score.py, docs/matching.md).

    Among `population` people, a given one is the right candidate with prior odds of about
    1 to `population`; a score of s bits turns that into odds of 2**s / population. So SAME needs
    a score of at least `same` + log2(population): 6.6 bits above the prior are odds of 99 to 1.
    REVIEW starts at odds of 1 to 4. `margin` is the least lead over the runner-up (6 bits: 64
    times likelier). The population is the registry's size, never taken below `min_population`:
    a young registry still receives people of a whole territory. A model fitted to the lists
    themselves brings its own prior (`Model.prior`, learned with the weights), which replaces the
    population's: in a list where each person appears three times, a candidate is likelier to be
    the one than in a registry of unique people. `guard` applies the rules of
    `veto` (twins, siblings, namesakes); without it the score alone decides, for lists known to
    hold no relatives (a benchmark like FEBRL)."""

    same: float = 6.6
    review: float = -2.0
    margin: float = 6.0
    min_population: int = 10_000
    guard: bool = True

    def bounds(self, population: int, prior: float | None = None) -> tuple[float, float]:
        """The scores needed for SAME and for REVIEW among `population` people, or with the
        `prior` odds (in bits) against a candidate that a fitted model learned."""
        if prior is None:
            prior = math.log2(max(population, self.min_population))
        return self.same + prior, self.review + prior


DEFAULT_THRESHOLDS = Thresholds()
# More candidates than this in a review is noise for the person reviewing.
MAX_REVIEW_MATCHES = 5

_STRONG_FIRST = {Level.EXACT, Level.VARIANT, Level.ONE_TYPO, Level.PHONETIC, Level.PARTIAL}
_STRONG_LAST = {Level.EXACT, Level.ONE_TYPO, Level.PHONETIC, Level.PARTIAL}
_CLOSE_DATE = {Level.EXACT, Level.SWAPPED, Level.ONE_TYPO}


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    score: float
    comparison: Comparison

    @property
    def explanation(self) -> str:
        return explain(self.comparison)


@dataclass(frozen=True, slots=True)
class Decision:
    """`matches` holds the candidates judged to be this person (SAME: the best one, and in a
    deduplication its duplicates) or those to put before a reviewer (REVIEW); `reason` says in
    French why the engine did not decide alone."""

    record_id: str
    outcome: Outcome
    best: Match | None = None
    runner_up: Match | None = None
    matches: tuple[Match, ...] = ()
    reason: str = ""

    @property
    def margin(self) -> float | None:
        if self.best is None or self.runner_up is None:
            return None
        return self.best.score - self.runner_up.score


def veto(comparison: Comparison) -> str:
    """Why this pair may not be merged without a person looking, or "" if it may.

    Twins share a last name, a birth date and an address: a score alone would merge them, so a
    SAME needs both names and the date to agree (each at least to a typo), and a record without
    a full birth date needs everything else exact: names, postcode and commune. A record without
    a last name needs the first name, the full date and the place exact; one without a first
    name is never merged alone (it cannot tell twins apart)."""
    if comparison.first_name.level == Level.MISSING:
        return "prénom absent"
    if comparison.first_name.level not in _STRONG_FIRST:
        return "prénoms différents"
    if comparison.last_name.level == Level.MISSING:
        # Twins differ by their first names: without a last name, the first name, the full birth
        # date and the place must all agree exactly.
        exact_first = comparison.first_name.level in (Level.EXACT, Level.VARIANT)
        if not exact_first or comparison.birth_date.level != Level.EXACT or comparison.place.level != Level.EXACT:
            return "nom absent"
    elif comparison.last_name.level not in _STRONG_LAST:
        return "noms différents"
    if comparison.sex.level == Level.DIFFERENT:
        return "sexe différent"
    date = comparison.birth_date.level
    if date in (Level.MISSING, Level.YEAR):
        exact_names = comparison.first_name.level in (Level.EXACT, Level.VARIANT)
        exact_names = exact_names and comparison.last_name.level == Level.EXACT
        if not exact_names or comparison.place.level != Level.EXACT:
            return "date de naissance absente ou incomplète"
    elif date not in _CLOSE_DATE:
        return "dates de naissance différentes"
    return ""


class _Scorer:
    """Scores candidates against one query; those that cannot reach `floor` whatever their names
    are set aside before their names are compared."""

    __slots__ = ("query", "counts", "model", "last", "lasts", "bound")

    def __init__(self, query: Profile, counts: NameCounts | None, model: Model = DEFAULT_MODEL) -> None:
        self.query, self.counts, self.model = query, counts, model
        self.last = query.last_forms[0] if query.last_forms else ""
        self.lasts = frozenset(query.all_last_forms)
        self.bound = Bound(query.first, self.last, query.commune, counts, model)

    def match(self, candidate: Profile, floor: float | None = None) -> Match | None:
        query = self.query
        date = compare_birth_dates(query, candidate)
        if floor is not None and self.bound.by_date(date.level) < floor:
            return None
        sex, place = compare_sexes(query, candidate), compare_places(query, candidate)
        if floor is not None:
            same_first = bool(query.first) and query.first == candidate.first
            same_last = not self.lasts.isdisjoint(candidate.last_forms) or not self.lasts.isdisjoint(
                candidate.birth_forms
            )
            if self.bound.of(date.level, sex.level, place.level, same_first, same_last) < floor:
                return None
        first, last_name, swapped, via_birth = compare_names(query, candidate)
        comparison = Comparison(first, last_name, date, sex, place, swapped, via_birth)
        weight = score(
            comparison, first=query.first, last=self.last, commune=query.commune, counts=self.counts, model=self.model
        )
        return Match(candidate.id, round(weight, 2), comparison)


def _vetoed(comparison: Comparison, thresholds: Thresholds) -> str:
    return veto(comparison) if thresholds.guard else ""


def _is_duplicate(
    a: Profile, b: Profile, thresholds: Thresholds, same_bound: float, counts: NameCounts | None, model: Model
) -> bool:
    match = _Scorer(a, counts, model).match(b, same_bound)
    return match is not None and match.score >= same_bound and not _vetoed(match.comparison, thresholds)


def score_candidates(
    query: Profile,
    candidates: Iterable[Profile],
    counts: NameCounts | None,
    floor: float,
    model: Model = DEFAULT_MODEL,
) -> list[Match]:
    """The matches of the candidates that may reach `floor`, best first; equal scores in the order
    of their ids, so that the order does not depend on how the candidates were found."""
    scorer = _Scorer(query, counts, model)
    matches = (scorer.match(candidate, floor) for candidate in candidates)
    return sorted((match for match in matches if match is not None), key=lambda m: (-m.score, m.id))


def decide_scored(
    query_id: str,
    scored: Sequence[Match],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    population: int = 0,
    prior: float | None = None,
    same_person: Callable[[str, str], bool] | None = None,
) -> Decision:
    """The decision from the scored matches of one query (`score_candidates`). `same_person`
    (deduplication of one list) says whether two candidates are themselves one person: such a
    runner-up does not count against the margin, and both are reported as matches."""
    if not scored:
        return Decision(query_id, Outcome.NEW, reason="aucun candidat assez proche")
    same_bound, review_bound = thresholds.bounds(population, prior)
    best = scored[0]
    runner_up = scored[1] if len(scored) > 1 else None
    if best.score < review_bound:
        return Decision(query_id, Outcome.NEW, best, runner_up, reason="aucun candidat assez proche")
    reviewable = tuple(
        m for m in scored[:MAX_REVIEW_MATCHES] if m.score >= max(review_bound, best.score - thresholds.margin)
    )
    if best.score < same_bound:
        return Decision(query_id, Outcome.REVIEW, best, runner_up, reviewable, "score insuffisant pour décider seul")
    reason = _vetoed(best.comparison, thresholds)
    if reason:
        return Decision(query_id, Outcome.REVIEW, best, runner_up, reviewable, reason)
    # In one list, every candidate that is the same person on its own score is reported with the
    # best: a person entered three times is three pairs.
    also = () if same_person is None else scored[1:MAX_REVIEW_MATCHES]
    same = (best, *(m for m in also if m.score >= same_bound and not _vetoed(m.comparison, thresholds)))
    if runner_up is None or best.score - runner_up.score >= thresholds.margin:
        return Decision(query_id, Outcome.SAME, best, runner_up, same)
    if same_person is not None and all(same_person(best.id, m.id) for m in reviewable[1:]):
        return Decision(query_id, Outcome.SAME, best, runner_up, same)
    return Decision(query_id, Outcome.REVIEW, best, runner_up, reviewable, "un autre dossier est presque aussi proche")


def decide_profiles(
    query: Profile,
    candidates: Sequence[Profile],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    counts: NameCounts | None = None,
    population: int = 0,
    duplicates_expected: bool = False,
    model: Model = DEFAULT_MODEL,
) -> Decision:
    """The decision for `query` among `candidates`, drawn from `population` people. With
    `duplicates_expected` (deduplication of one list), a runner-up that is itself the same person
    as the best candidate does not count against the margin: both are reported as matches."""
    if not candidates:
        return Decision(query.id, Outcome.NEW, reason="aucun candidat")
    same_bound, review_bound = thresholds.bounds(population, model.prior)
    scored = score_candidates(query, candidates, counts, review_bound, model)
    same_person = None
    if duplicates_expected:
        by_id = {candidate.id: candidate for candidate in candidates}

        def same_person(a: str, b: str) -> bool:
            return _is_duplicate(by_id[a], by_id[b], thresholds, same_bound, counts, model)

    return decide_scored(
        query.id, scored, thresholds=thresholds, population=population, prior=model.prior, same_person=same_person
    )


def decide(
    record: Record,
    candidates: Sequence[Record],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    counts: NameCounts | None = None,
    population: int = 0,
    model: Model = DEFAULT_MODEL,
) -> Decision:
    """The decision for one record among candidates already found (by the registry's blocking
    keys, for instance) in a registry of `population` people."""
    profiles = [make_profile(candidate) for candidate in candidates]
    return decide_profiles(
        make_profile(record), profiles, thresholds=thresholds, counts=counts, population=population, model=model
    )
