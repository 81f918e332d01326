"""The engine's one code path for its three uses: one record against the registry while a form
is filled (`match_one`), a batch of records (`match_many`: imports), and a list against itself
(`dedupe`: the periodic sweep, the command line)."""

from collections import Counter
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from reperes.matching.blocking import profile_keys
from reperes.matching.decide import DEFAULT_THRESHOLDS, Decision, Outcome, Thresholds, decide_profiles
from reperes.matching.profile import Profile, make_profile
from reperes.matching.records import Record

# A query is compared with at most this many candidates, taken from its rarest keys first.
MAX_CANDIDATES = 300


class Index:
    """Blocking keys → positions of the people who have them, in memory, plus the name counts
    that weigh exact agreement (score.py).

    A million people have about ten million keys, most of them held by one person only. To fit
    in memory, a key is stored as its hash (a 64-bit int rather than a string; two keys that
    collide only add a candidate) and a key held by one person maps to that position alone
    rather than to a list."""

    def __init__(self, max_candidates: int = MAX_CANDIDATES, *, only_keys: AbstractSet[int] | None = None) -> None:
        self.max_candidates = max_candidates
        # Batch linking (`link`): only the keys some query holds are kept, and only the people who
        # hold one; everyone still counts in the size and the name counts.
        self.only_keys = only_keys
        self._size = 0
        self.profiles: list[Profile] = []
        self._postings: dict[int, int | list[int]] = {}
        self._first_counts: Counter[str] = Counter()
        self._last_counts: Counter[str] = Counter()
        self._commune_counts: Counter[str] = Counter()

    @classmethod
    def from_records(
        cls,
        records: Iterable[Record],
        max_candidates: int = MAX_CANDIDATES,
        *,
        only_keys: AbstractSet[int] | None = None,
    ) -> "Index":
        index = cls(max_candidates, only_keys=only_keys)
        for record in records:
            index.add(record)
        return index

    def __len__(self) -> int:
        return self._size

    def add(self, record: Record) -> Profile:
        profile = make_profile(record)
        self._size += 1
        if profile.first:
            self._first_counts[profile.first] += 1
        if profile.last_forms:
            self._last_counts[profile.last_forms[0]] += 1
        if profile.commune:
            self._commune_counts[profile.commune] += 1
        hashes = list(map(hash, profile_keys(profile)))
        if self.only_keys is not None:
            hashes = [hashed for hashed in hashes if hashed in self.only_keys]
            if not hashes:
                return profile
        position = len(self.profiles)
        self.profiles.append(profile)
        postings = self._postings
        for hashed in hashes:
            held = postings.setdefault(hashed, position)
            if held is not position:
                if type(held) is int:
                    postings[hashed] = [held, position]
                else:
                    held.append(position)  # type: ignore[union-attr]
        return profile

    @property
    def total(self) -> int:
        return self._size

    def first_name_count(self, first: str) -> int:
        return self._first_counts[first]

    def last_name_count(self, last: str) -> int:
        return self._last_counts[last]

    def commune_count(self, commune: str) -> int:
        return self._commune_counts[commune]

    def key_count(self) -> int:
        return len(self._postings)

    def candidates(self, profile: Profile, *, exclude: int | None = None) -> list[Profile]:
        """The people sharing a key with `profile`, rarest keys first, at most `max_candidates`."""
        postings = sorted(
            (
                [held] if isinstance(held, int) else held
                for key in profile_keys(profile)
                if (held := self._postings.get(hash(key))) is not None
            ),
            key=len,
        )
        found: dict[int, None] = {}
        for posting in postings:
            for position in posting:
                if position != exclude:
                    found[position] = None
                    if len(found) >= self.max_candidates:
                        return [self.profiles[position] for position in found]
        return [self.profiles[position] for position in found]


class Engine:
    def __init__(self, index: Index, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.index = index
        self.thresholds = thresholds

    def match_one(self, record: Record) -> Decision:
        """Is this person already in the index? For a form being filled."""
        query = make_profile(record)
        candidates = self.index.candidates(query)
        return decide_profiles(
            query, candidates, thresholds=self.thresholds, counts=self.index, population=len(self.index)
        )

    def match_many(self, records: Iterable[Record]) -> Iterator[Decision]:
        """One decision per record, each against the index only (records of the batch are not
        compared with each other: dedupe the batch first if it may hold duplicates)."""
        for record in records:
            yield self.match_one(record)

    def dedupe(self) -> Iterator[Decision]:
        """One decision per indexed person against all the others."""
        if self.index.only_keys is not None:
            raise ValueError("dedupe needs an index of every person")
        for position, query in enumerate(self.index.profiles):
            candidates = self.index.candidates(query, exclude=position)
            yield decide_profiles(
                query,
                candidates,
                thresholds=self.thresholds,
                counts=self.index,
                population=len(self.index),
                duplicates_expected=True,
            )


def link(
    registry: Iterable[Record], queries: Iterable[Record], *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Iterator[Decision]:
    """Batch: one decision per query against the registry, the same as `match_many` would give.
    Only the registry's keys that some query holds are indexed, with the people holding them: for
    100,000 queries against a million people, a fraction of the ten million keys."""
    queries = list(queries)
    wanted = {hash(key) for query in queries for key in profile_keys(make_profile(query))}
    return Engine(Index.from_records(registry, only_keys=wanted), thresholds).match_many(queries)


def dedupe(records: Iterable[Record], *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Iterator[Decision]:
    """Find the people who appear more than once in one list."""
    return Engine(Index.from_records(records), thresholds).dedupe()


@dataclass(frozen=True, slots=True)
class Pair:
    left: str
    right: str
    score: float
    outcome: Outcome


def pairs(decisions: Iterable[Decision], *, review: bool = False, symmetric: bool = False) -> list[Pair]:
    """The pairs the decisions judge the same person (and, with `review`, those to review).
    `symmetric` (deduplication) reports each pair once, the record met first on the left, with
    the stronger of its two decisions."""
    wanted = {Outcome.SAME, Outcome.REVIEW} if review else {Outcome.SAME}
    order: dict[str, int] = {}
    found: dict[tuple[str, str], Pair] = {}
    for decision in decisions:
        order.setdefault(decision.record_id, len(order))
        if decision.outcome not in wanted:
            continue
        for match in decision.matches:
            left, right = decision.record_id, match.id
            if symmetric and order.get(right, len(order)) < order[left]:
                left, right = right, left
            pair = Pair(left, right, match.score, decision.outcome)
            previous = found.get((left, right))
            if previous is None or _strength(pair) > _strength(previous):
                found[left, right] = pair
    return list(found.values())


def _strength(pair: Pair) -> tuple[bool, float]:
    return pair.outcome == Outcome.SAME, pair.score
