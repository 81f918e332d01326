"""Reads of territory data shared by pages, forms and the API."""

import re
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from reperes.territory.models import Commune

_CODE_IN_LABEL = re.compile(r"(?:^|\s|—|\()((?:\d{2}|2[AB])\d{3})\s*\)?\s*$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d{5}$")
# The most communes sharing one postcode (51300 has 46): a postcode's list is never cut.
POSTCODE_COMMUNES = 60


def is_postcode(text: str) -> bool:
    return bool(_POSTCODE.match(text.replace(" ", "")))


def covered_communes() -> QuerySet[Commune]:
    """The communes some Mission locale of the instance covers. Territory knows nothing of
    organisations: settings.REPERES_COVERED_COMMUNES names the function that says (the network
    app's), as REPERES_NEAR_DEPARTEMENTS does for the ranking."""
    path = getattr(settings, "REPERES_COVERED_COMMUNES", "")
    if not path:
        raise ImproperlyConfigured("REPERES_COVERED_COMMUNES must name the function giving the covered communes")
    covered: QuerySet[Commune] = import_string(path)()
    return covered


def search_communes(
    query: str, *, limit: int | None = None, near: Collection[str] = (), covered: bool = False
) -> QuerySet[Commune]:
    """Current communes matching a name (accents, hyphens, « Saint/St » ignored), a postcode or
    an INSEE code, best first, those of the départements `near` before the others; with
    `covered`, only those a Mission locale covers (covered_communes)."""
    qs = Commune.objects.current().matching(query, near).select_related("departement", "epci")
    if covered:
        qs = qs.filter(code__in=covered_communes().values("code"))
    return qs[:limit] if limit else qs


def resolve_commune(text: str, *, covered: bool = False) -> tuple[Commune | None, list[Commune]]:
    """Find the one commune a person meant: an autocomplete label ending with an INSEE code, an
    INSEE code, a unique postcode, or a name. Returns (commune, []) when there is exactly one
    answer, or (None, candidates) — empty when nothing matches; a postcode's candidates are all
    the communes that have it. With `covered`, only communes a Mission locale covers count:
    « Saint-Louis » is then the one of the instance's territory."""
    text = text.strip()
    match = _CODE_IN_LABEL.search(text)
    if match:
        commune = Commune.objects.current().filter(code=match.group(1).upper()).first()
        if commune:
            return commune, []
    limit = POSTCODE_COMMUNES if is_postcode(text) else 11
    candidates = list(search_communes(text, limit=limit, covered=covered))
    if covered and not candidates:  # a commune nobody covers is still named, for the form to say so
        candidates = list(search_communes(text, limit=limit))
    if len(candidates) == 1:
        return candidates[0], []
    exact = [c for c in candidates if getattr(c, "rank", None) == 0]
    if len(exact) == 1:
        return exact[0], []
    return None, candidates
