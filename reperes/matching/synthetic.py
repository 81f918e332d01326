"""Synthetic people for tests and benchmarks: a seeded population of 16–25-year-olds with twins and
siblings, and noisy copies of its members as another source would type them (typos, dropped
accents, respellings, nicknames, swapped names, missing or mistyped birth dates, moves).

Names are drawn with French frequencies from `synthetic_names.py`; places are real communes,
weighted by population: half in Alsace (Bas-Rhin, Haut-Rhin), half anywhere in France, read from
the territory app's committed INSEE table (a short built-in list when it is absent). Nobody here
is real."""

import csv
import functools
import gzip
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from reperes.matching.normalise import unaccented
from reperes.matching.records import PartialDate, Record
from reperes.matching.synthetic_names import Weighted, name_lists
from reperes.matching.variants import VARIANT_OF

# Plain data, read as a file: the engine still imports nothing of Django.
COMMUNES_FILE = Path(__file__).resolve().parent.parent / "territory" / "data" / "communes.csv.gz"
ALSACE = ("67", "68")
ALSACE_SHARE = 0.5

PLACES = (
    ("67000", "Strasbourg"), ("67100", "Strasbourg"), ("67200", "Strasbourg"), ("67300", "Schiltigheim"),
    ("67400", "Illkirch-Graffenstaden"), ("67500", "Haguenau"), ("67600", "Sélestat"), ("67700", "Saverne"),
    ("67800", "Bischheim"), ("67120", "Molsheim"), ("67140", "Barr"), ("67150", "Erstein"),
    ("67160", "Wissembourg"), ("67170", "Brumath"), ("67210", "Obernai"), ("67230", "Benfeld"),
    ("67260", "Sarre-Union"), ("67380", "Lingolsheim"), ("67540", "Ostwald"), ("67600", "Sélestat"),
    ("68000", "Colmar"), ("68100", "Mulhouse"), ("68200", "Mulhouse"), ("68300", "Saint-Louis"),
    ("68400", "Riedisheim"), ("68500", "Guebwiller"), ("68700", "Cernay"), ("68800", "Thann"),
    ("68270", "Wittenheim"), ("68260", "Kingersheim"), ("68390", "Sausheim"), ("68110", "Illzach"),
    ("57000", "Metz"), ("54000", "Nancy"), ("75011", "Paris"), ("69003", "Lyon"), ("13001", "Marseille"),
    ("4051", "Basel"), ("77652", "Offenburg"), ("", "Kehl"),
)  # fmt: skip


def _zipf[T](rng: random.Random, items: Sequence[T], exponent: float = 0.5) -> T:
    """Earlier items are more frequent (the fallback list of places)."""
    weights = [1 / (rank + 1) ** exponent for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _weighted_places(rows: list[tuple[str, str, int]]) -> Weighted:
    names: list[str] = []
    cumulative: list[float] = []
    total = 0.0
    for postcodes, commune, inhabitants in rows:
        total += max(inhabitants, 1)
        names.append(f"{postcodes}|{commune}")
        cumulative.append(total)
    return Weighted(tuple(names), tuple(cumulative))


@functools.cache
def _places() -> tuple[Weighted, Weighted] | None:
    """(Alsace, France): communes weighted by inhabitants, or None without the INSEE table."""
    if not COMMUNES_FILE.exists():
        return None
    alsace: list[tuple[str, str, int]] = []
    france: list[tuple[str, str, int]] = []
    with gzip.open(COMMUNES_FILE, "rt", encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            if not row["postcodes"]:
                continue
            entry = (row["postcodes"], row["name"], int(row["population"] or 0))
            france.append(entry)
            if row["departement"] in ALSACE:
                alsace.append(entry)
    return _weighted_places(alsace), _weighted_places(france)


def place(rng: random.Random) -> tuple[str, str]:
    """A postcode and a commune where someone lives."""
    places = _places()
    if places is None:
        return _zipf(rng, PLACES, 0.6)
    chosen = (places[0] if rng.random() < ALSACE_SHARE else places[1]).draw(rng)
    postcodes, commune = chosen.split("|", 1)
    return rng.choice(postcodes.split()), commune


def first_name(rng: random.Random, sex: str, other_than: str = "") -> str:
    """A first name for that sex; 4 % are compound (« Marie-Lou », « Jean-Baptiste » are also in
    the lists)."""
    female, male, _surnames = name_lists()
    names = female if sex == "F" else male
    while True:
        name = names.draw(rng)
        if rng.random() < 0.04 and "-" not in name:
            name = f"{name}-{names.draw(rng)}"
        if name != other_than and name.split("-")[0] != other_than:
            return name


def surname(rng: random.Random) -> str:
    return name_lists()[2].draw(rng)


def _birth_date(rng: random.Random) -> date:
    return date(2000, 1, 1) + timedelta(days=rng.randrange(10 * 365))


def person(rng: random.Random, id: str) -> Record:
    """Someone aged 16–25; 4 % bear a double surname (« Martin-Diallo »), 3 % of women a usage name
    other than their birth name."""
    sex = rng.choice("FM")
    first = first_name(rng, sex)
    last = surname(rng)
    birth_name = ""
    if rng.random() < 0.04:
        last = f"{last}-{surname(rng)}"
    elif sex == "F" and rng.random() < 0.03:
        birth_name, last = last, surname(rng)
    postcode, commune = place(rng)
    return Record(id, first, last, _birth_date(rng), sex, postcode, commune, birth_name)


def relative(rng: random.Random, of: Record, id: str, *, twin: bool) -> Record:
    """A twin (same birth date) or a sibling, with another first name, at the same address."""
    sex = rng.choice("FM")
    return of._replace(
        id=id,
        first_name=first_name(rng, sex, other_than=of.first_name),
        sex=sex,
        birth_date=of.birth_date if twin else _birth_date(rng),
    )


def population(size: int, seed: int = 0) -> list[Record]:
    """`size` people, about 2 % of them twins and 8 % siblings of someone before them."""
    rng = random.Random(seed)
    people: list[Record] = []
    for number in range(size):
        id = str(number + 1)
        roll = rng.random()
        if people and roll < 0.02:
            people.append(relative(rng, rng.choice(people), id, twin=True))
        elif people and roll < 0.10:
            people.append(relative(rng, rng.choice(people), id, twin=False))
        else:
            people.append(person(rng, id))
    return people


def _typo(rng: random.Random, text: str) -> str:
    letters = [position for position, char in enumerate(text) if char.isalpha()]
    if len(letters) < 3:
        return text
    position = rng.choice(letters[1:])
    kind = rng.randrange(4)
    if kind == 0:
        return text[:position] + text[position + 1 :]
    if kind == 1:
        return text[:position] + text[position] + text[position:]
    if kind == 2 and position + 1 < len(text):
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text[:position] + rng.choice("aeioulnrst") + text[position + 1 :]


def _restyle(rng: random.Random, text: str) -> str:
    """Capitals, accents, hyphens and apostrophes as another source types them."""
    style = rng.randrange(4)
    if style == 0:
        text = text.upper()
    elif style == 1:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.translate(str.maketrans("éèêëàâäïîôöüûçÉÈ", "eeeeaaaiioouuceE"))
    if rng.random() < 0.3:
        text = text.replace("-", " ") if rng.random() < 0.5 else text.replace(" ", "-")
    return text


def _variant(rng: random.Random, first: str) -> str:
    """A nickname or another spelling from our table (« Alex » for « Alexandre »)."""
    folded = unaccented(first).replace("-", "").replace(" ", "")
    group = [form for form, canonical in VARIANT_OF.items() if canonical == VARIANT_OF.get(folded) and form != folded]
    return rng.choice(group).capitalize() if group else first


# Spellings a hurried writer swaps for one another: « Mickaël » as « Mikael », « Schmitt » as « Chmit ».
_RESPELLINGS = (
    ("ph", "f"), ("f", "ph"), ("y", "i"), ("i", "y"), ("ck", "k"), ("k", "c"), ("c", "k"), ("qu", "k"),
    ("ll", "l"), ("tt", "t"), ("t", "tt"), ("nn", "n"), ("mm", "m"), ("ss", "s"), ("eau", "o"), ("au", "o"),
    ("ai", "é"), ("é", "ai"), ("er", "é"), ("ault", "ot"), ("th", "t"), ("sch", "ch"), ("dt", "t"),
    ("ou", "u"), ("ei", "ai"), ("h", ""), ("e", "é"), ("ë", "e"), ("s", "z"), ("x", "ks"),
)  # fmt: skip


def _respell(rng: random.Random, text: str) -> str:
    """The same sound written another way; the text unchanged when no rule applies."""
    for old, new in rng.sample(_RESPELLINGS, len(_RESPELLINGS)):
        position = text.find(old, 1)
        if position > 0:
            return text[:position] + new + text[position + len(old) :]
    return text


def _digit_typo(rng: random.Random, birth: date) -> date:
    """One digit changed, or two neighbouring digits swapped, when that still makes a date."""
    digits = birth.strftime("%Y%m%d")
    for _attempt in range(20):
        position = rng.randrange(2, 8)
        if rng.random() < 0.3 and position < 7:
            typed = digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]
        else:
            typed = digits[:position] + rng.choice("0123456789") + digits[position + 1 :]
        try:
            changed = date(int(typed[:4]), int(typed[4:6]), int(typed[6:]))
        except ValueError:
            continue
        if changed != birth:
            return changed
    return birth


def _noisy_date(rng: random.Random, birth: date | PartialDate | None) -> date | PartialDate | None:
    if not isinstance(birth, date):
        return birth
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.08 and birth.day <= 12 and birth.day != birth.month:
        return birth.replace(month=birth.day, day=birth.month)
    if roll < 0.13:
        return _digit_typo(rng, birth)
    if roll < 0.15:
        return PartialDate(birth.year)
    if roll < 0.16:
        return _birth_date(rng)
    return birth


def noisy_copy(rng: random.Random, of: Record, id: str) -> Record:
    """The same person as another source might give them: for each name a typo, a respelling, a
    nickname or a compound cut short; 3 % swapped first and last names; a move to another commune
    (12 %), a missing postcode or commune; a missing sex; a birth date missing, partial, with
    day and month swapped or a digit wrong (`_noisy_date`); capitals and accents as typed."""
    first, last, birth_name = of.first_name, of.last_name, of.birth_name
    roll = rng.random()
    if roll < 0.08:
        first = _typo(rng, first)
    elif roll < 0.11:
        first = _respell(rng, first)
    elif roll < 0.19:
        first = _variant(rng, first)
    elif roll < 0.23 and "-" in first:
        first = first.split("-")[0]
    roll = rng.random()
    if roll < 0.09:
        last = _typo(rng, last)
    elif roll < 0.14:
        last = _respell(rng, last)
    elif roll < 0.18 and birth_name:
        last, birth_name = birth_name, ""
    elif roll < 0.21 and "-" in last:
        last = rng.choice(last.split("-"))
    if rng.random() < 0.03:
        first, last = last, first
    postcode, commune = of.postcode, of.commune
    roll = rng.random()
    if roll < 0.12:
        postcode, commune = place(rng)
    elif roll < 0.20:
        postcode = ""
    elif roll < 0.25:
        commune = ""
    elif roll < 0.27:
        commune = _typo(rng, commune)
    sex = "" if rng.random() < 0.1 else of.sex
    birth_name = birth_name if rng.random() < 0.5 else ""
    return Record(
        id,
        _restyle(rng, first),
        _restyle(rng, last),
        _noisy_date(rng, of.birth_date),
        sex,
        postcode,
        _restyle(rng, commune),
        birth_name,
    )


def queries(people: list[Record], size: int, seed: int = 1, known_share: float = 0.75) -> list[tuple[Record, str]]:
    """`size` incoming records, each with the id of the person it copies ("" for a newcomer).
    Newcomers include hard cases: twins and siblings of known people, and namesakes."""
    rng = random.Random(seed)
    result: list[tuple[Record, str]] = []
    for number in range(size):
        id = f"q{number + 1}"
        known = rng.choice(people)
        roll = rng.random()
        if roll < known_share:
            result.append((noisy_copy(rng, known, id), known.id))
        elif roll < known_share + (1 - known_share) / 4:
            result.append((noisy_copy(rng, relative(rng, known, id, twin=True), id), ""))
        elif roll < known_share + (1 - known_share) / 2:
            namesake = person(rng, id)._replace(first_name=known.first_name, last_name=known.last_name)
            result.append((noisy_copy(rng, namesake, id), ""))
        else:
            result.append((noisy_copy(rng, person(rng, id), id), ""))
    return result
