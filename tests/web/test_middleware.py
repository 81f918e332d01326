import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from reperes.web.middleware import NoStoreForAuthenticatedMiddleware

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("name", ["web:home", "network:directory", "registry:youth_list", "password_change"])
def test_pages_for_a_logged_in_user_are_never_stored(client, counsellor, name):
    client.force_login(counsellor)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)


def test_an_error_page_for_a_logged_in_user_is_not_stored_either(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("registry:youth_detail", args=[10**9]))
    assert response.status_code == 404
    assert {"no-store", "private"} <= directives(response)


def test_the_response_that_logs_in_is_not_stored(client, counsellor):
    from tests.network.factories import TEST_PASSWORD

    response = client.post(reverse("login"), {"username": counsellor.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "no-store" in directives(response)


def test_an_anonymous_page_is_left_alone(client):
    response = client.get(reverse("web:legal_notice"))
    assert "no-store" not in directives(response)


def test_static_files_are_left_alone(rf: RequestFactory, counsellor, settings):
    request = rf.get(f"{settings.STATIC_URL}reperes/site.css")
    request.user = counsellor
    response = NoStoreForAuthenticatedMiddleware(lambda request: HttpResponse("body{}"))(request)
    assert "Cache-Control" not in response


def test_a_public_cache_directive_is_replaced(rf: RequestFactory, counsellor):
    request = rf.get("/")
    request.user = counsellor

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=600"
        return response

    response = NoStoreForAuthenticatedMiddleware(view)(request)
    assert "public" not in directives(response)
    assert {"no-store", "private"} <= directives(response)


def _brake_two_clients_behind_one_proxy(client, counsellor, settings, forwarded_for: list[str]):
    """Three failures through the proxy at 10.0.0.1, each from a client named by X-Forwarded-For,
    then the right password from the next one: its answer."""
    from tests.network.test_auth import fail_logins, log_in

    settings.REPERES_LOGIN_FAILURES_PER_IP = 3
    for n, hops in enumerate(forwarded_for[:-1]):
        fail_logins(client, f"inconnu{n}@nulle-part.example", 1, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=hops)
    return log_in(client, counsellor.email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for[-1])


def test_behind_a_trusted_proxy_each_client_has_its_own_login_brake(client, counsellor, settings):
    settings.REPERES_TRUSTED_PROXIES = 1
    response = _brake_two_clients_behind_one_proxy(
        client, counsellor, settings, ["203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.2"]
    )
    assert response.status_code == 302  # another visitor of the same proxy logs in


def test_an_address_written_by_the_client_is_not_believed(client, counsellor, settings):
    settings.REPERES_TRUSTED_PROXIES = 1
    # The attacker prepends a new address to each attempt; the proxy appends the real one.
    response = _brake_two_clients_behind_one_proxy(
        client,
        counsellor,
        settings,
        [f"192.0.2.{n}, 203.0.113.7" for n in (1, 2, 3)] + ["192.0.2.4, 203.0.113.7"],
    )
    assert response.status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, counsellor, settings):
    # A direct client sending X-Forwarded-For does not escape the brake of its own address.
    response = _brake_two_clients_behind_one_proxy(
        client, counsellor, settings, ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]
    )
    assert response.status_code == 429
