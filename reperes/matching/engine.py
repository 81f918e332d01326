"""The engine's one code path for its three uses: one record against the registry while a form
is filled (`match_one`), a batch of records (`match_many`: imports), and a list against itself
(`dedupe`: the periodic sweep, the command line)."""

import multiprocessing
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

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
        profile, hashes = self._prepare(record)
        if hashes:
            self._post(profile, hashes)
        return profile

    def _prepare(self, record: Record) -> tuple[Profile, list[int]]:
        """Count the person and give the hashed keys to post (none: not kept, see `only_keys`)."""
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
        return profile, hashes

    def _post(self, profile: Profile, hashes: list[int]) -> None:
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

    @classmethod
    def build_parallel(cls, records: Sequence[Record], *, only_keys: AbstractSet[int], processes: int = 2) -> "Index":
        """The same index as `from_records(records, only_keys=...)`, its profiles computed by
        `processes` forked processes, each over a slice of the records (Linux: fork shares the
        records without copying them); only the profiles kept come back."""
        global _SHARED
        _SHARED = (records, only_keys)
        bounds = [len(records) * n // processes for n in range(processes + 1)]
        with ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_index_part, bounds[n], bounds[n + 1]) for n in range(1, processes)]
            parts = [_index_part(bounds[0], bounds[1])] + [future.result() for future in futures]
        _SHARED = None
        index = cls(only_keys=only_keys)
        for part in parts:
            index._size += part.size
            index._first_counts.update(part.first_counts)
            index._last_counts.update(part.last_counts)
            index._commune_counts.update(part.commune_counts)
            for profile, hashes in zip(part.profiles, part.hashes, strict=True):
                index._post(profile, hashes)
        return index

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

    def match_parallel(self, records: Sequence[Record], processes: int = 2) -> list[Decision]:
        """`match_many` over `processes` forked processes, which share the index until they touch
        it; the decisions come back in the records' order."""
        global _SHARED
        _SHARED = (self, records, processes)
        with ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_decide_part, n) for n in range(1, processes)]
            shares = [_decide_part(0)] + [future.result() for future in futures]
        _SHARED = None
        decisions: list[Decision] = [None] * len(records)  # type: ignore[list-item]
        for n, share in enumerate(shares):
            decisions[n::processes] = share
        return decisions

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
    registry: Iterable[Record],
    queries: Iterable[Record],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    processes: int = 1,
) -> Iterator[Decision]:
    """Batch: one decision per query against the registry, the same as `match_many` would give.
    Only the registry's keys that some query holds are indexed, with the people holding them: for
    100,000 queries against a million people, a fraction of the ten million keys. With
    `processes` > 1 (Linux, fork), profiles and decisions are computed by that many processes."""
    queries = list(queries)
    wanted = {hash(key) for query in queries for key in profile_keys(make_profile(query))}
    if processes <= 1:
        return Engine(Index.from_records(registry, only_keys=wanted), thresholds).match_many(queries)
    index = Index.build_parallel(list(registry), only_keys=wanted, processes=processes)
    return iter(Engine(index, thresholds).match_parallel(queries, processes))


# What forked workers read from their parent's memory (set just before the fork, never pickled).
_SHARED: Any = None


@dataclass
class _IndexPart:
    size: int
    first_counts: Counter[str]
    last_counts: Counter[str]
    commune_counts: Counter[str]
    profiles: list[Profile]
    hashes: list[list[int]]


def _index_part(start: int, stop: int) -> _IndexPart:
    records, only_keys = _SHARED
    counter = Index(only_keys=only_keys)
    profiles: list[Profile] = []
    hashes: list[list[int]] = []
    for record in records[start:stop]:
        profile, kept = counter._prepare(record)
        if kept:
            profiles.append(profile)
            hashes.append(kept)
    return _IndexPart(
        counter._size, counter._first_counts, counter._last_counts, counter._commune_counts, profiles, hashes
    )


def _decide_part(share: int) -> list[Decision]:
    engine, records, processes = _SHARED
    return [engine.match_one(record) for record in records[share::processes]]


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
