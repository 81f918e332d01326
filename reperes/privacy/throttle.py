"""Brakes on repeated attempts, counted in Django's cache (per process with the default
local-memory cache: a brake, not a quota).

- A question whose answer is itself a disclosure (« cette personne est-elle déjà connue ? »):
  beyond the hourly allowance, the question waits.
- Logging in: after too many failed attempts for one address, or from one client address, further
  attempts are refused without checking the password until the window ends.
- The second factor: after too many wrong codes for one account (whatever the session or the
  client), further codes are refused without being checked until the window ends; django-otp's
  own delay (1, 2, 4… seconds after each failure on a device) comes on top.
- Password-reset mail: a few per address and some more per client in an hour; beyond them no mail
  leaves, and the page says the same as always."""

import contextlib
import ipaddress

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


def _client(client_ip: str) -> str:
    """The client as counted: an IPv4 address, or an IPv6 address's /64 (one subscriber's network,
    whose addresses they may change at will)."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def allow_login(email: str, client_ip: str) -> bool:
    """Counts an attempt against the address and the client, before the password is checked (so
    that attempts sent at once are all counted), and says whether it may go on: at most
    REPERES_LOGIN_FAILURES attempts for an address and REPERES_LOGIN_FAILURES_PER_IP for a
    client, each count starting over REPERES_LOGIN_WINDOW_SECONDS after its first attempt. A
    successful login takes its attempt back (`forget_failed_logins`)."""
    return _allow_both(
        ("email", "ip"),
        email,
        client_ip,
        window=getattr(settings, "REPERES_LOGIN_WINDOW_SECONDS", 900),
        per_address=getattr(settings, "REPERES_LOGIN_FAILURES", 5),
        per_client=getattr(settings, "REPERES_LOGIN_FAILURES_PER_IP", 30),
    )


def _allow_both(
    kinds: tuple[str, str], email: str, client_ip: str, *, window: int, per_address: int, per_client: int
) -> bool:
    """One more event counted against an address and a client; True while both are within their limit."""
    by_address = _count(_login_key(kinds[0], email.lower()), window)
    by_client = _count(_login_key(kinds[1], _client(client_ip)), window)
    return by_address <= per_address and by_client <= per_client


def forget_failed_logins(email: str, client_ip: str) -> None:
    """After a successful login the address starts afresh and the client gets its attempt back;
    the client's failures stay, so that one valid account cannot reset the brake on guessing the
    others."""
    cache.delete(_login_key("email", email.lower()))
    with contextlib.suppress(ValueError):  # expired meanwhile
        cache.decr(_login_key("ip", _client(client_ip)))


def allow_password_reset(email: str, client_ip: str) -> bool:
    """Counts a password-reset request against the address asked for and the client asking, known
    account or not, and says whether its mail may leave: at most REPERES_PASSWORD_RESETS per
    address and REPERES_PASSWORD_RESETS_PER_IP per client, each count starting over
    REPERES_PASSWORD_RESET_WINDOW_SECONDS after its first request. Nobody floods a mailbox, and
    nobody learns from the brake whether an account exists (unknown addresses count the same)."""
    return _allow_both(
        ("reset-email", "reset-ip"),
        email,
        client_ip,
        window=getattr(settings, "REPERES_PASSWORD_RESET_WINDOW_SECONDS", 3600),
        per_address=getattr(settings, "REPERES_PASSWORD_RESETS", 3),
        per_client=getattr(settings, "REPERES_PASSWORD_RESETS_PER_IP", 20),
    )


def _second_factor_key(user_id: int) -> str:
    return f"reperes:second-factor:{user_id}"


def allow_second_factor(user_id: int) -> bool:
    """Counts a code submitted for the account, before it is checked, and says whether it may be:
    at most REPERES_SECOND_FACTOR_FAILURES in REPERES_SECOND_FACTOR_WINDOW_SECONDS. Counted per
    account, not per session: logging in again with the password does not start afresh."""
    window = getattr(settings, "REPERES_SECOND_FACTOR_WINDOW_SECONDS", 900)
    limit = getattr(settings, "REPERES_SECOND_FACTOR_FAILURES", 5)
    return _count(_second_factor_key(user_id), window) <= limit


def forget_second_factor_failures(user_id: int) -> None:
    cache.delete(_second_factor_key(user_id))
