"""Reads of territory data shared by pages, forms and the API."""

import re
from collections.abc import Collection

from django.db.models import QuerySet

from reperes.territory.models import Commune

_CODE_IN_LABEL = re.compile(r"(?:^|\s|—|\()((?:\d{2}|2[AB])\d{3})\s*\)?\s*$", re.IGNORECASE)


def search_communes(query: str, *, limit: int | None = None, near: Collection[str] = ()) -> QuerySet[Commune]:
    """Current communes matching a name (accents, hyphens, « Saint/St » ignored), a postcode or
    an INSEE code, best first, those of the départements `near` before the others."""
    qs = Commune.objects.current().matching(query, near).select_related("departement", "epci")
    return qs[:limit] if limit else qs


def resolve_commune(text: str) -> tuple[Commune | None, list[Commune]]:
    """Find the one commune a person meant: an autocomplete label ending with an INSEE code, an
    INSEE code, a unique postcode, or a name. Returns (commune, []) when there is exactly one
    answer, or (None, candidates) — empty when nothing matches."""
    text = text.strip()
    match = _CODE_IN_LABEL.search(text)
    if match:
        commune = Commune.objects.current().filter(code=match.group(1).upper()).first()
        if commune:
            return commune, []
    candidates = list(search_communes(text, limit=11))
    if len(candidates) == 1:
        return candidates[0], []
    exact = [c for c in candidates if getattr(c, "rank", None) == 0]
    if len(exact) == 1:
        return exact[0], []
    return None, candidates
