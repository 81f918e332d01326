"""A Fellegi–Sunter score: the sum, over fields, of log2(m / u) for the level each field reached,
and its explanation in plain French.

m is the chance of that level when both records are the same person, u when they are two
different people who share a block (so already look alike somewhat). The values are ours, set by
hand from what is known of French civil-status data and of typing errors, then checked on the
synthetic data of `synthetic.py` (docs/matching.md). A score of 30 bits means the observed
agreement is 2^30 times likelier for one person than for two.

Exact agreement on a name weighs more for a rare name than for « Martin »: when the registry's
name counts are known, u is the name's share in the registry, smoothed towards the table's u so
that a small registry keeps the table's weights (term-frequency adjustment).

`Model` holds a table of m and u: `DEFAULT_MODEL` is ours; `learn.estimate` fits one to lists
whose errors differ from a registry's (a benchmark, another country's lists).
"""

import math
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from reperes.matching.compare import Comparison, Level

# (m, u) per field and level; a level absent from a field's table weighs 0 (e.g. MISSING).
M_U: dict[str, dict[Level, tuple[float, float]]] = {
    "first_name": {
        Level.EXACT: (0.88, 0.006),
        Level.VARIANT: (0.03, 0.001),
        Level.ONE_TYPO: (0.03, 0.0015),
        Level.PHONETIC: (0.02, 0.001),
        Level.PARTIAL: (0.02, 0.002),
        Level.CLOSE: (0.01, 0.005),
        Level.DIFFERENT: (0.01, 0.98),
    },
    "last_name": {
        Level.EXACT: (0.9, 0.003),
        Level.ONE_TYPO: (0.03, 0.0008),
        Level.PHONETIC: (0.02, 0.0008),
        Level.PARTIAL: (0.02, 0.001),
        Level.CLOSE: (0.01, 0.005),
        Level.DIFFERENT: (0.02, 0.99),
    },
    "birth_date": {
        Level.EXACT: (0.92, 0.0003),
        Level.SWAPPED: (0.01, 0.0002),
        Level.ONE_TYPO: (0.04, 0.006),
        Level.YEAR: (0.95, 0.12),
        Level.DIFFERENT: (0.005, 0.99),
    },
    "sex": {
        Level.EXACT: (0.97, 0.5),
        Level.DIFFERENT: (0.03, 0.5),
    },
    "place": {
        Level.EXACT: (0.6, 0.05),
        Level.COMMUNE: (0.1, 0.02),
        Level.POSTCODE: (0.05, 0.01),
        Level.NEAR: (0.15, 0.1),
        Level.DIFFERENT: (0.15, 0.65),
    },
}
MTable = Mapping[str, Mapping[Level, tuple[float, float]]]
# Reading first name as last name and the reverse is itself a clue against.
SWAPPED_NAMES_BITS = -2.0
# Pseudo-count of the smoothing: a registry needs well over this many people before its own
# name counts move the weights far from the table's.
SMOOTHING = 5000
# A rare name may weigh up to this many bits more than the table says, a common one this many less.
MAX_GAIN, MAX_LOSS = 5.0, 5.0


class Model:
    """A table of (m, u) per field and level, and the weights log2(m / u) drawn from it.

    `prior`, when the model was fitted to the lists at hand, is the prior odds against a given
    candidate being a query's match, in bits, as the lists showed it (`learn.estimate`); without
    it the thresholds take the registry's prior, one in its population (`Thresholds.bounds`)."""

    def __init__(self, m_u: MTable, prior: float | None = None) -> None:
        self.m_u = m_u
        self.prior = prior
        self.weights = {
            field: {level: math.log2(m / u) for level, (m, u) in levels.items()} for field, levels in m_u.items()
        }
        weights = self.weights
        self.date, self.sex, self.place = weights["birth_date"], weights["sex"], weights["place"]
        # The most names may add when they are not both exact, straight or swapped (`Bound`); a
        # missing name weighs 0, and a learned table may rank an inexact level above EXACT.
        first, last = weights["first_name"], weights["last_name"]
        self.first_inexact_max = max(0.0, *(bits for level, bits in first.items() if level is not Level.EXACT))
        self.last_inexact_max = max(0.0, *(bits for level, bits in last.items() if level is not Level.EXACT))
        self.swapped_max = max(0.0, *first.values()) + max(0.0, *last.values()) + SWAPPED_NAMES_BITS

    def exact_bits(self, field: str, count: int, total: int, level: Level = Level.EXACT) -> float:
        """The weight of exact agreement on a value `count` people of `total` share."""
        m, u = self.m_u[field][level]
        base = self.weights[field][level]
        share = (count + SMOOTHING * u) / (total + SMOOTHING)
        return min(base + MAX_GAIN, max(base - MAX_LOSS, math.log2(m / share)))


DEFAULT_MODEL = Model(M_U)


class NameCounts(Protocol):
    """How many people of the registry bear a folded first name or last name."""

    @property
    def total(self) -> int: ...

    def first_name_count(self, first: str) -> int: ...

    def last_name_count(self, last: str) -> int: ...


@runtime_checkable
class PlaceCounts(Protocol):
    """How many people of the registry live in a normalised commune (`Index` knows)."""

    def commune_count(self, commune: str) -> int: ...


def place_bits(level: Level, commune: str, counts: NameCounts | None, model: Model = DEFAULT_MODEL) -> float:
    """The weight of the place, adjusted to the commune's share of the registry when known."""
    if commune and level in (Level.EXACT, Level.COMMUNE) and isinstance(counts, PlaceCounts):
        return model.exact_bits("place", counts.commune_count(commune), counts.total, level)
    return model.place.get(level, 0.0)


class Bound:
    """The most a candidate can score against one query, known before its names are compared:
    from its date, sex and place, and whether it bears the query's first name or one of its last
    names exactly. A large registry's blocks hold dozens of candidates per query, most of them
    far off: a candidate whose bound is below the review bound is not worth comparing names with."""

    __slots__ = ("model", "first_exact", "last_exact", "place", "most_but_date")

    def __init__(
        self, first: str, last: str, commune: str, counts: "NameCounts | None", model: Model = DEFAULT_MODEL
    ) -> None:
        self.model = model
        self.first_exact = model.weights["first_name"][Level.EXACT]
        self.last_exact = model.weights["last_name"][Level.EXACT]
        if counts is not None:  # as `score` adjusts them
            if first:
                self.first_exact = model.exact_bits("first_name", counts.first_name_count(first), counts.total)
            if last:
                self.last_exact = model.exact_bits("last_name", counts.last_name_count(last), counts.total)
        self.place = {level: place_bits(level, commune, counts, model) for level in model.place}
        names = max(self.first_exact, model.first_inexact_max) + max(self.last_exact, model.last_inexact_max)
        # Checked first: most candidates are ruled out by their birth date alone.
        # A missing sex or place weighs 0.
        self.most_but_date = (
            max(0.0, *model.sex.values()) + max(0.0, *self.place.values()) + max(names, model.swapped_max)
        )

    def by_date(self, date: Level) -> float:
        return self.model.date.get(date, 0.0) + self.most_but_date

    def of(self, date: Level, sex: Level, place: Level, same_first: bool, same_last: bool) -> float:
        model = self.model
        first = self.first_exact if same_first else model.first_inexact_max
        last = self.last_exact if same_last else model.last_inexact_max
        names = max(first + last, model.swapped_max, first + model.last_inexact_max, model.first_inexact_max + last)
        return model.date.get(date, 0.0) + model.sex.get(sex, 0.0) + self.place.get(place, 0.0) + names


def score(
    comparison: Comparison,
    *,
    first: str = "",
    last: str = "",
    commune: str = "",
    counts: NameCounts | None = None,
    model: Model = DEFAULT_MODEL,
) -> float:
    """The match weight in bits. `first`, `last` and `commune` are the query's folded names and
    commune, used with `counts` for the term-frequency adjustment of exact agreement: living in
    the same village says more than living in Strasbourg."""
    weights = model.weights
    total = 0.0
    for field, match in (
        ("first_name", comparison.first_name),
        ("last_name", comparison.last_name),
        ("birth_date", comparison.birth_date),
        ("sex", comparison.sex),
        ("place", comparison.place),
    ):
        total += weights[field].get(match.level, 0.0)
    if counts is not None and not comparison.names_swapped:
        if comparison.first_name.level == Level.EXACT and first:
            bits = model.exact_bits("first_name", counts.first_name_count(first), counts.total)
            total += bits - weights["first_name"][Level.EXACT]
        if comparison.last_name.level == Level.EXACT and last:
            bits = model.exact_bits("last_name", counts.last_name_count(last), counts.total)
            total += bits - weights["last_name"][Level.EXACT]
    place = comparison.place.level
    total += place_bits(place, commune, counts, model) - model.place.get(place, 0.0)
    if comparison.names_swapped:
        total += SWAPPED_NAMES_BITS
    return total


def explain(comparison: Comparison) -> str:
    """« même date de naissance, nom à une faute près, même prénom, même commune »."""
    fragments = [comparison.birth_date.fragment]
    if comparison.names_swapped:
        fragments.append("prénom et nom inversés")
    fragments += [
        comparison.last_name.fragment,
        comparison.first_name.fragment,
        comparison.sex.fragment,
        comparison.place.fragment,
    ]
    return ", ".join(fragment for fragment in fragments if fragment)
