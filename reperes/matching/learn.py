"""Weights fitted to the lists at hand, for lists whose errors are not a registry's.

Our table of m and u (score.M_U) describes French registry records typed by counsellors and
partners. A benchmark or another source may err differently: FEBRL replaces whole first names.
`estimate` fits the table to the lists themselves, as the Fellegi–Sunter model is usually fitted:

- u, the chance of each level for two different people, from random pairs of the lists;
- m, the chance of each level for the same person, by expectation–maximisation over the pairs
  that blocking brings together: each pair is, with some probability, a match, and the levels of
  its fields are taken as independent given that; the levels' frequencies among the likely
  matches give m, which gives the probabilities again, until they settle.

The fit also gives the share of matches among the blocked pairs, hence how many matches a query
has on average, hence the prior odds against a given candidate (`Model.prior`): in FEBRL 3 each
person appears three times or so, and a candidate is likelier to be the one than among unique
people. The thresholds stay those of `Thresholds` (99 to 1 for SAME): they are reached from that
prior instead of the registry's one in its population.
"""

import math
import random
from collections import Counter
from collections.abc import Sequence

from reperes.matching.blocking import key_hashes
from reperes.matching.compare import Comparison, Level, compare
from reperes.matching.engine import Index
from reperes.matching.profile import make_profile
from reperes.matching.records import Record
from reperes.matching.score import M_U, Model

FIELDS = ("first_name", "last_name", "birth_date", "sex", "place")
# Neither m nor u is taken below this: a level never seen still weighs something finite.
FLOOR = 1e-5
# More matches than this per query on average is not a list of people entered a few times each:
# the fit took something else (a shared first name, a shared place) for the match class.
MAX_MATCHES_PER_QUERY = 10.0
# Fewer people than this on a side, and EM has too few pairs to tell matches apart (nor a prior
# worth trusting, which would lower the bar): the table stays.
MIN_PEOPLE = 500

Pattern = tuple[Level, ...]


def _pattern(comparison: Comparison) -> Pattern:
    return (
        comparison.first_name.level,
        comparison.last_name.level,
        comparison.birth_date.level,
        comparison.sex.level,
        comparison.place.level,
    )


def _frequencies(
    patterns: Counter[Pattern], weight_of: dict[Pattern, float], column: int
) -> dict[str, dict[Level, float]]:
    """Each field's levels' shares among the pairs, each pair counted `weight_of` its pattern; a
    field never filled in keeps the table's m (`column` 0) or u (1)."""
    shares: dict[str, dict[Level, float]] = {}
    for number, field in enumerate(FIELDS):
        levels = M_U[field]
        counted: dict[Level, float] = dict.fromkeys(levels, 0.0)
        for pattern, count in patterns.items():
            if pattern[number] in levels:  # MISSING and the like say nothing
                counted[pattern[number]] += count * weight_of[pattern]
        total = sum(counted.values())
        shares[field] = {
            level: max(FLOOR, counted[level] / total) if total else M_U[field][level][column] for level in levels
        }
    return shares


def estimate(
    left: Sequence[Record],
    right: Sequence[Record] | None = None,
    *,
    random_pairs: int = 200_000,
    iterations: int = 30,
    seed: int = 0,
) -> Model:
    """A model fitted to `left` linked with `right`, or to `left` alone (deduplication)."""
    rng = random.Random(seed)
    left_profiles = [make_profile(record) for record in left]
    right_profiles = left_profiles if right is None else [make_profile(record) for record in right]
    if not left_profiles or not right_profiles:
        raise ValueError("estimate needs people on both sides")
    if min(len(left_profiles), len(right_profiles)) < MIN_PEOPLE:
        return Model(M_U)
    randoms: Counter[Pattern] = Counter()
    for _ in range(random_pairs):
        a, b = rng.choice(left_profiles), rng.choice(right_profiles)
        if a is not b:
            randoms[_pattern(compare(a, b))] += 1
    u = _frequencies(randoms, dict.fromkeys(randoms, 1.0), 1)

    # A link indexes only the keys its queries hold, as `engine.link` does.
    wanted = None if right is None else {hashed for profile in left_profiles for hashed in key_hashes(profile)}
    index = Index.from_records(left if right is None else right, only_keys=wanted)
    blocked: Counter[Pattern] = Counter()
    for position, query in enumerate(left_profiles):
        for candidate in index.candidates(query, exclude=position if right is None else None):
            if right is not None or query.id < candidate.id:  # a pair of one list once
                blocked[_pattern(compare(query, candidate))] += 1
    if not blocked:
        return Model(M_U)

    # Expectation–maximisation of m, of u among blocked pairs and of the share of matches.
    m = {field: {level: m_u[0] for level, m_u in M_U[field].items()} for field in FIELDS}
    u_blocked = _frequencies(blocked, dict.fromkeys(blocked, 1.0), 1)
    share = min(0.5, len(left_profiles) / sum(blocked.values()))
    for _ in range(iterations):
        match_probability: dict[Pattern, float] = {}
        for pattern in blocked:
            if_match, if_not = share, 1 - share
            for number, field in enumerate(FIELDS):
                level = pattern[number]
                if level in m[field]:
                    if_match *= m[field][level]
                    if_not *= u_blocked[field][level]
            match_probability[pattern] = if_match / (if_match + if_not)
        matches = sum(count * match_probability[pattern] for pattern, count in blocked.items())
        share = max(FLOOR, min(1 - FLOOR, matches / sum(blocked.values())))
        m = _frequencies(blocked, match_probability, 0)
        u_blocked = _frequencies(blocked, {pattern: 1 - p for pattern, p in match_probability.items()}, 1)
    # A small or odd list can settle the "match" class on something else (people sharing a first
    # name): unless it agrees more than it disagrees on last name and birth date, the table stays.
    for field in ("last_name", "birth_date"):
        if m[field][Level.EXACT] <= m[field][Level.DIFFERENT]:
            return Model(M_U)
    # A pair of one list is a match for both its records; the others are each query's own.
    per_query = share * sum(blocked.values()) * (1 if right is not None else 2) / len(left_profiles)
    if per_query > MAX_MATCHES_PER_QUERY:
        return Model(M_U)
    population = len(right_profiles) - (1 if right is None else 0)
    prior = math.log2(max(1.0, population - per_query) / per_query)  # share ≥ FLOOR: per_query > 0
    m_u = {field: {level: (m[field][level], u[field][level]) for level in M_U[field]} for field in FIELDS}
    return Model(m_u, prior=prior)
