from datetime import date

from reperes.matching import Engine, Index, Outcome, Record, dedupe, pairs
from reperes.matching.decide import Decision
from reperes.matching.evaluate import evaluate
from reperes.matching.synthetic import population

LEA = Record("lea", "Léa", "Dupont", date(2005, 3, 11), "F", "67000", "Strasbourg")
HUGO = Record("hugo", "Hugo", "Weber", date(2001, 6, 7), "M", "68000", "Colmar")


def test_match_one_and_match_many_decide_alike():
    engine = Engine(Index.from_records([LEA, HUGO, *population(500, seed=3)]))
    incoming = [LEA._replace(id="a", last_name="DUPOND"), HUGO._replace(id="b", first_name="Hugo", postcode="")]
    one_by_one = [engine.match_one(record) for record in incoming]
    assert list(engine.match_many(incoming)) == one_by_one
    assert [(d.outcome, d.best and d.best.id) for d in one_by_one] == [(Outcome.SAME, "lea"), (Outcome.SAME, "hugo")]


def test_an_unknown_person_is_new():
    engine = Engine(Index.from_records([LEA, HUGO]))
    decision = engine.match_one(Record("x", "Kerem", "Öztürk", date(2004, 2, 2), "M", "67500", "Haguenau"))
    assert decision.outcome == Outcome.NEW


def test_dedupe_finds_every_copy_of_a_person_once():
    copies = [LEA._replace(id="lea-2", first_name="LEA"), LEA._replace(id="lea-3", last_name="Dupond")]
    found = pairs(dedupe([LEA, HUGO, *copies]), symmetric=True)
    assert {(pair.left, pair.right) for pair in found} >= {("lea", "lea-2")}
    linked = {pair.left for pair in found} | {pair.right for pair in found}
    assert linked == {"lea", "lea-2", "lea-3"}
    assert all(pair.outcome == Outcome.SAME for pair in found)


def test_dedupe_does_not_merge_twins():
    twin = LEA._replace(id="twin", first_name="Chloé")
    assert pairs(dedupe([LEA, twin, HUGO])) == []
    assert {(p.left, p.right) for p in pairs(dedupe([LEA, twin, HUGO]), review=True, symmetric=True)} == {
        ("lea", "twin")
    }


def test_pairs_keep_the_stronger_decision_of_a_pair():
    engine = Engine(Index.from_records([LEA, LEA._replace(id="copy")]))
    decisions: list[Decision] = list(engine.dedupe())
    found = pairs(decisions, review=True, symmetric=True)
    assert [(pair.left, pair.right, pair.outcome) for pair in found] == [("lea", "copy", Outcome.SAME)]


def test_synthetic_quality_holds():
    quality = evaluate(people=3000, incoming=400)
    assert quality.precision >= 0.99
    assert quality.recall >= 0.75
    assert quality.missed <= quality.known * 0.1
