"""The two value types the engine speaks: a person as given (`Record`) and a birth date that may be partial."""

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date of which only the year, or the year and month, may be known."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # date() validates the ranges, the leap years included.
        date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def of(cls, value: "date | PartialDate | None") -> "PartialDate | None":
        if value is None or isinstance(value, PartialDate):
            return value
        return cls(value.year, value.month, value.day)

    @property
    def is_complete(self) -> bool:
        return self.day is not None

    def isoformat(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


@functools.lru_cache(maxsize=1 << 16)  # a registry has a few thousand distinct birth dates
def parse_birth_date(text: str) -> PartialDate | None:
    """`YYYY-MM-DD`, `YYYY-MM`, `YYYY` or an empty string; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    found = _ISO.match(text)
    if found is None:
        raise ValueError(f"date attendue au format AAAA-MM-JJ : « {text} »")
    year, month, day = found.groups()
    try:
        return PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    except ValueError:
        raise ValueError(f"date impossible : « {text} »") from None


class Record(NamedTuple):
    """One person as a source gives it (a named tuple: a batch reads a million of them, and a
    frozen dataclass takes five times longer to build). `last_name` is the name in use (nom d'usage); `birth_name`
    is the birth name (nom de naissance) when it is known and differs. `sex` is free text
    (« F », « M », « femme », « 2 »…), `postcode` and `commune` are compared as text, so a foreign
    place works too."""

    id: str
    first_name: str
    last_name: str
    birth_date: date | PartialDate | None = None
    sex: str = ""
    postcode: str = ""
    commune: str = ""
    birth_name: str = ""
