import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.network.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME_MARKERS = {
    "counsellor": "Nouveaux signalements",
    "coordinator": "Maillage territorial",
    "partner_worker": "Signaler un jeune",
    "funder_officer": "jamais le nom d'un jeune",
    "admin_user": "Structures et comptes",
}


@pytest.mark.parametrize("persona", HOME_MARKERS)
def test_each_role_lands_on_its_own_home_page(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assertContains(response, f"Bonjour {user.first_name}")
    assertContains(response, HOME_MARKERS[persona])
    for other, marker in HOME_MARKERS.items():
        if other != persona:
            assertNotContains(response, marker)


def test_only_administrators_see_the_administration_menu(client, counsellor, admin_user):
    client.force_login(counsellor)
    assertNotContains(client.get(reverse("web:home")), reverse("admin:index"))
    client.force_login(admin_user)
    assertContains(client.get(reverse("web:home")), reverse("admin:index"))


def test_account_without_membership_is_told_what_to_do(client):
    client.force_login(UserFactory())
    response = client.get(reverse("web:home"))
    assertContains(response, "Votre compte n'est rattaché à aucune structure")
    assertNotContains(response, reverse("territory:commune_search"))


@pytest.mark.parametrize("name", ["web:legal_notice", "web:personal_data", "web:accessibility"])
def test_legal_pages_are_public_and_linked_from_the_footer(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    login_page = client.get(reverse("login"))
    assertContains(login_page, f'href="{reverse(name)}"')


def test_layout_has_a_skip_link_and_a_french_language(client):
    response = client.get(reverse("login"))
    assertContains(response, '<html lang="fr">')
    assertContains(response, 'href="#contenu"')
    assertContains(response, 'id="contenu"')


def test_strict_content_security_policy_with_a_nonce_on_every_script(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("web:home"))
    policy = response.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts
    # Inline code runs only with this response's nonce; files come from this host only.
    assert all(f'nonce="{nonce}"' in tag or 'src="/static/' in tag for tag in scripts)
    assert " style=" not in html  # inline style attributes would be blocked by style-src
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert not [link for link in links if "//" in link], "no resource or link to another host"


def test_htmx_and_bootstrap_come_from_installed_packages(client):
    html = client.get(reverse("login")).content.decode()
    assert "/static/django_htmx/htmx" in html
    assert "/static/bootstrap/css/bootstrap.min.css" in html


def test_the_duplicate_queue_is_in_the_menu_of_those_who_triage(client, counsellor, partner_worker):
    client.force_login(counsellor)
    assertContains(client.get(reverse("web:home")), f'<a class="nav-link" href="{reverse("registry:duplicate_list")}"')
    client.force_login(partner_worker)
    assertNotContains(client.get(reverse("web:home")), reverse("registry:duplicate_list"))
