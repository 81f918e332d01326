import pytest

from reperes.matching import PartialDate, name_forms, name_tokens, parse_birth_date
from reperes.matching.normalise import normalise_commune, normalise_postcode, normalise_sex


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Saint-Louis", "st louis"),
        ("N'Diaye", "Ndiaye"),
        ("Le Gall", "LEGALL"),
        ("Marie-Claire", "Marie Claire"),
        ("Hélène", "HELENE"),
        ("Œillet", "oeillet"),
        ("Çelik", "Celik"),
        ("O’Neill", "ONeill"),
    ],
)
def test_spellings_of_one_name_share_a_form(one, other):
    assert set(name_forms(one)) & set(name_forms(other))


def test_particles_are_dropped_from_the_core_form_but_kept_in_tokens():
    assert name_tokens("de La Fontaine") == ("de", "la", "fontaine")
    assert name_forms("de La Fontaine") == ("delafontaine", "fontaine")
    assert name_forms("D'Almeida") == ("dalmeida", "almeida")


def test_a_name_made_only_of_particles_keeps_them():
    assert name_forms("Le") == ("le",)


def test_compound_names_are_split_into_tokens():
    assert name_tokens("Jean-Baptiste") == ("jean", "baptiste")
    assert name_tokens("Martin-Dupont") == ("martin", "dupont")


@pytest.mark.parametrize(("typed", "sex"), [("F", "F"), ("femme", "F"), ("2", "F"), ("M", "M"), ("H", "M"), ("", "")])
def test_sex_is_read_in_several_ways(typed, sex):
    assert normalise_sex(typed) == sex


def test_places_are_compared_as_text():
    assert normalise_postcode(" 67 000 ") == "67000"
    assert normalise_postcode("sw1a 1aa") == "SW1A1AA"
    assert normalise_commune("STRASBOURG CEDEX 2") == normalise_commune("Strasbourg")
    assert normalise_commune("St-Louis") == normalise_commune("Saint Louis")


def test_birth_dates_may_be_partial():
    assert parse_birth_date("2005-03-02") == PartialDate(2005, 3, 2)
    assert parse_birth_date("2005") == PartialDate(2005)
    assert parse_birth_date(" ") is None


@pytest.mark.parametrize("typed", ["02/03/2005", "2005-02-30", "2005-13-01", "hier"])
def test_bad_birth_dates_are_refused(typed):
    with pytest.raises(ValueError):
        parse_birth_date(typed)
