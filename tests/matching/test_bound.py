"""A candidate is set aside before its names are compared only when it cannot reach the floor:
the bound must never be below the score, whatever the table of weights."""

from datetime import date

import pytest

from reperes.matching import Index, Record
from reperes.matching.compare import Level
from reperes.matching.decide import _Scorer
from reperes.matching.profile import make_profile
from reperes.matching.score import DEFAULT_MODEL, M_U, Model
from reperes.matching.synthetic import population, queries


def _table_where_a_typo_outweighs_exact() -> Model:
    # A learned table can do this (FEBRL 3's last names come within 0.1 bit of it).
    table = {field: dict(levels) for field, levels in M_U.items()}
    table["last_name"][Level.ONE_TYPO] = (0.03, 1e-5)
    return Model(table)


@pytest.mark.parametrize("model", [DEFAULT_MODEL, _table_where_a_typo_outweighs_exact()], ids=["table", "learned"])
def test_no_candidate_that_reaches_the_floor_is_set_aside(model):
    people = population(2000, seed=31)
    incoming = [record for record, _truth in queries(people, 300, seed=32)]
    index = Index.from_records(people)
    checked = 0
    for record in incoming:
        query = make_profile(record)
        for counts in (None, index):
            scorer = _Scorer(query, counts, model)
            for candidate in index.candidates(query):
                full = scorer.match(candidate)
                assert full is not None
                assert scorer.match(candidate, full.score - 0.01) is not None, (record, candidate.id)
                checked += 1
    assert checked > 500


def test_a_swapped_reading_with_a_typo_is_kept_under_a_learned_table():
    model = _table_where_a_typo_outweighs_exact()
    born = date(2006, 4, 9)
    query = make_profile(Record("q", "Bernard", "Thomas", born, "M", "67000", "Strasbourg"))
    candidate = make_profile(Record("c", "Thomaz", "Bernard", born, "M", "67000", "Strasbourg"))
    scorer = _Scorer(query, None, model)
    full = scorer.match(candidate)
    assert full is not None and full.comparison.names_swapped
    assert scorer.match(candidate, full.score - 0.01) is not None
