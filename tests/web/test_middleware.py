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
