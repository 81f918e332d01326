"""Weights fitted to the lists themselves (expectation–maximisation)."""

import math
import random

import pytest

from reperes.matching import Record
from reperes.matching.compare import Level
from reperes.matching.engine import dedupe, pairs
from reperes.matching.learn import estimate
from reperes.matching.score import M_U, Model
from reperes.matching.synthetic import noisy_copy, population, queries


def test_weights_learned_from_a_link_reward_agreement_and_punish_disagreement():
    people = population(3000, seed=21)
    pairs_of_queries = queries(people, 1000, seed=22)
    incoming = [record for record, _truth in pairs_of_queries]
    model = estimate(incoming, people)
    assert model.m_u is not M_U
    for field in ("first_name", "last_name", "birth_date", "place"):
        weights = model.weights[field]
        assert weights[Level.EXACT] > 6, field  # an exact agreement is rare between two people
        assert weights[Level.DIFFERENT] < -2, field
    # The generator's typos are learned: one typo in a last name is strong evidence.
    assert model.weights["last_name"][Level.ONE_TYPO] > 6
    # Three queries in four have their one match in the registry: odds of 1 to 3,000 / 0.77.
    known = sum(1 for _record, truth in pairs_of_queries if truth) / len(incoming)
    assert model.prior is not None and abs(model.prior - math.log2(len(people) / known)) < 0.2


def test_a_list_that_gives_no_sensible_fit_keeps_the_table():
    # Everyone shares a first name and nothing else: no class of pairs looks like one person.
    people = [Record(str(n), "Léa", f"Nom{n:04d}", None, "F", "67000", "Strasbourg") for n in range(600)]
    assert estimate(people).m_u is M_U


def _thrice(size: int, seed: int) -> list[Record]:
    """`size` people, each also entered twice more by other sources."""
    rng = random.Random(seed)
    people = population(size, seed=seed)
    copies = [noisy_copy(rng, person, f"{person.id}-{n}") for person in people for n in (1, 2)]
    return people + copies


@pytest.fixture(scope="module")
def thrice() -> tuple[list[Record], Model]:
    records = _thrice(1000, seed=31)
    return records, estimate(records)


def test_a_list_where_each_person_appears_thrice_learns_a_prior_of_about_two_matches_each(thrice):
    records, model = thrice
    # Two matches per record among 2,999 others: odds of about 1 to 1,500 against a candidate
    # (a prior counting one match per record would be a bit more).
    assert model.prior is not None
    assert abs(model.prior - math.log2(len(records) / 2)) < 0.3


def test_the_learned_prior_lets_more_duplicates_through_without_a_wrong_one(thrice):
    records, model = thrice
    truth = {record.id: record.id.split("-")[0] for record in records}

    def found(with_model: Model) -> set[tuple[str, str]]:
        return {(pair.left, pair.right) for pair in pairs(dedupe(records, model=with_model), symmetric=True)}

    with_prior, registry_prior = found(model), found(Model(model.m_u))
    # The registry's prior (one in 10,000 at least) asks more of each pair than this list needs.
    assert len(with_prior) > len(registry_prior)
    assert all(truth[left] == truth[right] for left, right in with_prior)


def test_a_short_list_keeps_the_table_and_the_registrys_prior():
    # Too few pairs for EM, and a prior learned from them would lower the bar for SAME.
    model = estimate(_thrice(100, seed=33))
    assert model.m_u is M_U and model.prior is None
