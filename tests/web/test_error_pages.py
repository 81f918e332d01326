"""Error pages in production (DEBUG off): in French, styled, and silent about what exists."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.views.defaults import permission_denied
from pytest_django.asserts import assertContains

from reperes.network.enums import Role
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db

NOT_FOUND = "Page introuvable, ou vous n'y avez pas accès"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def without_secrets(html: str) -> str:
    """The page without what changes on every request: the CSRF token and the CSP nonce."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)


def test_an_unknown_address_answers_in_french_with_a_way_home(client, counsellor):
    client.force_login(counsellor)
    response = client.get("/nexiste-pas/")
    assertContains(response, NOT_FOUND, status_code=404)
    assertContains(response, '<html lang="fr">', status_code=404)
    assertContains(response, f'href="{reverse("web:home")}"', status_code=404)
    assertContains(response, "Se déconnecter", status_code=404)  # the site's own layout


def test_a_youth_out_of_reach_looks_exactly_like_one_that_does_not_exist(client, counsellor):
    saverne = OrganisationFactory(mission_locale=True, territory=area("Saverne", "67437"))
    MembershipFactory(role=Role.COUNSELLOR, organisation=saverne)
    youth = report("Inès", "Keller").youth  # followed in Saverne, not by `counsellor`
    client.force_login(counsellor)

    hidden = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    missing = client.get(reverse("registry:youth_detail", args=[youth.pk + 1000]))

    assertContains(hidden, NOT_FOUND, status_code=404)
    assert without_secrets(hidden.text) == without_secrets(missing.text)


def test_the_server_error_page_stands_alone():
    html = render_to_string("500.html")  # as server_error renders it: no request, no context processors
    assert '<html lang="fr">' in html
    assert "Une erreur est survenue" in html
    assert "<script" not in html
    assert "<style" not in html and "style=" not in html  # refused by the CSP


def test_a_bad_request_answers_in_french(client, counsellor, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    client.force_login(counsellor)
    response = client.post(reverse("registry:signal_create"), {"a": "1", "b": "2", "c": "3"})
    assertContains(response, "Demande incorrecte", status_code=400)
    assertContains(response, '<html lang="fr">', status_code=400)


def test_an_unknown_host_gets_the_bad_request_page():
    response = Client().get("/", headers={"host": "intrus.example"})
    assertContains(response, "Demande incorrecte", status_code=400)


def test_a_refused_action_answers_in_french(rf, counsellor):
    request = rf.get("/admin/")
    request.user = counsellor
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Vous n'avez pas accès à cette page" in response.text
    assert '<html lang="fr">' in response.text


def test_an_expired_form_says_to_reload_the_page(counsellor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)
    response = client.post(reverse("logout"))  # no CSRF token, as from a page opened before a new login
    assertContains(response, "Ce formulaire a expiré", status_code=403)
    assertContains(response, "Rechargez la page", status_code=403)
    assertContains(response, '<html lang="fr">', status_code=403)
    assert "CSRF" not in response.text


def test_every_page_names_our_icon(client, counsellor):
    client.force_login(counsellor)
    icon = '<link rel="icon" href="/static/reperes/favicon.svg" type="image/svg+xml">'
    assert finders.find("reperes/favicon.svg")
    assertContains(client.get(reverse("web:home")), icon)
    assertContains(client.get("/nexiste-pas/"), icon, status_code=404)
    assert icon in render_to_string("500.html")
