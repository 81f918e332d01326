"""Folding of place names for search: « St-Louis », « saint louis » and « SAINT-LOUIS » meet."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}


def fold(text: str) -> str:
    """Lower-case, strip accents, turn hyphens and apostrophes into spaces, shorten « Saint »."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words = _NON_ALNUM.sub(" ", ascii_text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
