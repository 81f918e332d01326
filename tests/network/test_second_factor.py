"""The second factor at login (ADR 012), through its pages: who is asked, the set-up, the code,
recovery codes, the brake, a coordinator's reset, and the traces each leaves."""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reperes.network import second_factor
from reperes.network.enums import Role
from reperes.privacy.models import WriteRecord
from tests.network.factories import TEST_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("second_factor_setup")
VERIFY = reverse("second_factor_verify")


def password_login(client, user, next_url: str = ""):
    data = {"username": user.email, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def set_up(client, user) -> list[str]:
    """A first login to the end: password, the application set up from the page's key, the codes."""
    password_login(client, user)
    page = client.get(SETUP).content.decode()
    key = re.search(r"data-totp-key>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    totp = TOTP(b32decode(key + "=" * (-len(key) % 8)))
    response = client.post(SETUP, {"code": f"{totp.token():06d}"})
    assertContains(response, "Vos codes de secours")
    return re.findall(r"data-recovery-code>(\w{4} \w{4})<", response.content.decode())


def history(user) -> list[dict]:
    return [
        r.after.get("second_factor")
        for r in WriteRecord.objects.filter(model="network.user", object_id=user.pk).order_by("pk")
    ]


def test_a_counsellor_sets_up_the_application_at_first_login_and_nothing_opens_before(client, counsellor):
    response = password_login(client, counsellor, next_url="/suivi/")
    # The password is right, but the page asked for waits for the second factor.
    assertRedirects(response, "/suivi/", fetch_redirect_response=False)
    assertRedirects(client.get("/suivi/"), f"{SETUP}?next=%2Fsuivi%2F")
    assertRedirects(client.get(reverse("web:home")), f"{SETUP}?next=%2F")
    # An htmx request is told where to go, not given the set-up page as a fragment.
    answer = client.get(reverse("web:home"), headers={"HX-Request": "true"})
    assert answer.status_code == 204 and answer["HX-Redirect"].startswith(SETUP)

    page = client.get(SETUP)
    assertContains(page, "Activer le second facteur")
    assertContains(page, "<svg", count=1)  # the QR code, with the key as text beside it
    wrong = client.post(SETUP, {"code": "000000", "next": "/suivi/"})
    assertContains(wrong, "Ce code ne correspond pas")
    device = TOTPDevice.objects.get(user=counsellor, confirmed=False)
    done = client.post(SETUP, {"code": code_for(device), "next": "/suivi/"})
    codes = re.findall(r"data-recovery-code>(\w{4} \w{4})<", done.content.decode())
    assert len(codes) == second_factor.RECOVERY_CODES == len(set(codes))
    assertContains(done, 'href="/suivi/"')
    assert client.get("/suivi/").status_code == 200
    assert history(counsellor) == [second_factor.ACTIVATED]


def test_the_next_login_asks_the_code_once_and_refuses_a_replayed_one(client, counsellor):
    set_up(client, counsellor)
    client.post(reverse("logout"))
    password_login(client, counsellor)
    assertRedirects(client.get(reverse("web:home")), f"{VERIFY}?next=%2F")
    device = TOTPDevice.objects.get(user=counsellor, confirmed=True)
    used = code_for(device)  # the set-up used this step's code: the next one is due
    assertContains(client.post(VERIFY, {"code": used}), "Code incorrect ou expiré")
    assertRedirects(client.post(VERIFY, {"code": code_for(device, steps_ahead=1)}), reverse("web:home"))
    assert client.get(reverse("web:home")).status_code == 200
    # A new session of the same account asks again.
    client.post(reverse("logout"))
    password_login(client, counsellor)
    assert client.get(reverse("web:home")).status_code == 302


def test_the_password_alone_never_sets_up_a_new_application(client, counsellor):
    """Someone who has the password but not the phone cannot enrol their own."""
    set_up(client, counsellor)
    client.post(reverse("logout"))
    password_login(client, counsellor)
    assertRedirects(client.get(SETUP), f"{VERIFY}?next=%2F")
    assert TOTPDevice.objects.filter(user=counsellor).count() == 1


def test_a_recovery_code_works_once_and_leaves_a_trace(client, counsellor):
    codes = set_up(client, counsellor)
    client.post(reverse("logout"))
    password_login(client, counsellor)
    response = client.post(VERIFY, {"code": codes[0].upper().replace(" ", "-")}, follow=True)
    assertContains(response, "il vous en reste 9")
    assert history(counsellor)[-1] == second_factor.RECOVERY_CODE_USED
    client.post(reverse("logout"))
    password_login(client, counsellor)
    assertContains(client.post(VERIFY, {"code": codes[0]}), "Code incorrect ou expiré")


def test_wrong_codes_are_braked_per_account_across_sessions(client, counsellor, settings):
    set_up(client, counsellor)
    limit = settings.REPERES_SECOND_FACTOR_FAILURES
    for _attempt in range(limit):
        client.post(reverse("logout"))
        password_login(client, counsellor)  # a new session does not start the count afresh
        assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    device = TOTPDevice.objects.get(user=counsellor, confirmed=True)
    refused = client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})
    assert refused.status_code == 429
    assertContains(refused, "Trop de codes incorrects", status_code=429)
    assert client.get(reverse("web:home")).status_code == 302


def test_the_funder_reads_aggregates_only_and_is_not_asked(client, funder_officer):
    assertRedirects(password_login(client, funder_officer), reverse("web:home"))
    assert client.get(reverse("web:home")).status_code == 200
    page = client.get(reverse("second_factor"))
    assertContains(page, "Facultatif pour votre rôle")


def test_new_recovery_codes_replace_the_old_ones(client, counsellor):
    old = set_up(client, counsellor)
    response = client.post(reverse("second_factor_new_codes"))
    new = re.findall(r"data-recovery-code>(\w{4} \w{4})<", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    tokens = set(StaticToken.objects.filter(device__user=counsellor).values_list("token", flat=True))
    assert tokens == {code.replace(" ", "") for code in new}
    assert history(counsellor)[-1] == second_factor.CODES_RENEWED


def test_a_coordinator_resets_a_lost_phone_and_the_open_session_loses_its_verification(client, coordinator):
    from django.test import Client

    member = MembershipFactory(role=Role.COUNSELLOR, organisation=coordinator.organisation).user
    theirs = Client()
    set_up(theirs, member)
    assert theirs.get(reverse("web:home")).status_code == 200

    client.force_login(coordinator)
    members = client.get(reverse("network:members"))
    assertContains(members, f"Réinitialiser le second facteur de {member}")
    assertNotContains(members, f"Réinitialiser le second facteur de {coordinator}")
    membership = member.memberships.get()
    response = client.post(reverse("network:member_second_factor_reset"), {"membership": membership.pk}, follow=True)
    assertContains(response, "est réinitialisé")
    assert not TOTPDevice.objects.filter(user=member).exists()
    assertRedirects(theirs.get(reverse("web:home")), f"{SETUP}?next=%2F")
    record = WriteRecord.objects.filter(model="network.user", object_id=member.pk).latest("pk")
    assert record.user == coordinator and record.after["second_factor"] == second_factor.RESET
    overview = client.get(reverse("network:access_overview"))
    assertContains(overview, "second facteur réinitialisé")


def test_a_coordinator_cannot_reset_their_own_or_another_mission_s_member(client, coordinator):
    client.force_login(coordinator)
    own = coordinator.memberships.get()
    stranger = MembershipFactory(role=Role.COUNSELLOR).user
    for membership in (own, stranger.memberships.get()):
        response = client.post(
            reverse("network:member_second_factor_reset"), {"membership": membership.pk}, follow=True
        )
        assertContains(response, "Choisissez le membre dont le second facteur est à réinitialiser")
    assert TOTPDevice.objects.filter(user__in=[coordinator, stranger]).count() == 1  # the coordinator's own


def test_the_demo_hint_shows_the_current_code_only_where_set(client, counsellor, settings):
    device = second_factor.give_demo_device(counsellor)
    password_login(client, counsellor)
    assertNotContains(client.get(VERIFY), "Compte de démonstration")
    settings.REPERES_SECOND_FACTOR_DEMO_HINT = True
    assertContains(client.get(VERIFY), f'le code du moment est <strong class="font-monospace">{code_for(device)}')


def test_the_admin_site_shows_no_key_or_recovery_code(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin_user)
    index = client.get("/admin/")
    assert index.status_code == 200
    assertNotContains(index, "otp_totp")
    assertNotContains(index, "otp_static")
