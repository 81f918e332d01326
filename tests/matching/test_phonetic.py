import pytest

from reperes.matching import name_forms, phonetic_key


def key(name: str) -> str:
    return phonetic_key(name_forms(name)[0])


@pytest.mark.parametrize(
    "names",
    [
        ("Dupont", "Dupond", "Dupon"),
        ("Schmitt", "Schmidt", "Chmitt", "Schmit"),
        ("Lefebvre", "Lefèvre"),
        ("Meyer", "Maier", "Mayer", "Meier"),
        ("Gauthier", "Gautier"),
        ("Laurent", "Lorent"),
        ("Philippe", "Filip"),
        ("Christophe", "Cristophe"),
        ("Kévin", "Kevin"),
        ("Müller", "Muller", "Mueller"),
        ("Fischer", "Fisher"),
        ("Weber", "Veber"),
        ("Jean", "Jeanne"),
        ("Yanis", "Yannis", "Ianis"),
    ],
)
def test_names_that_sound_alike_share_a_key(names):
    assert len({key(name) for name in names}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Martin", "Bernard"),
        ("Dupont", "Durand"),
        ("Lucas", "Louis"),
        ("Léa", "Léo"),
        ("Schmitt", "Smith"),
        ("Ndiaye", "Diaye"),
        ("Thomas", "Tom"),
    ],
)
def test_names_that_sound_different_do_not(one, other):
    assert key(one) != key(other)


def test_keys_are_short_upper_case_strings():
    assert key("Montgolfier-Delacroix-Saint-Exupéry").isupper()
    assert len(key("Montgolfier-Delacroix-Saint-Exupéry")) <= 12
    assert phonetic_key("") == ""
