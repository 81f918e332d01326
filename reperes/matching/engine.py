"""The engine's one code path for its three uses: one record against the registry while a form
is filled (`match_one`), a batch of records (`match_many`: imports), and a list against itself
(`dedupe`: the periodic sweep, the command line)."""

import gc
import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reperes.matching.blocking import key_hashes
from reperes.matching.decide import (
    DEFAULT_THRESHOLDS,
    Decision,
    Match,
    Outcome,
    Thresholds,
    decide_profiles,
    decide_scored,
    score_candidates,
)
from reperes.matching.profile import Profile, make_profile
from reperes.matching.records import Record
from reperes.matching.score import DEFAULT_MODEL, Model

# A query is compared with at most this many candidates, taken from its rarest keys first.
MAX_CANDIDATES = 300


@contextmanager
def _without_gc() -> Iterator[None]:
    """A batch allocates millions of objects that live as long as it does and hold no cycles:
    the cyclic garbage collector would walk them again and again for nothing (a sixth of the
    time of 100,000 queries against a million people). Forked workers inherit the setting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Counts:
    """The size of a registry and how many of its people bear each first name, last name and
    commune (score.NameCounts), added up over the shards of a batch."""

    def __init__(self) -> None:
        self.total = 0
        self.first: Counter[str] = Counter()
        self.last: Counter[str] = Counter()
        self.commune: Counter[str] = Counter()

    def count(self, profile: Profile) -> None:
        self.total += 1
        if profile.first:
            self.first[profile.first] += 1
        if profile.last_forms:
            self.last[profile.last_forms[0]] += 1
        if profile.commune:
            self.commune[profile.commune] += 1

    def add(self, other: "Counts") -> None:
        self.total += other.total
        self.first.update(other.first)
        self.last.update(other.last)
        self.commune.update(other.commune)

    def first_name_count(self, first: str) -> int:
        return self.first[first]

    def last_name_count(self, last: str) -> int:
        return self.last[last]

    def commune_count(self, commune: str) -> int:
        return self.commune[commune]


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
        self.counts = Counts()
        self.profiles: list[Profile] = []
        self._postings: dict[int, int | list[int]] = {}

    @classmethod
    def from_records(
        cls,
        records: Iterable[Record],
        max_candidates: int = MAX_CANDIDATES,
        *,
        only_keys: AbstractSet[int] | None = None,
    ) -> "Index":
        index = cls(max_candidates, only_keys=only_keys)
        with _without_gc():
            for record in records:
                index.add(record)
        return index

    def __len__(self) -> int:
        return self.counts.total

    def add(self, record: Record) -> Profile:
        """Count the person, and index them unless none of their keys is wanted (`only_keys`)."""
        profile = make_profile(record)
        self.counts.count(profile)
        hashes = key_hashes(profile)
        if self.only_keys is not None:
            hashes &= self.only_keys
        if hashes:
            self._post(profile, hashes)
        return profile

    def _post(self, profile: Profile, hashes: Iterable[int]) -> None:
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

    @property
    def total(self) -> int:
        return self.counts.total

    def first_name_count(self, first: str) -> int:
        return self.counts.first[first]

    def last_name_count(self, last: str) -> int:
        return self.counts.last[last]

    def commune_count(self, commune: str) -> int:
        return self.counts.commune[commune]

    def candidates(
        self, profile: Profile, *, exclude: int | None = None, hashes: Iterable[int] | None = None
    ) -> list[Profile]:
        """The people sharing a key with `profile` (whose `key_hashes` may be given), rarest keys
        first, at most `max_candidates`."""
        # A key held by one person is a bare position: those come first, as the rarest.
        singles: list[int] = []
        shared: list[list[int]] = []
        for hashed in key_hashes(profile) if hashes is None else hashes:
            held = self._postings.get(hashed)
            if held is None:
                continue
            if isinstance(held, int):
                singles.append(held)
            else:
                shared.append(held)
        shared.sort(key=len)
        if exclude is None and len(singles) + sum(map(len, shared)) <= self.max_candidates:
            found = dict.fromkeys(singles)
            for positions in shared:
                found.update(dict.fromkeys(positions))
            return [self.profiles[position] for position in found]
        found = {}
        for positions in [singles, *shared]:
            for position in positions:
                if position != exclude:
                    found[position] = None
                    if len(found) >= self.max_candidates:
                        return [self.profiles[position] for position in found]
        return [self.profiles[position] for position in found]


class Engine:
    def __init__(
        self, index: Index, thresholds: Thresholds = DEFAULT_THRESHOLDS, model: Model = DEFAULT_MODEL
    ) -> None:
        self.index = index
        self.thresholds = thresholds
        self.model = model

    def match_one(self, record: Record) -> Decision:
        """Is this person already in the index? For a form being filled."""
        return self.decide(make_profile(record))

    def decide(self, query: Profile) -> Decision:
        candidates = self.index.candidates(query)
        return decide_profiles(
            query,
            candidates,
            thresholds=self.thresholds,
            counts=self.index,
            population=len(self.index),
            model=self.model,
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
                model=self.model,
            )


def link(
    registry: Iterable[Record],
    queries: Iterable[Record],
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    model: Model = DEFAULT_MODEL,
    processes: int = 1,
) -> Iterator[Decision]:
    """Batch: one decision per query against the registry, the same as `match_many` would give.
    Only the registry's keys that some query holds are indexed, with the people holding them: for
    100,000 queries against a million people, a fraction of the ten million keys. With
    `processes` > 1 (Linux, fork), the registry is cut into that many shards (`_in_shards`)."""
    with _without_gc():
        queries = list(queries)
        profiles = [make_profile(query) for query in queries]
        if processes > 1:
            with _SHARDS_LOCK:
                return iter(_in_shards(list(registry), profiles, thresholds, model, processes))
        wanted = {hashed for profile in profiles for hashed in key_hashes(profile)}
        engine = Engine(Index.from_records(registry, only_keys=wanted), thresholds, model)
        return iter([engine.decide(query) for query in profiles])


# Shards: each process indexes one slice of the registry and scores every query against it; only
# the slices' name counts (before scoring) and the few matches per query (after) travel between
# processes, never the profiles. Set in the parent just before the fork, never pickled.
_SHARED: Any = None
_SHARD: Index | None = None
# The shards' state is global to be shared by fork: one sharded link at a time per process.
_SHARDS_LOCK = threading.Lock()

ShardScores = tuple[bytes, dict[int, list[Match]]]


def _in_shards(
    registry: list[Record], profiles: list[Profile], thresholds: Thresholds, model: Model, processes: int
) -> list[Decision]:
    """`link` over `processes` forked processes. A query's candidates are taken, rarest keys
    first, from each shard (at most `MAX_CANDIDATES` in each), so that for a query with more
    candidates than that the decision may differ from `match_many`'s."""
    global _SHARED, _SHARD
    hashes = [key_hashes(profile) for profile in profiles]
    wanted = set().union(*hashes)
    _SHARED = (registry, profiles, hashes, wanted, thresholds, model)
    bounds = [len(registry) * n // processes for n in range(processes + 1)]
    fork = multiprocessing.get_context("fork")
    # One single-process pool per shard, so that a shard's second task finds the index its first built.
    pools = [ProcessPoolExecutor(1, mp_context=fork) for _ in range(1, processes)]
    try:
        built = [pool.submit(_build_shard, bounds[n], bounds[n + 1]) for n, pool in enumerate(pools, start=1)]
        counts = Counts()
        counts.add(_build_shard(bounds[0], bounds[1]))  # a copy: the shard keeps its own
        for future in built:
            counts.add(future.result())
        scoring = [pool.submit(_score_shard, counts) for pool in pools]
        shards = [_score_shard(counts)] + [future.result() for future in scoring]
    finally:
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        _SHARED = _SHARD = None
    decisions = []
    for position, query in enumerate(profiles):
        if not any(had[position] for had, _matches in shards):
            decisions.append(Decision(query.id, Outcome.NEW, reason="aucun candidat"))
            continue
        found = (match for _had, matches in shards for match in matches.get(position, ()))
        scored = sorted(found, key=lambda m: (-m.score, m.id))
        decisions.append(
            decide_scored(query.id, scored, thresholds=thresholds, population=counts.total, prior=model.prior)
        )
    return decisions


def _build_shard(start: int, stop: int) -> Counts:
    global _SHARD
    registry, _profiles, _hashes, wanted, _thresholds, _model = _SHARED
    _SHARD = Index.from_records(registry[start:stop], only_keys=wanted)
    return _SHARD.counts


def _score_shard(counts: Counts) -> ShardScores:
    """Whether each query had candidates in the shard, and the matches of those that have some."""
    _registry, profiles, hashes, _wanted, thresholds, model = _SHARED
    assert _SHARD is not None
    _same, review_bound = thresholds.bounds(counts.total, model.prior)
    had = bytearray(len(profiles))
    found: dict[int, list[Match]] = {}
    for position, query in enumerate(profiles):
        candidates = _SHARD.candidates(query, hashes=hashes[position])
        if candidates:
            had[position] = 1
            if scored := score_candidates(query, candidates, counts, review_bound, model):
                found[position] = scored
    return bytes(had), found


def dedupe(
    records: Iterable[Record], *, thresholds: Thresholds = DEFAULT_THRESHOLDS, model: Model = DEFAULT_MODEL
) -> Iterator[Decision]:
    """Find the people who appear more than once in one list."""
    return Engine(Index.from_records(records), thresholds, model).dedupe()


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
