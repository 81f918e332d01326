"""Weights fitted to the lists themselves (expectation–maximisation)."""

from reperes.matching import Record
from reperes.matching.compare import Level
from reperes.matching.learn import estimate
from reperes.matching.score import M_U
from reperes.matching.synthetic import population, queries


def test_weights_learned_from_a_link_reward_agreement_and_punish_disagreement():
    people = population(3000, seed=21)
    incoming = [record for record, _truth in queries(people, 1000, seed=22)]
    model = estimate(incoming, people)
    assert model.m_u is not M_U
    for field in ("first_name", "last_name", "birth_date", "place"):
        weights = model.weights[field]
        assert weights[Level.EXACT] > 6, field  # an exact agreement is rare between two people
        assert weights[Level.DIFFERENT] < -2, field
    # The generator's typos are learned: one typo in a last name is strong evidence.
    assert model.weights["last_name"][Level.ONE_TYPO] > 6


def test_a_list_that_gives_no_sensible_fit_keeps_the_table():
    # Everyone shares a first name and nothing else: no class of pairs looks like one person.
    people = [Record(str(n), "Léa", f"Nom{n:03d}", None, "F", "67000", "Strasbourg") for n in range(200)]
    assert estimate(people).m_u is M_U
