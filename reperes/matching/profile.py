"""A record folded once into the shapes that blocking and comparison need."""

import functools
import sys
from dataclasses import dataclass
from datetime import date

from reperes.matching.normalise import (
    core_tokens,
    departement,
    name_forms,
    name_tokens,
    normalise_commune,
    normalise_postcode,
    normalise_sex,
)
from reperes.matching.phonetic import phonetic_key
from reperes.matching.records import PartialDate, Record
from reperes.matching.variants import canonical_first_name


# Not frozen: a frozen dataclass sets each field through object.__setattr__, a third of the time
# spent building a profile; profiles are never modified after make_profile all the same.
@dataclass(slots=True)
class Profile:
    """Names as joined forms (`jeanbaptiste`), token sets and phonetic keys; the date as three
        integers where 0 means unknown. Tuples rather than sets, and interned strings: a registry of
    a million people repeats names a lot, and each byte here is a megabyte there."""

    id: str
    first: str
    first_tokens: tuple[str, ...]
    first_canonical: str
    first_keys: tuple[str, ...]
    last_forms: tuple[str, ...]
    birth_forms: tuple[str, ...]
    last_tokens: tuple[str, ...]
    last_keys: tuple[str, ...]
    year: int
    month: int
    day: int
    date_digits: str  # "20050311" for a full date, "" otherwise
    sex: str
    postcode: str
    departement: str
    commune: str

    @property
    def all_last_forms(self) -> tuple[str, ...]:
        return self.last_forms + self.birth_forms


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(sys.intern(item) for item in dict.fromkeys(item for item in items if item))


# A registry repeats first names, surnames, dates and places: each distinct one is folded once
# (an index of a million people builds several times faster). The results are immutable.
_CACHE_SIZE = 1 << 17


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _first_parts(first_name: str) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    tokens = name_tokens(first_name)
    first = "".join(tokens)
    canonical = canonical_first_name(first)
    keys = [phonetic_key(first), phonetic_key(canonical)]
    if len(tokens) > 1:
        keys.append(phonetic_key(tokens[0]))
    return sys.intern(first), _unique(list(tokens)), sys.intern(canonical), _unique(keys)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _last_parts(
    last_name: str, birth_name: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    last_forms = name_forms(last_name)
    birth_forms = tuple(form for form in name_forms(birth_name) if form not in last_forms)
    last_tokens = core_tokens(name_tokens(last_name)) + core_tokens(name_tokens(birth_name))
    return (
        _unique(list(last_forms)),
        _unique(list(birth_forms)),
        _unique(list(last_tokens)),
        _unique([phonetic_key(form) for form in last_forms + birth_forms]),
    )


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _date_parts(value: date | PartialDate | None) -> tuple[int, int, int, str]:
    birth_date = PartialDate.of(value)
    if birth_date is None:
        return 0, 0, 0, ""
    digits = birth_date.isoformat().replace("-", "") if birth_date.day else ""
    return birth_date.year, birth_date.month or 0, birth_date.day or 0, sys.intern(digits)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _place_parts(postcode: str, commune: str) -> tuple[str, str, str]:
    normalised = normalise_postcode(postcode)
    return sys.intern(normalised), sys.intern(departement(normalised)), sys.intern(normalise_commune(commune))


def make_profile(record: Record) -> Profile:
    # Positional, in the order of Profile's fields: a million profiles are built for a batch.
    return Profile(
        record.id,
        *_first_parts(record.first_name),
        *_last_parts(record.last_name, record.birth_name),
        *_date_parts(record.birth_date),
        normalise_sex(record.sex),
        *_place_parts(record.postcode, record.commune),
    )
