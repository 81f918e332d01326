"""How often a person may ask a question whose answer is itself a disclosure (« cette personne
est-elle déjà connue ? »): beyond the allowance, the question waits. Counted in Django's cache,
per process with the default local-memory cache: a brake on probing, not a quota."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def allow_lookup(user_id: int) -> bool:
    """True while the user has asked fewer than REPERES_LOOKUPS_PER_HOUR times this hour."""
    limit = getattr(settings, "REPERES_LOOKUPS_PER_HOUR", 120)
    key = f"reperes:lookups:{user_id}"
    if cache.add(key, 1, WINDOW_SECONDS):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)
        return True
