"""Matching people: is this young person already known? A library with no Django import.

Interactive use (one record while a form is filled)::

    engine = Engine(Index.from_records(people))
    decision = engine.match_one(Record("new", "Léa", "Dupont", date(2005, 3, 2), "F", "67000", "Strasbourg"))
    decision.outcome, decision.best.id, decision.best.explanation

Batch: `link(registry, records)` (the same decisions as `engine.match_many`, indexing only the
registry keys the records hold; with `processes=2`, each shard caps its candidates on its own),
`dedupe(records)`; `learn.estimate` fits the weights to lists that are not a registry's. With
candidates found elsewhere (the registry's indexed blocking keys): `blocking_keys(record)` to store and look up, then
`decide(record, candidates, population=...)`. See docs/matching.md.
"""

from reperes.matching.blocking import blocking_keys
from reperes.matching.compare import Comparison, FieldMatch, Level, compare
from reperes.matching.decide import DEFAULT_THRESHOLDS, Decision, Match, Outcome, Thresholds, decide, veto
from reperes.matching.engine import Engine, Index, Pair, dedupe, link, pairs
from reperes.matching.normalise import name_forms, name_tokens, unaccented
from reperes.matching.phonetic import phonetic_key
from reperes.matching.profile import Profile, make_profile
from reperes.matching.records import PartialDate, Record, parse_birth_date
from reperes.matching.score import NameCounts, explain, score

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Comparison",
    "Decision",
    "Engine",
    "FieldMatch",
    "Index",
    "Level",
    "Match",
    "NameCounts",
    "Outcome",
    "Pair",
    "PartialDate",
    "Profile",
    "Record",
    "Thresholds",
    "blocking_keys",
    "compare",
    "decide",
    "dedupe",
    "explain",
    "unaccented",
    "link",
    "make_profile",
    "name_forms",
    "name_tokens",
    "pairs",
    "parse_birth_date",
    "phonetic_key",
    "score",
    "veto",
]
