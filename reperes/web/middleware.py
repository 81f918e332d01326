"""Response headers that depend on who is browsing."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode


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


# What a logged-in session may open before its second factor is checked: the pages that check it,
# leaving, the public pages.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "second_factor_setup",
        "second_factor_verify",
        "health",
        "web:legal_notice",
        "web:personal_data",
        "web:accessibility",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


class SecondFactorMiddleware:
    """A session of someone who must use a second factor (`policy.must_use_second_factor`) opens
    nothing else until the code is checked (ADR 012): it is sent to the code page, or to setting
    up the application if the account has none yet. After django-otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, args: object, kwargs: object
    ) -> HttpResponseBase | None:
        from reperes.network import second_factor
        from reperes.privacy import policy

        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in BEFORE_SECOND_FACTOR:
            return None
        if not policy.must_use_second_factor(user):
            return None
        target = reverse("second_factor_verify" if second_factor.has_factor(user) else "second_factor_setup")
        url = f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)
