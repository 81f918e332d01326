"""A record folded once into the shapes that blocking and comparison need."""

import sys
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
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
    def has_full_date(self) -> bool:
        return self.day != 0

    @property
    def all_last_forms(self) -> tuple[str, ...]:
        return self.last_forms + self.birth_forms


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(sys.intern(item) for item in dict.fromkeys(item for item in items if item))


def make_profile(record: Record) -> Profile:
    first_tokens = name_tokens(record.first_name)
    first = "".join(first_tokens)
    canonical = canonical_first_name(first)
    first_keys = [phonetic_key(first), phonetic_key(canonical)]
    if len(first_tokens) > 1:
        first_keys.append(phonetic_key(first_tokens[0]))
    last_forms = name_forms(record.last_name)
    birth_forms = tuple(form for form in name_forms(record.birth_name) if form not in last_forms)
    last_tokens = core_tokens(name_tokens(record.last_name)) + core_tokens(name_tokens(record.birth_name))
    birth_date = PartialDate.of(record.birth_date)
    postcode = normalise_postcode(record.postcode)
    return Profile(
        id=record.id,
        first=sys.intern(first),
        first_tokens=_unique(list(first_tokens)),
        first_canonical=sys.intern(canonical),
        first_keys=_unique(first_keys),
        last_forms=_unique(list(last_forms)),
        birth_forms=_unique(list(birth_forms)),
        last_tokens=_unique(list(last_tokens)),
        last_keys=_unique([phonetic_key(form) for form in last_forms + birth_forms]),
        year=birth_date.year if birth_date else 0,
        month=(birth_date.month or 0) if birth_date else 0,
        day=(birth_date.day or 0) if birth_date else 0,
        date_digits=sys.intern(birth_date.isoformat().replace("-", "")) if birth_date and birth_date.day else "",
        sex=normalise_sex(record.sex),
        postcode=sys.intern(postcode),
        departement=sys.intern(departement(postcode)),
        commune=sys.intern(normalise_commune(record.commune)),
    )
