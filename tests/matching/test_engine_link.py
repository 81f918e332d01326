"""Batch linking indexes only the registry keys the queries hold, and decides exactly as one
query at a time against the whole index would."""

import pytest

from reperes.matching import Engine, Index, link
from reperes.matching.synthetic import population, queries


def test_link_gives_the_decisions_of_match_many_against_the_whole_index():
    people = population(3_000, seed=11)
    incoming = [record for record, _truth in queries(people, 600, seed=12)]
    whole = Index.from_records(people)
    expected = [(d.outcome, d.best and d.best.id, d.best and d.best.score) for d in Engine(whole).match_many(incoming)]
    got = [(d.outcome, d.best and d.best.id, d.best and d.best.score) for d in link(people, incoming)]
    assert got == expected
    assert sum(1 for outcome, _id, _score in got if outcome == "same") > 300  # the test decides something


def test_a_filtered_index_counts_everyone_and_refuses_to_dedupe():
    people = population(500, seed=13)
    index = Index.from_records(people, only_keys=set())
    assert len(index) == 500 and index.profiles == []
    with pytest.raises(ValueError):
        list(Engine(index).dedupe())


def test_link_over_two_processes_gives_the_same_decisions():
    people = population(3_000, seed=11)
    incoming = [record for record, _truth in queries(people, 600, seed=12)]
    one = [(d.record_id, d.outcome, d.best and d.best.id, d.best and d.best.score) for d in link(people, incoming)]
    two = [
        (d.record_id, d.outcome, d.best and d.best.id, d.best and d.best.score)
        for d in link(people, incoming, processes=2)
    ]
    assert two == one
