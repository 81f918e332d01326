"""Blocking keys: short strings that two records of the same person are likely to share, so that
a new record is compared with the few people who share one of its keys, not with everyone.

The registry stores each person's keys in an indexed column; the in-memory `Index` (engine.py)
does the same with a dict. Keys are symmetric: the keys of a query are the keys of a stored
record, so swapped names and swapped day and month meet without extra lookups.

Each key is a prefix and a few parts; in brackets, what it finds the same person despite:

- `n:` exact folded first and last names, in alphabetical order (a wrong or missing date, a move);
- `p:` phonetic first and last names, in alphabetical order (spelling of both names, a wrong date);
- `d:` a phonetic first or last name + the birth date with day and month in order (the other name
  entirely: birth and usage names, nicknames; swapped day and month);
- `b:` postcode (or commune) + the birth date, day and month in order (typos in both names);
- `y:` phonetic last name + birth year (a wrong day and month, another first name);
- `l:` postcode (or commune) + phonetic last name (a wrong date and a nickname);
- `f:` postcode (or commune) + phonetic first name + birth year (typos in the last name and date);
- `s:` first four letters of the last name + first two of the first name + birth year (a typo late
  in the last name that changes its sound, with a typo in the date);
- `m:` first letter of the first name + phonetic last name + birth year and month (a wrong day
  with a first name that sounds different).

Each name contributes all its forms: usage and birth last names, the first name, its canonical
variant and the first word of a compound first name.
"""

from reperes.matching.profile import Profile, make_profile
from reperes.matching.records import Record

# A commune's name cut to this length is a key part short enough for an index.
_PLACE_LENGTH = 12


def _date_key(profile: Profile) -> str:
    low, high = sorted((profile.month, profile.day))
    return f"{profile.year:04d}{low:02d}{high:02d}"


def _pair(x: str, y: str) -> str:
    return "|".join(sorted((x, y)))


def profile_keys(profile: Profile) -> set[str]:
    keys: set[str] = set()
    lasts = profile.all_last_forms
    if profile.first:
        keys.update("n:" + _pair(profile.first, last) for last in lasts)
        keys.update("p:" + _pair(first, last) for first in profile.first_keys for last in profile.last_keys)
    if profile.has_full_date:
        date = _date_key(profile)
        keys.update(f"d:{key}{date}" for key in profile.first_keys + profile.last_keys)
    if profile.year:
        keys.update(f"y:{key}{profile.year:04d}" for key in profile.last_keys)
    place = profile.postcode or profile.commune[:_PLACE_LENGTH]
    if place:
        keys.update(f"l:{place}:{key}" for key in profile.last_keys)
    if place and profile.has_full_date:
        keys.add(f"b:{place}:{_date_key(profile)}")
    if place and profile.year:
        keys.update(f"f:{place}:{key}{profile.year:04d}" for key in profile.first_keys)
    if profile.first and profile.year:
        keys.update(f"s:{last[:4]}{profile.first[:2]}{profile.year:04d}" for last in lasts)
    if profile.first and profile.month:
        keys.update(f"m:{profile.first[0]}{key}{profile.year:04d}{profile.month:02d}" for key in profile.last_keys)
    return keys


def blocking_keys(record: Record) -> set[str]:
    """The keys to store for a record, and to look up for it."""
    return profile_keys(make_profile(record))
