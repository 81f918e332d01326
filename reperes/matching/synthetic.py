"""Synthetic people for tests and benchmarks: a seeded population with twins and siblings, and
noisy copies of its members as another source would type them. Names come from small built-in
lists (common in France among people born since 2000, Alsace included); nobody here is real."""

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from reperes.matching.records import PartialDate, Record
from reperes.matching.variants import VARIANT_OF

FEMALE = (
    "Emma Léa Chloé Manon Inès Camille Sarah Jade Louise Lina Zoé Lola Léna Juliette Clara Anaïs Océane "
    "Laura Mathilde Marie Julie Pauline Lucie Yasmine Sofia Nour Aya Maëlys Eva Romane Alice Margaux Lisa "
    "Justine Elisa Clémence Amandine Mélissa Kenza Salomé Noémie Charlotte Morgane Célia Fatoumata Aïcha "
    "Jeanne Anna Ambre Mariam Amel Coralie Émilie Laetitia Stéphanie Marie-Claire Anne-Sophie Marie-Lou"
).split()
MALE = (
    "Lucas Hugo Louis Nathan Enzo Théo Tom Mathis Jules Gabriel Raphaël Arthur Noah Maxime Thomas Antoine "
    "Alexandre Nicolas Quentin Kevin Julien Romain Florian Dylan Baptiste Clément Valentin Mohamed Adam "
    "Yanis Rayan Ilyes Sofiane Mehdi Bilal Ibrahim Moussa Samuel Benjamin Victor Paul Axel Matthieu "
    "Sébastien Jérémy Anthony Mickaël Jonathan William Youssef Mamadou Timothée Ismaël Zakaria Loïc "
    "Jean-Baptiste Jean-Pierre Pierre-Louis Yusuf Emre Kerem"
).split()
LAST = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy "
    "Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller "
    "Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia "
    "Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont "
    "Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard "
    "Schmitt Schneider Weber Klein Fischer Wagner Hoffmann Koenig Schmidt Zimmermann Kieffer Hueber "
    "Bauer Roth Wolff Keller Herrmann Jung Heitz Ehrhart Stoeffler Hertzog Lutz Schaeffer Ott Walter "
    "Benali Haddad Mansouri Belkacem Bouzid Saidi Hamidi Cherif Amrani Brahimi Khelifi Rahmani Ziani "
    "Diallo Traoré Diop Ndiaye Camara Koné Cissé Sow Sylla Keita Coulibaly Touré Bamba "
    "Da Silva Dos Santos Ferreira Pereira Rodrigues Fernandes Gonçalves Lopes Martins Oliveira "
    "Yilmaz Kaya Demir Çelik Şahin Öztürk Nguyen Tran Pham Le Gall Le Goff Le Roux De Oliveira "
    "Kowalski Nowak Rossi Russo Lombardi Popescu Ionescu Martinez Lopez Sanchez Gomez Fernandez"
).split()
# Two-word surnames were split above; join those that go together.
_JOINED = {"Da": "Da Silva", "Dos": "Dos Santos", "De": "De Oliveira"}
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


def _surnames() -> list[str]:
    names: list[str] = []
    words = iter(LAST)
    for word in words:
        if word == "Le":
            names.append(f"Le {next(words)}")
        elif word in _JOINED:
            names.append(_JOINED[word])
            next(words)
        else:
            names.append(word)
    return names


SURNAMES = _surnames()


def _zipf[T](rng: random.Random, items: Sequence[T], exponent: float = 0.5) -> T:
    """Earlier items are more frequent, as « Martin » is. The lists are short, so even a gentle
    slope makes namesakes far commoner than in life: a hard test, not a realistic one."""
    weights = [1 / (rank + 1) ** exponent for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _birth_date(rng: random.Random) -> date:
    return date(2000, 1, 1) + timedelta(days=rng.randrange(10 * 365))


def person(rng: random.Random, id: str) -> Record:
    sex = rng.choice("FM")
    first = _zipf(rng, FEMALE if sex == "F" else MALE)
    last = _zipf(rng, SURNAMES)
    birth_name = ""
    if rng.random() < 0.04:
        last = f"{last}-{_zipf(rng, SURNAMES)}"
    elif sex == "F" and rng.random() < 0.03:
        birth_name, last = last, _zipf(rng, SURNAMES)
    postcode, commune = _zipf(rng, PLACES, 0.6)
    return Record(id, first, last, _birth_date(rng), sex, postcode, commune, birth_name)


def relative(rng: random.Random, of: Record, id: str, *, twin: bool) -> Record:
    """A twin (same birth date) or a sibling, with another first name, at the same address."""
    sex = rng.choice("FM")
    names = [name for name in (FEMALE if sex == "F" else MALE) if name != of.first_name]
    return replace(
        of, id=id, first_name=rng.choice(names), sex=sex, birth_date=of.birth_date if twin else _birth_date(rng)
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


def _variant(first: str) -> str:
    folded = first.lower()
    group = [form for form, canonical in VARIANT_OF.items() if canonical == VARIANT_OF.get(folded) and form != folded]
    return group[0].capitalize() if group else first


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
    """The same person as another source might give them."""
    first, last, birth_name = of.first_name, of.last_name, of.birth_name
    roll = rng.random()
    if roll < 0.10:
        first = _typo(rng, first)
    elif roll < 0.18:
        first = _variant(first)
    elif roll < 0.22 and "-" in first:
        first = first.split("-")[0]
    roll = rng.random()
    if roll < 0.12:
        last = _typo(rng, last)
    elif roll < 0.16 and birth_name:
        last, birth_name = birth_name, ""
    elif roll < 0.19 and "-" in last:
        last = rng.choice(last.split("-"))
    if rng.random() < 0.03:
        first, last = last, first
    postcode, commune = of.postcode, of.commune
    roll = rng.random()
    if roll < 0.12:
        postcode, commune = _zipf(rng, PLACES, 0.6)
    elif roll < 0.20:
        postcode = ""
    elif roll < 0.25:
        commune = ""
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
            namesake = replace(person(rng, id), first_name=known.first_name, last_name=known.last_name)
            result.append((noisy_copy(rng, namesake, id), ""))
        else:
            result.append((noisy_copy(rng, person(rng, id), id), ""))
    return result
