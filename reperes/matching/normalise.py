"""Folding of names and places so that spellings of the same thing meet.

« Saint-Louis » and « st louis », « N'Diaye » and « Ndiaye », « Le Gall » and « LEGALL »,
« Marie-Claire » and « Marie Claire » give the same forms. A name is kept in two shapes: its tokens
(« le », « gall ») for token-wise comparison of compound names, and its forms, the tokens joined
without spaces, with and without particles (`legall`, `gall`).
"""

import functools
import re
import unicodedata

# Particles are stripped from the core form but kept in the tokens and in the full form.
PARTICLES = frozenset(
    {"d", "da", "das", "de", "del", "della", "der", "des", "di", "do", "dos", "du", "el", "l", "la", "le", "les"}
    | {"van", "von", "den", "ter", "ten"}
)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l"})
_APOSTROPHES = "'’ʼ`´‘"
# « d'Angelo », « L'Hermite »: an elided particle, split off.
_ELIDED = re.compile(rf"\b([dl])[{_APOSTROPHES}]")
# « N'Diaye », « O'Neill »: any other apostrophe joins.
_APOSTROPHE = re.compile(rf"[{_APOSTROPHES}]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SAINTS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SEXES = {
    "m": "M", "h": "M", "1": "M", "homme": "M", "masculin": "M", "garcon": "M", "male": "M", "man": "M",
    "f": "F", "2": "F", "femme": "F", "feminin": "F", "fille": "F", "female": "F", "woman": "F",
}  # fmt: skip
_CEDEX = re.compile(r"\s+cedex(\s+\d+)?$")
# Names and communes repeat a lot in a registry: folding each spelling once makes an index of a
# million people build several times faster. The cache holds immutable results only.
_CACHE_SIZE = 1 << 17


def unaccented(text: str) -> str:
    """Lower case, no accents, ligatures spelled out; punctuation is left for the caller (unlike
    territory.text.fold, which also shortens « Saint » for the commune search)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@functools.lru_cache(maxsize=_CACHE_SIZE)
def name_tokens(text: str) -> tuple[str, ...]:
    """The words of a name: hyphens, dots and spaces separate, « St » is « saint »."""
    folded = _APOSTROPHE.sub("", _ELIDED.sub(r"\1 ", unaccented(text)))
    return tuple(_SAINTS.get(word, word) for word in _NON_ALNUM.sub(" ", folded).split())


def core_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens without particles, unless the name is nothing but particles (« Le », « Dos »)."""
    core = tuple(token for token in tokens if token not in PARTICLES)
    return core or tokens


@functools.lru_cache(maxsize=_CACHE_SIZE)
def name_forms(text: str) -> tuple[str, ...]:
    """The joined forms of a name, full first, then without particles when that differs."""
    tokens = name_tokens(text)
    if not tokens:
        return ()
    full = "".join(tokens)
    core = "".join(core_tokens(tokens))
    return (full,) if core == full else (full, core)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def normalise_sex(text: str) -> str:
    """« M », « F », or "" when unknown or given otherwise."""
    return _SEXES.get(_NON_ALNUM.sub("", unaccented(text)), "")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def normalise_postcode(text: str) -> str:
    """Upper case without spaces: « 67 000 » is `67000`; a foreign code stays as typed."""
    return "".join(unaccented(text).split()).upper()


@functools.lru_cache(maxsize=_CACHE_SIZE)
def normalise_commune(text: str) -> str:
    """Folded words joined by single spaces, « St » as « saint », a trailing « Cedex » dropped."""
    words = " ".join(name_tokens(text))
    return _CEDEX.sub("", words)


def departement(postcode: str) -> str:
    """The département of a French postcode (971…976 overseas), "" for anything else."""
    if len(postcode) != 5 or not postcode.isdigit():
        return ""
    return postcode[:3] if postcode.startswith("97") else postcode[:2]
