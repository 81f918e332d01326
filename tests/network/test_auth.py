import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from tests.network.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case_leads_home(client, counsellor):
    response = client.post(
        reverse("login"), {"username": counsellor.email.upper(), "password": TEST_PASSWORD}, follow=True
    )
    assertRedirects(response, reverse("web:home"))
    assertContains(response, f"Bonjour {counsellor.first_name}")


def test_wrong_password_is_refused_with_a_french_message(client, counsellor):
    response = client.post(reverse("login"), {"username": counsellor.email, "password": "pas-le-bon"})
    assert response.status_code == 200
    assertContains(response, "Adresse e-mail ou mot de passe incorrect")
    assert "_auth_user_id" not in client.session


def test_malformed_email_is_explained(client):
    response = client.post(reverse("login"), {"username": "pas-une-adresse", "password": "x"})
    assertContains(response, "Saisissez une adresse e-mail valide")


def test_inactive_account_cannot_log_in(client, counsellor):
    counsellor.is_active = False
    counsellor.save(update_fields=["is_active"])
    response = client.post(reverse("login"), {"username": counsellor.email, "password": TEST_PASSWORD})
    assertContains(response, "Adresse e-mail ou mot de passe incorrect")


def test_logout_needs_a_post_and_ends_the_session(client, counsellor):
    client.force_login(counsellor)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assertRedirects(response, reverse("login"))
    assert client.get(reverse("web:home")).status_code == 302


def test_pages_require_login_and_come_back_after_it(client, counsellor):
    response = client.get(reverse("territory:commune_search"))
    assertRedirects(response, f"{reverse('login')}?next={reverse('territory:commune_search')}")
    response = client.post(
        f"{reverse('login')}?next={reverse('territory:commune_search')}",
        {"username": counsellor.email, "password": TEST_PASSWORD, "next": reverse("territory:commune_search")},
    )
    assertRedirects(response, reverse("territory:commune_search"))


def test_password_reset_sends_a_link_that_sets_a_new_password(client, counsellor):
    response = client.post(reverse("password_reset"), {"email": counsellor.email})
    assertRedirects(response, reverse("password_reset_done"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [counsellor.email]
    assert "nouveau mot de passe" in mail.outbox[0].body
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    new_password = "un-nouveau-mot-de-passe-solide"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assertRedirects(response, reverse("password_reset_complete"))
    counsellor.refresh_from_db()
    assert counsellor.check_password(new_password)


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "inconnu@nulle-part.example"})
    assertRedirects(response, reverse("password_reset_done"))
    assert mail.outbox == []


def test_passwords_are_hashed_with_argon2_in_production():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_an_idle_session_expires(client, counsellor):
    client.force_login(counsellor)
    client.get(reverse("web:home"))
    session = Session.objects.get()
    # Each request pushes the expiry back by the idle period.
    assert session.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
