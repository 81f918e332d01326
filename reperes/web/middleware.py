"""Response headers that depend on who is browsing."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreForAuthenticatedMiddleware:
    """Every page served to a logged-in user may name a young person: no browser cache, shared
    computer or proxy keeps a copy (`Cache-Control: no-store, private`). Static files excepted
    (they hold nothing personal, and are served before this middleware in production anyway)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True)
        return response


class ClientAddressMiddleware:
    """Behind `REPERES_TRUSTED_PROXIES` reverse proxies, the client is the address the outermost
    of them saw: the login brakes count per client (`reperes/privacy/throttle.py`), and without
    this every visitor would share the proxy's one count. Only the entries the trusted proxies
    appended are believed: the ones before them come from the client, who can write anything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if proxies := settings.REPERES_TRUSTED_PROXIES:
            hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            if len(hops) >= proxies:
                request.META["REMOTE_ADDR"] = hops[-proxies]
        return self.get_response(request)
