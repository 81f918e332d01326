"""Field comparators: each says how well one field of two profiles agrees, as a level (what kind of
agreement), a similarity in [0, 1] and a fragment of explanation in plain French."""

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from reperes.matching.profile import Profile


class Level(StrEnum):
    EXACT = "exact"
    VARIANT = "variant"  # first names: a diminutive or variant from our table
    ONE_TYPO = "one_typo"  # one letter or digit added, dropped, changed, or two swapped
    PHONETIC = "phonetic"
    PARTIAL = "partial"  # compound names: one is part of the other
    CLOSE = "close"
    SWAPPED = "swapped"  # dates: day and month swapped
    YEAR = "year"  # dates: only the year (and month) known on one side, and they agree
    COMMUNE = "commune"
    POSTCODE = "postcode"
    NEAR = "near"  # same département
    DIFFERENT = "different"
    MISSING = "missing"


# For choosing between readings (straight or swapped names, usage or birth name): higher is better.
_RANK = {
    Level.EXACT: 7,
    Level.VARIANT: 6,
    Level.ONE_TYPO: 5,
    Level.PHONETIC: 4,
    Level.PARTIAL: 3,
    Level.CLOSE: 2,
    Level.MISSING: 1,
    Level.DIFFERENT: 0,
}
# Names at least this alike are « proches » (rapidfuzz's normalised Indel similarity).
CLOSE_SIMILARITY = 0.8
# Below this length, one typo is too much of the name to count as one.
MIN_TYPO_LENGTH = 4


@dataclass(frozen=True, slots=True)
class FieldMatch:
    level: Level
    similarity: float
    fragment: str


@dataclass(frozen=True, slots=True)
class Comparison:
    first_name: FieldMatch
    last_name: FieldMatch
    birth_date: FieldMatch
    sex: FieldMatch
    place: FieldMatch
    names_swapped: bool = False
    via_birth_name: bool = False


_LAST_FRAGMENTS = {
    Level.EXACT: "même nom",
    Level.ONE_TYPO: "nom à une faute près",
    Level.PHONETIC: "nom qui se prononce pareil",
    Level.PARTIAL: "nom composé en partie commun",
    Level.CLOSE: "nom proche",
    Level.DIFFERENT: "nom différent",
    Level.MISSING: "nom absent",
}
_FIRST_FRAGMENTS = {
    Level.EXACT: "même prénom",
    Level.VARIANT: "prénom équivalent (diminutif ou variante)",
    Level.ONE_TYPO: "prénom à une faute près",
    Level.PHONETIC: "prénom qui se prononce pareil",
    Level.PARTIAL: "prénom composé en partie commun",
    Level.CLOSE: "prénom proche",
    Level.DIFFERENT: "prénom différent",
    Level.MISSING: "prénom absent",
}


def _strings(x: str, y: str) -> tuple[Level, float]:
    if x == y:
        return Level.EXACT, 1.0
    similarity = fuzz.ratio(x, y) / 100
    if min(len(x), len(y)) >= MIN_TYPO_LENGTH and OSA.distance(x, y, score_cutoff=1) <= 1:
        return Level.ONE_TYPO, similarity
    return (Level.CLOSE if similarity >= CLOSE_SIMILARITY else Level.DIFFERENT), similarity


def _best(pairs: list[tuple[Level, float]]) -> tuple[Level, float]:
    return max(pairs, key=lambda pair: (_RANK[pair[0]], pair[1]))


def _token_part(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """One compound name is part of the other: « Dupont » in « Martin-Dupont »."""
    if len(short) > len(long):
        short, long = long, short
    return len(long) > 1 and all(token in long for token in short)


def _refine(level: Level, similarity: float, same_sound: bool, part: bool) -> Level:
    if _RANK[level] < _RANK[Level.PHONETIC] and same_sound and similarity >= 0.5:
        return Level.PHONETIC
    if _RANK[level] < _RANK[Level.PARTIAL] and part:
        return Level.PARTIAL
    return level


def compare_last_names(a: Profile, b: Profile) -> tuple[FieldMatch, bool]:
    """The best agreement between any name of one (usage or birth) and any name of the other;
    the flag says whether a birth name gave it."""
    if not a.last_forms or not b.last_forms:
        return FieldMatch(Level.MISSING, 0.0, _LAST_FRAGMENTS[Level.MISSING]), False
    straight = _best([_strings(x, y) for x in a.last_forms for y in b.last_forms])
    via_birth = False
    if straight[0] != Level.EXACT and (a.birth_forms or b.birth_forms):
        crossed = _best([_strings(x, y) for x in a.all_last_forms for y in b.all_last_forms])
        if _RANK[crossed[0]] > _RANK[straight[0]]:
            straight, via_birth = crossed, True
    level, similarity = straight
    same_sound = any(key in b.last_keys for key in a.last_keys)
    level = _refine(level, similarity, same_sound, _token_part(a.last_tokens, b.last_tokens))
    fragment = _LAST_FRAGMENTS[level]
    if via_birth:
        fragment += " (nom de naissance)"
    return FieldMatch(level, similarity, fragment), via_birth


def compare_first_names(a: Profile, b: Profile) -> FieldMatch:
    if not a.first or not b.first:
        return FieldMatch(Level.MISSING, 0.0, _FIRST_FRAGMENTS[Level.MISSING])
    if a.first == b.first:
        return FieldMatch(Level.EXACT, 1.0, _FIRST_FRAGMENTS[Level.EXACT])
    level, similarity = _strings(a.first, b.first)
    if a.first_canonical == b.first_canonical:
        level = Level.VARIANT
    else:
        same_sound = a.first_keys[0] == b.first_keys[0]
        level = _refine(level, similarity, same_sound, _token_part(a.first_tokens, b.first_tokens))
    return FieldMatch(level, similarity, _FIRST_FRAGMENTS[level])


def _swapped_names(a: Profile, b: Profile) -> tuple[FieldMatch, FieldMatch]:
    """a's first name against b's last names, and a's last names against b's first name."""
    first_level, first_similarity = _best([_strings(a.first, y) for y in b.all_last_forms])
    first_level = _refine(first_level, first_similarity, a.first_keys[0] in b.last_keys, False)
    last_level, last_similarity = _best([_strings(x, b.first) for x in a.all_last_forms])
    last_level = _refine(last_level, last_similarity, b.first_keys[0] in a.last_keys, False)
    return (
        FieldMatch(first_level, first_similarity, _FIRST_FRAGMENTS[first_level]),
        FieldMatch(last_level, last_similarity, _LAST_FRAGMENTS[last_level]),
    )


# Dates, sexes and places take few values: their matches are built once (a large registry
# compares each query with dozens of candidates, most of them ruled out on these fields alone).
_DATE_MISSING = FieldMatch(Level.MISSING, 0.0, "date de naissance inconnue")
_DATE_EXACT = FieldMatch(Level.EXACT, 1.0, "même date de naissance")
_DATE_SWAPPED = FieldMatch(Level.SWAPPED, 0.8, "même date de naissance, jour et mois inversés")
_DATE_ONE_TYPO = FieldMatch(Level.ONE_TYPO, 0.7, "date de naissance à un chiffre près")
_DATE_YEAR = FieldMatch(Level.YEAR, 0.5, "même année de naissance (date incomplète)")
_DATE_DIFFERENT = FieldMatch(Level.DIFFERENT, 0.0, "date de naissance différente")
_SEX_MISSING = FieldMatch(Level.MISSING, 0.0, "")
_SEX_EXACT = FieldMatch(Level.EXACT, 1.0, "")
_SEX_DIFFERENT = FieldMatch(Level.DIFFERENT, 0.0, "sexe différent")
_PLACE_MISSING = FieldMatch(Level.MISSING, 0.0, "")
_PLACE_EXACT = FieldMatch(Level.EXACT, 1.0, "même commune")
_PLACE_COMMUNE = FieldMatch(Level.COMMUNE, 1.0, "même commune")
_PLACE_POSTCODE = FieldMatch(Level.POSTCODE, 0.9, "même code postal")
_PLACE_NEAR = FieldMatch(Level.NEAR, 0.5, "même département")
_PLACE_DIFFERENT = FieldMatch(Level.DIFFERENT, 0.0, "commune différente")


def compare_birth_dates(a: Profile, b: Profile) -> FieldMatch:
    if not a.year or not b.year:
        return _DATE_MISSING
    if a.day and b.day:
        if a.day == b.day and a.month == b.month and a.year == b.year:
            return _DATE_EXACT
        if a.year == b.year and a.month == b.day and a.day == b.month:
            return _DATE_SWAPPED
        if OSA.distance(a.date_digits, b.date_digits, score_cutoff=1) <= 1:
            return _DATE_ONE_TYPO
        return _DATE_DIFFERENT
    if a.year == b.year and (not a.month or not b.month or a.month == b.month):
        return _DATE_YEAR
    return _DATE_DIFFERENT


def compare_sexes(a: Profile, b: Profile) -> FieldMatch:
    if not a.sex or not b.sex:
        return _SEX_MISSING
    return _SEX_EXACT if a.sex == b.sex else _SEX_DIFFERENT


def _same_commune(x: str, y: str) -> bool:
    return bool(x) and (x == y or (min(len(x), len(y)) >= 5 and OSA.distance(x, y, score_cutoff=1) <= 1))


def compare_places(a: Profile, b: Profile) -> FieldMatch:
    """Postcode and commune together: a foreign or unknown one is compared as text."""
    if not (a.postcode or a.commune) or not (b.postcode or b.commune):
        return _PLACE_MISSING
    same_postcode = bool(a.postcode) and a.postcode == b.postcode
    departement_a, departement_b = a.departement, b.departement
    other_departement = bool(departement_a and departement_b) and departement_a != departement_b
    if not other_departement and _same_commune(a.commune, b.commune):
        return _PLACE_EXACT if same_postcode else _PLACE_COMMUNE
    if same_postcode:
        return _PLACE_POSTCODE
    if departement_a and departement_a == departement_b:
        return _PLACE_NEAR
    return _PLACE_DIFFERENT


def compare_names(a: Profile, b: Profile) -> tuple[FieldMatch, FieldMatch, bool, bool]:
    """First name, last name, whether they were read swapped, whether a birth name gave the last
    name; the swapped reading (first for last) is kept when better."""
    first = compare_first_names(a, b)
    last, via_birth = compare_last_names(a, b)
    swapped = False
    readable = a.first and b.first and a.last_forms and b.last_forms
    # Only a pair that disagrees on both names can be a swapped one: this spares most pairs.
    if readable and max(_RANK[first.level], _RANK[last.level]) <= _RANK[Level.CLOSE]:
        swapped_first, swapped_last = _swapped_names(a, b)
        if _RANK[swapped_first.level] + _RANK[swapped_last.level] > _RANK[first.level] + _RANK[last.level]:
            first, last, swapped, via_birth = swapped_first, swapped_last, True, False
    return first, last, swapped, via_birth


def compare(a: Profile, b: Profile) -> Comparison:
    """All fields of two profiles; names are also read swapped (first for last) and the better
    reading is kept."""
    first, last, swapped, via_birth = compare_names(a, b)
    return Comparison(
        first_name=first,
        last_name=last,
        birth_date=compare_birth_dates(a, b),
        sex=compare_sexes(a, b),
        place=compare_places(a, b),
        names_swapped=swapped,
        via_birth_name=via_birth,
    )
