"""Brakes on repeated attempts, counted in Django's cache (per process with the default
local-memory cache: a brake, not a quota).

- A question whose answer is itself a disclosure (« cette personne est-elle déjà connue ? »):
  beyond the hourly allowance, the question waits.
- Logging in: after too many failed attempts for one address, or from one client address, further
  attempts are refused without checking the password until the window ends."""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

WINDOW_SECONDS = 3600


def _count(key: str, window_seconds: int) -> int:
    """Counts one more event under key and returns the count; the count starts over
    window_seconds after its first event."""
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window_seconds)
        return 1


def allow_lookup(user_id: int) -> bool:
    """True while the user has asked fewer than REPERES_LOOKUPS_PER_HOUR times this hour."""
    limit = getattr(settings, "REPERES_LOOKUPS_PER_HOUR", 120)
    return _count(f"reperes:lookups:{user_id}", WINDOW_SECONDS) <= limit


def _login_key(kind: str, value: str) -> str:
    # A keyed hash: the cache never holds an e-mail or IP address in clear.
    digest = salted_hmac("reperes.privacy.throttle.login", value, algorithm="sha256").hexdigest()
    return f"reperes:login:{kind}:{digest}"


def allow_login(email: str, client_ip: str) -> bool:
    """True while this address has failed fewer than REPERES_LOGIN_FAILURES times, and this client
    fewer than REPERES_LOGIN_FAILURES_PER_IP times, within the window. Counts nothing itself."""
    per_address = getattr(settings, "REPERES_LOGIN_FAILURES", 5)
    per_client = getattr(settings, "REPERES_LOGIN_FAILURES_PER_IP", 30)
    return (
        cache.get(_login_key("email", email.lower()), 0) < per_address
        and cache.get(_login_key("ip", client_ip), 0) < per_client
    )


def record_failed_login(email: str, client_ip: str) -> None:
    """Counts a failed attempt (wrong password or unknown address) against the address and the
    client; each count starts over REPERES_LOGIN_WINDOW_SECONDS after its first failure."""
    window = getattr(settings, "REPERES_LOGIN_WINDOW_SECONDS", 900)
    _count(_login_key("email", email.lower()), window)
    _count(_login_key("ip", client_ip), window)


def forget_failed_logins(email: str) -> None:
    """After a successful login the address starts afresh. The client's count stays, so that one
    valid account cannot reset the brake on guessing the others."""
    cache.delete(_login_key("email", email.lower()))
