from datetime import date

from reperes.matching import Engine, Index, Outcome, PartialDate, Record, decide
from reperes.matching.synthetic import population

LEA = Record("lea", "Léa", "Dupont", date(2005, 3, 11), "F", "67000", "Strasbourg")


def incoming(**changes: object) -> Record:
    return LEA._replace(id="incoming", **changes)  # type: ignore[arg-type]


def test_identical_records_are_the_same_person():
    decision = decide(incoming(), [LEA])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and decision.best.id == "lea"
    assert decision.best.explanation == "même date de naissance, même nom, même prénom, même commune"


def test_case_accents_and_hyphens_do_not_matter():
    decision = decide(incoming(first_name="LEA", last_name="dupont", commune="STRASBOURG"), [LEA])
    assert decision.outcome == Outcome.SAME


def test_one_typo_in_the_last_name_is_the_same_person_and_says_so():
    decision = decide(incoming(last_name="Dupnt"), [LEA])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None
    assert decision.best.explanation == "même date de naissance, nom à une faute près, même prénom, même commune"


def test_a_diminutive_is_the_same_person():
    alexandre = Record("alex", "Alexandre", "Weber", date(2003, 6, 1), "M", "68100", "Mulhouse")
    decision = decide(alexandre._replace(id="incoming", first_name="Alex"), [alexandre])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and "prénom équivalent" in decision.best.explanation


def test_day_and_month_swapped_is_the_same_person():
    decision = decide(incoming(birth_date=date(2005, 11, 3)), [LEA])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and "jour et mois inversés" in decision.best.explanation


def test_twins_are_not_merged():
    twin = incoming(first_name="Chloé")
    decision = decide(twin, [LEA])
    assert decision.outcome in (Outcome.NEW, Outcome.REVIEW)
    assert decision.outcome != Outcome.SAME


def test_a_sibling_is_a_new_person():
    brother = incoming(first_name="Hugo", sex="M", birth_date=date(2008, 9, 20))
    assert decide(brother, [LEA]).outcome == Outcome.NEW


def test_namesakes_with_another_birth_date_elsewhere_are_new_people():
    thomas = Record("thomas", "Thomas", "Martin", date(2004, 5, 6), "M", "67000", "Strasbourg")
    namesake = thomas._replace(id="incoming", birth_date=date(2001, 10, 23), postcode="68100", commune="Mulhouse")
    assert decide(namesake, [thomas]).outcome == Outcome.NEW


def test_a_common_name_in_the_same_commune_with_another_birth_date_is_a_new_person():
    registry = population(3000, seed=5)
    thomas = Record("thomas", "Thomas", "Martin", date(2004, 5, 6), "M", "67000", "Strasbourg")
    # Make both names common here, as « Martin » is across France: their agreement then weighs less.
    martins = [person._replace(id=f"martin-{n}", last_name="Martin") for n, person in enumerate(registry[:60])]
    thomases = [person._replace(id=f"thomas-{n}", first_name="Thomas") for n, person in enumerate(registry[60:160])]
    engine = Engine(Index.from_records([*registry[160:], *martins, *thomases, thomas]))
    namesake = thomas._replace(id="incoming", birth_date=date(2001, 10, 23))
    assert engine.match_one(namesake).outcome == Outcome.NEW


def test_swapped_first_and_last_names_are_recognised_and_explained():
    decision = decide(incoming(first_name="Dupont", last_name="Léa"), [LEA])
    assert decision.outcome in (Outcome.SAME, Outcome.REVIEW)
    assert decision.best is not None and "prénom et nom inversés" in decision.best.explanation


def test_a_birth_name_meets_the_usage_name():
    married = Record("sarah", "Sarah", "Martin", date(2001, 2, 3), "F", "67000", "Strasbourg", birth_name="Benali")
    decision = decide(married._replace(id="incoming", last_name="Benali", birth_name=""), [married])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and "nom de naissance" in decision.best.explanation


def test_a_double_surname_meets_one_of_its_parts():
    double = Record("d", "Inès", "Garcia-Lopez", date(2004, 8, 9), "F", "67000", "Strasbourg")
    decision = decide(double._replace(id="incoming", last_name="Garcia"), [double])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and "nom composé en partie commun" in decision.best.explanation


def test_without_birth_date_only_an_otherwise_exact_record_is_merged():
    assert decide(incoming(birth_date=None), [LEA]).outcome == Outcome.SAME
    assert decide(incoming(birth_date=None, last_name="Dupond"), [LEA]).outcome == Outcome.REVIEW
    elsewhere = decide(incoming(birth_date=PartialDate(2005), commune="Schiltigheim", postcode="67300"), [LEA])
    assert elsewhere.outcome != Outcome.SAME


def test_without_last_name_only_an_otherwise_exact_record_is_merged():
    assert decide(incoming(last_name=""), [LEA]).outcome == Outcome.SAME
    assert decide(incoming(last_name="", first_name="Lea-Rose"), [LEA]).outcome == Outcome.REVIEW
    assert decide(incoming(last_name="", postcode="67300", commune="Schiltigheim"), [LEA]).outcome == Outcome.REVIEW


def test_without_first_name_a_twin_could_be_meant_so_it_goes_to_review():
    decision = decide(incoming(first_name=""), [LEA])
    assert decision.outcome == Outcome.REVIEW
    assert decision.reason == "prénom absent"


def test_two_near_identical_candidates_go_to_review():
    lookalike = LEA._replace(id="lookalike", last_name="Dupond")
    decision = decide(incoming(), [LEA, lookalike])
    assert decision.outcome == Outcome.REVIEW
    assert decision.reason == "un autre dossier est presque aussi proche"
    assert {match.id for match in decision.matches} == {"lea", "lookalike"}
    assert decision.margin is not None and decision.margin < 6


def test_a_clear_winner_over_a_twin_is_the_same_person():
    twin = LEA._replace(id="twin", first_name="Chloé")
    decision = decide(incoming(), [twin, LEA])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and decision.best.id == "lea"
    assert decision.runner_up is not None and decision.runner_up.id == "twin"


def test_no_candidate_is_a_new_person():
    assert decide(incoming(), []).outcome == Outcome.NEW


def test_foreign_places_and_ages_are_compared_like_any_other():
    basel = Record("b", "Jonas", "Keller", date(1961, 12, 1), "M", "4051", "Basel")
    decision = decide(basel._replace(id="incoming", commune="BASEL"), [basel])
    assert decision.outcome == Outcome.SAME
    assert decision.best is not None and "même commune" in decision.best.explanation
