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
  with a first name that sounds different);
- `g:` postcode (or commune) + phonetic first name + first letter of the last name (no date at all,
  a last name mistyped: a street worker's signal with an approximate age).

Each name contributes all its forms: usage and birth last names, the first name, its canonical
variant and the first word of a compound first name.
"""

from reperes.matching.profile import Profile, make_profile
from reperes.matching.records import Record

# A commune's name cut to this length is a key part short enough for an index.
_PLACE_LENGTH = 12
# How each kind of key is written as text (the registry's indexed column): `key_parts` gives the
# parts, the in-memory index hashes them as a tuple without writing them out (ten million keys
# for a million people).
_FORMATS = {
    "n": "n:{}|{}",
    "p": "p:{}|{}",
    "d": "d:{}{}",
    "y": "y:{}{}",
    "l": "l:{}:{}",
    "b": "b:{}:{}",
    "f": "f:{}:{}{}",
    "g": "g:{}:{}{}",
    "s": "s:{}{}{}",
    "m": "m:{}{}{}{}",
}

KeyParts = tuple[str, ...]


def _date_key(profile: Profile) -> str:
    low, high = sorted((profile.month, profile.day))
    return f"{profile.year:04d}{low:02d}{high:02d}"


def key_parts(profile: Profile) -> list[KeyParts]:
    """Each key as a tuple: its kind, then its parts (see the module's docstring)."""
    # Written with local names and one list: an index of a million people computes ten million keys.
    first, year, month = profile.first, profile.year, profile.month
    first_keys, last_keys, lasts = profile.first_keys, profile.last_keys, profile.all_last_forms
    keys: list[KeyParts] = []
    if first:
        keys += [("n", first, last) if first < last else ("n", last, first) for last in lasts]
        keys += [
            ("p", key, last_key) if key < last_key else ("p", last_key, key)
            for key in first_keys
            for last_key in last_keys
        ]
    year_text = f"{year:04d}" if year else ""
    date = _date_key(profile) if profile.day else ""
    if date:
        keys += [("d", key, date) for key in first_keys + last_keys]
    if year:
        keys += [("y", key, year_text) for key in last_keys]
    place = profile.postcode or profile.commune[:_PLACE_LENGTH]
    if place:
        keys += [("l", place, key) for key in last_keys]
        if date:
            keys.append(("b", place, date))
        if year:
            keys += [("f", place, key, year_text) for key in first_keys]
        if first:
            keys += [("g", place, key, last[0]) for key in first_keys for last in lasts]
    if first and year:
        keys += [("s", last[:4], first[:2], year_text) for last in lasts]
    if first and month:
        month_text = f"{month:02d}"
        keys += [("m", first[0], key, year_text, month_text) for key in last_keys]
    return keys


def key_hashes(profile: Profile) -> set[int]:
    """The keys as the in-memory index holds them: hashes of their parts (per process: Python
    salts string hashes, so hashes never leave the process and its forks)."""
    return set(map(hash, key_parts(profile)))


def profile_keys(profile: Profile) -> set[str]:
    """The keys as text, as the registry stores them."""
    return {_FORMATS[parts[0]].format(*parts[1:]) for parts in key_parts(profile)}


def blocking_keys(record: Record) -> set[str]:
    """The keys to store for a record, and to look up for it."""
    return profile_keys(make_profile(record))
