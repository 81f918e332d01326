import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from reperes.network.services import wait_for_mail
from tests.network.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case_leads_home(client, counsellor):
    response = client.post(
        reverse("login"), {"username": counsellor.email.upper(), "password": TEST_PASSWORD}, follow=True
    )
    # The password is accepted; a counsellor's first login goes on with setting up the second factor.
    assertRedirects(response, f"{reverse('second_factor_setup')}?next=%2F")
    assertContains(response, "Activer le second facteur")


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
    assertRedirects(response, reverse("territory:commune_search"), fetch_redirect_response=False)


def test_password_reset_sends_a_link_that_sets_a_new_password(client, counsellor):
    response = client.post(reverse("password_reset"), {"email": counsellor.email})
    assertRedirects(response, reverse("password_reset_done"))
    wait_for_mail()
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
    wait_for_mail()
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


THROTTLED = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


def log_in(client, email, password=TEST_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def fail_logins(client, email, times, **extra):
    for _n in range(times):
        assertContains(log_in(client, email, "pas-le-bon", **extra), "mot de passe incorrect")


def test_after_five_failures_even_the_right_password_is_refused_with_429(client, counsellor):
    fail_logins(client, counsellor.email, 5)
    response = log_in(client, counsellor.email.upper())
    # The normal login page, with the reason among the form's errors.
    assertContains(response, THROTTLED, status_code=429)
    assertContains(response, 'name="password"', status_code=429)
    assert "_auth_user_id" not in client.session


def test_attempts_sent_at_once_are_counted_before_any_password_is_checked(client, counsellor):
    from reperes.privacy.throttle import allow_login

    # Five guesses in flight: each is counted as it arrives, before its slow password check.
    assert all(allow_login(counsellor.email, "127.0.0.1") for _n in range(5))
    assertContains(log_in(client, counsellor.email), THROTTLED, status_code=429)


def test_a_throttled_address_does_not_block_another_one(client, counsellor, partner_worker):
    fail_logins(client, counsellor.email, 5)
    assertRedirects(log_in(client, partner_worker.email), reverse("web:home"), fetch_redirect_response=False)


def test_a_successful_login_starts_the_count_afresh(client, counsellor):
    fail_logins(client, counsellor.email, 4)
    assertRedirects(log_in(client, counsellor.email), reverse("web:home"), fetch_redirect_response=False)
    client.logout()
    fail_logins(client, counsellor.email, 4)
    assertRedirects(log_in(client, counsellor.email), reverse("web:home"), fetch_redirect_response=False)


def test_an_empty_password_does_not_start_the_count_afresh(client, counsellor):
    fail_logins(client, counsellor.email, 5)
    log_in(client, counsellor.email, "")
    assertContains(log_in(client, counsellor.email), THROTTLED, status_code=429)


def test_the_address_may_try_again_once_the_window_has_passed(client, counsellor, settings, monkeypatch):
    settings.REPERES_LOGIN_WINDOW_SECONDS = 60
    fail_logins(client, counsellor.email, 5)
    assertContains(log_in(client, counsellor.email), THROTTLED, status_code=429)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)  # the cache's clock, not ours
    assertRedirects(log_in(client, counsellor.email), reverse("web:home"), fetch_redirect_response=False)


@pytest.mark.parametrize(
    ("failing", "same_client", "other_client"),
    [
        (["203.0.113.7"] * 3, "203.0.113.7", "198.51.100.2"),
        # A subscriber's IPv6 /64 holds more addresses than anyone can count: it is one client.
        ([f"2001:db8:1:2::{n}" for n in (1, 2, 3)], "2001:db8:1:2::99", "2001:db8:1:3::1"),
    ],
)
def test_one_client_failing_on_many_addresses_is_throttled(
    client, counsellor, settings, failing, same_client, other_client
):
    settings.REPERES_LOGIN_FAILURES_PER_IP = 3
    for n, address in enumerate(failing):
        fail_logins(client, f"inconnu{n}@nulle-part.example", 1, REMOTE_ADDR=address)
    assertContains(log_in(client, counsellor.email, REMOTE_ADDR=same_client), THROTTLED, status_code=429)
    assertRedirects(
        log_in(client, counsellor.email, REMOTE_ADDR=other_client),
        reverse("web:home"),
        fetch_redirect_response=False,
    )


def test_a_success_from_an_ipv6_network_gives_that_networks_attempt_back(client, counsellor, settings):
    settings.REPERES_LOGIN_FAILURES_PER_IP = 3
    fail_logins(client, "inconnu1@nulle-part.example", 1, REMOTE_ADDR="2001:db8:1:2::1")
    fail_logins(client, "inconnu2@nulle-part.example", 1, REMOTE_ADDR="2001:db8:1:2::2")
    assertRedirects(
        log_in(client, counsellor.email, REMOTE_ADDR="2001:db8:1:2::3"),
        reverse("web:home"),
        fetch_redirect_response=False,
    )
    client.logout()
    # Two failures, and the success's attempt given back: the next one is the third, still checked.
    fail_logins(client, "inconnu3@nulle-part.example", 1, REMOTE_ADDR="2001:db8:1:2::4")
    response = log_in(client, "inconnu4@nulle-part.example", "pas-le-bon", REMOTE_ADDR="2001:db8:1:2::5")
    assertContains(response, THROTTLED, status_code=429)


def test_an_ipv4_mapped_address_is_counted_as_the_ipv4_client_it_is(client, counsellor, settings):
    settings.REPERES_LOGIN_FAILURES_PER_IP = 3
    fail_logins(client, "inconnu1@nulle-part.example", 2, REMOTE_ADDR="::ffff:203.0.113.7")
    fail_logins(client, "inconnu2@nulle-part.example", 1, REMOTE_ADDR="203.0.113.7")
    assertContains(log_in(client, counsellor.email, REMOTE_ADDR="203.0.113.7"), THROTTLED, status_code=429)


def test_the_throttle_keeps_no_address_in_clear(client):
    fail_logins(client, "Personne@Structure.example", 1, REMOTE_ADDR="203.0.113.7")
    keys = list(cache._cache)  # the local-memory cache's own store
    assert len(keys) == 2
    assert not any("personne" in key.lower() or "203.0.113.7" in key for key in keys)


def test_the_limit_per_address_follows_the_setting(client, settings):
    settings.REPERES_LOGIN_FAILURES = 2
    account = UserFactory()
    fail_logins(client, account.email, 2)
    assertContains(log_in(client, account.email), THROTTLED, status_code=429)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_admin_login_page_checks_no_password(client, staff):
    admin_login = reverse("admin:login")
    for _n in range(12):
        response = client.post(admin_login, {"username": staff.email, "password": "pas-le-bon"})
        assert response.status_code == 302
    response = client.post(f"{admin_login}?next=/admin/", {"username": staff.email, "password": TEST_PASSWORD})
    # Sent to the main login page (and its throttle), logged in by no guess, right or wrong.
    assertRedirects(response, f"{reverse('login')}?next=/admin/", fetch_redirect_response=False)
    assert "_auth_user_id" not in client.session


def test_an_address_blocked_on_the_main_login_cannot_log_in_through_the_admin(client, staff):
    fail_logins(client, staff.email, 5)
    client.post(reverse("admin:login"), {"username": staff.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assertContains(log_in(client, staff.email), THROTTLED, status_code=429)


def test_the_admin_is_reached_through_the_main_login(client, staff):
    response = client.get("/admin/", follow=True)
    assertRedirects(response, f"{reverse('login')}?next=/admin/")
    response = client.post(
        f"{reverse('login')}?next=/admin/", {"username": staff.email, "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assertRedirects(response, "/admin/", fetch_redirect_response=False)
    # Staff read personal data: the admin opens once the second factor is set up.
    assertRedirects(client.get("/admin/"), f"{reverse('second_factor_setup')}?next=%2Fadmin%2F")


def test_the_admin_login_does_not_send_elsewhere(client):
    response = client.get(f"{reverse('admin:login')}?next=https://ailleurs.example/")
    assertRedirects(response, f"{reverse('login')}?next=/admin/", fetch_redirect_response=False)


# --- Password reset: braked, and answering alike for known and unknown addresses ---------------


def ask_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_password_reset_mail_is_braked_per_address(client, counsellor):
    for _n in range(26):
        assertRedirects(ask_reset(client, counsellor.email), reverse("password_reset_done"))
    wait_for_mail()
    assert len(mail.outbox) == 3  # REPERES_PASSWORD_RESETS


def test_the_reset_brake_counts_an_address_in_any_case_and_spares_the_others(client, counsellor, partner_worker):
    for email in (counsellor.email, counsellor.email.upper(), counsellor.email.title(), counsellor.email):
        ask_reset(client, email)
    ask_reset(client, partner_worker.email)
    wait_for_mail()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([counsellor.email] * 3 + [partner_worker.email])


def test_password_reset_mail_is_braked_per_client(client, settings):
    settings.REPERES_PASSWORD_RESETS_PER_IP = 4
    accounts = [UserFactory() for _n in range(6)]
    for account in accounts:
        ask_reset(client, account.email, REMOTE_ADDR="203.0.113.7")
    ask_reset(client, accounts[-1].email, REMOTE_ADDR="198.51.100.2")
    wait_for_mail()
    assert [message.to[0] for message in mail.outbox] == [a.email for a in accounts[:4]] + [accounts[-1].email]


def test_a_braked_reset_says_what_any_reset_says(client, counsellor):
    for _n in range(3):
        ask_reset(client, counsellor.email)
    braked = ask_reset(client, counsellor.email, follow=True)
    unknown = ask_reset(client, "inconnu@nulle-part.example", follow=True)
    assert braked.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assertContains(braked, "Si un compte existe avec cette adresse")

    def main(response):  # the page's own text, without the nonces of the layout
        return re.search(r"<main.*</main>", response.content.decode(), re.DOTALL).group(0)

    assert main(braked) == main(unknown)


def test_an_unknown_address_counts_against_the_brake_like_a_known_one(client):
    from reperes.privacy.throttle import allow_password_reset

    for _n in range(3):
        ask_reset(client, "inconnu@nulle-part.example")
    assert not allow_password_reset("inconnu@nulle-part.example", "127.0.0.1")


def test_the_reset_answer_does_not_wait_for_the_mail_server(client, counsellor, settings):
    from tests.network.mail_backends import SlowEmailBackend

    settings.MAILERS = {"default": {"BACKEND": "tests.network.mail_backends.SlowEmailBackend"}}
    timings = {}
    for label, email in (("known", counsellor.email), ("unknown", "inconnu@nulle-part.example")):
        start = time.perf_counter()
        assertRedirects(ask_reset(client, email), reverse("password_reset_done"), fetch_redirect_response=False)
        timings[label] = time.perf_counter() - start
    # The mail server takes half a second per message: an answer that waited for it would show it.
    assert timings["known"] < SlowEmailBackend.SECONDS * 0.6, timings
    wait_for_mail()
    assert [message.to for message in mail.outbox] == [[counsellor.email]]


def test_known_and_unknown_addresses_take_the_same_queries(client, counsellor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for email in (counsellor.email, "inconnu@nulle-part.example"):
        with CaptureQueriesContext(connection) as context:
            ask_reset(client, email)
        counts.append(len(context.captured_queries))
    wait_for_mail()
    assert counts[0] == counts[1]
