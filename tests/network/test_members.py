"""Who grants access to youths' files (ADR 007): not the platform's administrators, the Mission
locale's coordinator; and every change to an account or a membership is in the history."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reperes.network.enums import Role
from reperes.network.models import Membership, User
from reperes.network.services import add_member, deactivate_member, wait_for_mail
from reperes.privacy import policy
from reperes.privacy.models import WriteRecord
from reperes.registry.enums import InformedHow, SignalConsent
from reperes.registry.models import Consent, Youth
from reperes.registry.services import send_signal
from reperes.territory.models import Commune
from tests.network.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, area

pytestmark = pytest.mark.django_db

REFUSED = "L&#x27;administration de la plateforme n&#x27;attribue pas ce rôle"


@pytest.fixture
def mission():
    return OrganisationFactory(mission_locale=True, territory=area("A", "67437", "67300"), commune_id="67437")


@pytest.fixture
def coordinator_a(mission):
    return MembershipFactory(role=Role.COORDINATOR, organisation=mission).user


@pytest.fixture
def local_partner():
    return OrganisationFactory(name="Équipe locale", territory=area("P", "67437"), commune_id="67437")


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def history(instance):
    return list(WriteRecord.objects.filter(model=instance._meta.label_lower, object_id=instance.pk).order_by("pk"))


# --- The Django admin -------------------------------------------------------------------------


def admin_post(user, memberships=(), **changes):
    """The admin's change form of a user, as a browser sends it, with its membership rows."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(memberships):
        data[f"memberships-{index}-id"] = row.get("id", "")
        data[f"memberships-{index}-user"] = user.pk
        data[f"memberships-{index}-organisation"] = row["organisation"].pk
        data[f"memberships-{index}-role"] = row["role"]
        data[f"memberships-{index}-is_active"] = "on" if row.get("is_active", True) else ""
    data.update({name: value for name, value in changes.items() if value is not None})
    for name in [name for name, value in changes.items() if value is None]:
        data.pop(name, None)
    return data


def change_url(user):
    return reverse("admin:network_user_change", args=[user.pk])


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.COORDINATOR])
def test_the_admin_cannot_give_an_account_a_role_that_reads_files(client, staff, mission, role):
    """The hole: an account the administrator controls, a counsellor membership, and the files."""
    client.force_login(staff)
    mine = UserFactory()
    response = client.post(change_url(mine), admin_post(mine, [{"organisation": mission, "role": role}]))
    assertContains(response, REFUSED)
    assert not Membership.objects.filter(user=mine).exists()
    assert not policy.can_view_personal_data(User.objects.get(pk=mine.pk))


def test_the_admin_cannot_make_a_partner_worker_either(client, staff, local_partner):
    client.force_login(staff)
    mine = UserFactory()
    response = client.post(
        change_url(mine), admin_post(mine, [{"organisation": local_partner, "role": Role.PARTNER_WORKER}])
    )
    assertContains(response, REFUSED)
    assert not Membership.objects.filter(user=mine).exists()


def test_the_admin_cannot_turn_a_funder_membership_into_a_counsellor_one(client, staff, mission):
    client.force_login(staff)
    funder = MembershipFactory(role=Role.FUNDER_OFFICER)
    row = {"id": funder.pk, "organisation": mission, "role": Role.COUNSELLOR}
    assertContains(client.post(change_url(funder.user), admin_post(funder.user, [row])), REFUSED)
    funder.refresh_from_db()
    assert funder.role == Role.FUNDER_OFFICER


def test_the_admin_may_end_a_counsellors_membership_but_not_give_it_back(client, staff, mission):
    client.force_login(staff)
    membership = MembershipFactory(role=Role.COUNSELLOR, organisation=mission)
    user = membership.user
    row = {"id": membership.pk, "organisation": mission, "role": Role.COUNSELLOR, "is_active": False}
    assertRedirects(client.post(change_url(user), admin_post(user, [row])), reverse("admin:network_user_changelist"))
    membership.refresh_from_db()
    assert not membership.is_active
    (record,) = history(membership)
    assert record.user == staff
    assert record.before["is_active"] is True and record.after["is_active"] is False
    assert record.after["organisation"] == mission.pk
    row["is_active"] = True
    assertContains(client.post(change_url(user), admin_post(user, [row])), REFUSED)
    membership.refresh_from_db()
    assert not membership.is_active


def test_the_admin_creates_accounts_and_funder_and_admin_memberships_on_the_record(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:network_user_add"),
        {
            "email": "charge.mission@region.example",
            "first_name": "Claire",
            "last_name": "Roth",
            "password1": "un-mot-de-passe-solide",
            "password2": "un-mot-de-passe-solide",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="charge.mission@region.example")
    (created,) = history(user)
    assert created.action == "create" and created.user == staff
    assert created.after["password"] == "set_by_admin"
    region = OrganisationFactory(funder=True)
    operator = OrganisationFactory(operator=True)
    rows = [{"organisation": region, "role": Role.FUNDER_OFFICER}, {"organisation": operator, "role": Role.ADMIN}]
    assertRedirects(client.post(change_url(user), admin_post(user, rows)), reverse("admin:network_user_changelist"))
    memberships = Membership.objects.filter(user=user)
    assert {m.role for m in memberships} == {Role.FUNDER_OFFICER, Role.ADMIN}
    for membership in memberships:
        (record,) = history(membership)
        assert record.action == "create" and record.user == staff


def test_staff_rights_given_in_the_admin_are_on_the_record(client, staff):
    client.force_login(staff)
    funder = MembershipFactory(role=Role.FUNDER_OFFICER).user
    row = {"id": funder.memberships.get().pk, "organisation": funder.organisation, "role": Role.FUNDER_OFFICER}
    client.post(change_url(funder), admin_post(funder, [row], is_staff="on"))
    funder.refresh_from_db()
    assert funder.is_staff
    (record,) = history(funder)
    assert record.before["is_staff"] is False and record.after["is_staff"] is True and record.user == staff


def test_an_account_that_reads_files_gets_no_staff_rights(client, staff, mission):
    client.force_login(staff)
    membership = MembershipFactory(role=Role.COUNSELLOR, organisation=mission)
    row = {"id": membership.pk, "organisation": mission, "role": Role.COUNSELLOR}
    response = client.post(change_url(membership.user), admin_post(membership.user, [row], is_superuser="on"))
    assertContains(response, "ne reçoit pas l&#x27;accès à l&#x27;administration technique")
    membership.user.refresh_from_db()
    assert not membership.user.is_superuser


def test_the_admin_cannot_take_over_an_account_that_reads_files(client, staff, mission):
    client.force_login(staff)
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    # Its address cannot be changed to one the administrator reads…
    page = client.get(change_url(counsellor))
    assertNotContains(page, 'name="email"')
    # …nor its password set.
    url = reverse("admin:auth_user_password_change", args=[counsellor.pk])
    response = client.post(url, {"password1": "je-connais-ce-mot", "password2": "je-connais-ce-mot"}, follow=True)
    assertContains(response, "son mot de passe ne se change pas ici")
    counsellor.refresh_from_db()
    assert counsellor.check_password(TEST_PASSWORD)


def test_a_password_the_admin_sets_is_on_the_record(client, staff):
    client.force_login(staff)
    funder = MembershipFactory(role=Role.FUNDER_OFFICER).user
    url = reverse("admin:auth_user_password_change", args=[funder.pk])
    response = client.post(
        url, {"password1": "un-autre-mot-solide", "password2": "un-autre-mot-solide", "usable_password": "true"}
    )
    assert response.status_code == 302
    funder.refresh_from_db()
    assert funder.check_password("un-autre-mot-solide")
    (record,) = history(funder)
    assert record.after["password"] == "set_by_admin" and record.user == staff
    assert "un-autre-mot-solide" not in str(record.after) and funder.password not in str(record.after)


def test_accounts_are_not_deleted_in_the_admin(client, staff):
    client.force_login(staff)
    user = UserFactory()
    assert client.post(reverse("admin:network_user_delete", args=[user.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


# --- The coordinator's page ---------------------------------------------------------------------


def invitation_link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_a_coordinator_invites_a_new_counsellor_who_chooses_a_password(
    client, coordinator_a, mission, django_capture_on_commit_callbacks
):
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:member_add"),
            {
                "organisation": mission.pk,
                "email": "Nouvelle.Conseillere@ML.example",
                "first_name": "Inès",
                "last_name": "Durand",
                "role": Role.COUNSELLOR,
            },
        )
    assertRedirects(response, f"{reverse('network:members')}?structure={mission.pk}")
    user = User.objects.get(email="nouvelle.conseillere@ml.example")
    membership = user.memberships.get()
    assert (membership.organisation, membership.role, membership.is_active) == (mission, Role.COUNSELLOR, True)
    assert history(user)[0].user == coordinator_a
    assert history(membership)[0].user == coordinator_a
    wait_for_mail()
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert mission.name in message.subject
    client.logout()
    form_url = client.get(invitation_link(message)).url
    response = client.post(
        form_url, {"new_password1": "mon-mot-de-passe-a-moi", "new_password2": "mon-mot-de-passe-a-moi"}
    )
    assertRedirects(response, reverse("password_reset_complete"))
    assertRedirects(
        client.post(reverse("login"), {"username": user.email, "password": "mon-mot-de-passe-a-moi"}),
        reverse("web:home"),
        fetch_redirect_response=False,
    )


def test_an_existing_account_is_attached_and_must_choose_a_new_password(
    client, coordinator_a, mission, django_capture_on_commit_callbacks
):
    known = UserFactory()  # e.g. its password was set by an administrator
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("network:member_add"), {"organisation": mission.pk, "email": known.email, "role": Role.COUNSELLOR}
        )
    known.refresh_from_db()
    assert known.memberships.get().role == Role.COUNSELLOR
    assert not known.check_password(TEST_PASSWORD)  # whoever knew the old one is out
    assert history(known)[-1].after["password"] == "cleared"
    wait_for_mail()
    assert [m.to for m in mail.outbox] == [[known.email]]


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (lambda: UserFactory(is_staff=True), "accès à l&#x27;administration technique"),
        (lambda: MembershipFactory(role=Role.FUNDER_OFFICER).user, "membre d&#x27;une autre structure"),
        (lambda: UserFactory(is_active=False), "Ce compte est désactivé"),
    ],
    ids=["staff", "elsewhere", "inactive"],
)
def test_some_accounts_cannot_be_attached(client, coordinator_a, mission, account, message):
    user = account()
    client.force_login(coordinator_a)
    data = {"organisation": mission.pk, "email": user.email, "role": Role.COUNSELLOR}
    assertContains(client.post(reverse("network:member_add"), data), message)
    assert not Membership.objects.filter(user=user, organisation=mission).exists()


def test_the_form_explains_what_is_missing(client, coordinator_a, mission, local_partner):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("network:member_add"), {"organisation": mission.pk, "email": "x@y.example", "role": ""}
    )
    assertContains(response, "Choisissez le rôle.")
    response = client.post(
        reverse("network:member_add"), {"organisation": mission.pk, "email": "x@y.example", "role": Role.COUNSELLOR}
    )
    assertContains(response, "indiquez le prénom et le nom de la personne")
    response = client.post(
        reverse("network:member_add"),
        {
            "organisation": local_partner.pk,
            "email": "x@y.example",
            "first_name": "A",
            "last_name": "B",
            "role": Role.COUNSELLOR,
        },
    )
    assertContains(
        response,
        "Ce rôle n&#x27;existe pas dans cette structure (Équipe locale) : choisissez professionnel·le partenaire.",
    )
    assert not User.objects.filter(email="x@y.example").exists()


def test_a_coordinator_adds_the_worker_of_a_partner_serving_the_territory_not_of_a_far_one(
    client, coordinator_a, local_partner
):
    far = OrganisationFactory(name="Équipe lointaine", territory=area("Q", "68224"), commune_id="68224")
    assert set(policy.organisations_managed_by(coordinator_a)) == {coordinator_a.organisation, local_partner}
    client.force_login(coordinator_a)
    data = {"email": "educ@equipe.example", "first_name": "Marc", "last_name": "Klein", "role": Role.PARTNER_WORKER}
    assertRedirects(
        client.post(reverse("network:member_add"), {**data, "organisation": local_partner.pk}),
        f"{reverse('network:members')}?structure={local_partner.pk}",
    )
    response = client.post(reverse("network:member_add"), {**data, "email": "b@far.example", "organisation": far.pk})
    assertContains(response, "Choisissez la structure.")
    assert not Membership.objects.filter(organisation=far).exists()


def test_a_coordinator_removes_an_access_and_it_takes_effect_at_once(client, coordinator_a, mission):
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission)
    client.force_login(coordinator_a)
    page = client.get(reverse("network:members"))
    assertContains(page, f"Retirer l'accès de {counsellor.user}")
    assertNotContains(page, f"Retirer l'accès de {coordinator_a}")
    response = client.post(reverse("network:member_deactivate"), {"membership": counsellor.pk})
    assertRedirects(response, f"{reverse('network:members')}?structure={mission.pk}")
    counsellor.refresh_from_db()
    assert not counsellor.is_active
    assert not policy.can_view_personal_data(User.objects.get(pk=counsellor.user_id))
    (record,) = history(counsellor)
    assert record.user == coordinator_a and record.after["is_active"] is False


def test_a_coordinator_does_not_remove_their_own_access_nor_one_outside_their_scope(client, coordinator_a, mission):
    other = MembershipFactory(role=Role.COUNSELLOR)  # another Mission locale
    own = coordinator_a.memberships.get()
    client.force_login(coordinator_a)
    response = client.post(reverse("network:member_deactivate"), {"membership": own.pk}, follow=True)
    assertContains(response, "Vous ne pouvez pas retirer votre propre accès")
    response = client.post(reverse("network:member_deactivate"), {"membership": other.pk}, follow=True)
    assertContains(response, "Choisissez le membre dont l&#x27;accès est à retirer.")
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.is_active and other.is_active


def test_only_a_mission_locale_coordinator_manages_members(
    client, counsellor, partner_worker, funder_officer, admin_user, staff
):
    for user in (counsellor, partner_worker, funder_officer, admin_user, staff):
        client.force_login(user)
        for name in ("network:members", "network:member_add", "network:access_overview"):
            assert client.get(reverse(name)).status_code == 404, (user, name)
        assert client.post(reverse("network:member_deactivate"), {}).status_code == 404


def test_the_buttons_show_only_to_the_coordinator(client, coordinator_a, counsellor, mission):
    url = reverse("network:organisation_detail", args=[mission.pk])
    client.force_login(coordinator_a)
    assertContains(client.get(url), "Gérer les membres")
    assertContains(client.get(url), "Qui a accès à nos dossiers")
    client.force_login(MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user)
    assertNotContains(client.get(url), "Gérer les membres")


# --- « Qui a accès à nos dossiers » -------------------------------------------------------------


def test_the_mission_locale_sees_who_reads_its_files_and_who_granted_it(
    client, coordinator_a, mission, local_partner, staff
):
    counsellor = add_member(
        mission,
        acting_user=coordinator_a,
        email="c@ml.example",
        first_name="Léa",
        last_name="Muller",
        role=Role.COUNSELLOR,
    )
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user
    silent = OrganisationFactory(name="Partenaire muet", territory=area("S", "67437"), commune_id="67437")
    MembershipFactory(role=Role.PARTNER_WORKER, organisation=silent)
    send_signal(
        author=worker,
        first_name="Inès",
        last_name="Keller",
        commune=Commune.objects.get(code="67437"),
        consent=SignalConsent.CONTACT,
        approximate_age=19,
    )
    youth = Youth.objects.get(last_name="Keller")
    consent = Consent.objects.create(
        youth=youth, informed_on=timezone.localdate(), informed_how=InformedHow.IN_PERSON, recorded_by=coordinator_a
    )
    named = OrganisationFactory(name="Partenaire nommé")
    MembershipFactory(role=Role.PARTNER_WORKER, organisation=named)
    consent.share_with.set([local_partner, named])
    # Every partner whose worker the policy lets read a file of the Mission locale is listed.
    readers = {
        m.organisation
        for m in Membership.objects.filter(role=Role.PARTNER_WORKER)
        if policy.youths_visible_to(m.user).filter(mission_locale=mission).exists()
    }
    assert readers and readers <= set(policy.partners_reading_files_of(mission))
    assert set(policy.partners_reading_files_of(mission)) == {local_partner, named}
    deactivate_member(counsellor, acting_user=coordinator_a)
    # Something done in the Django admin shows here too.
    client.force_login(staff)
    row = {"id": counsellor.pk, "organisation": mission, "role": Role.COUNSELLOR, "is_active": False}
    client.post(change_url(counsellor.user), admin_post(counsellor.user, [row], is_active=""))
    elsewhere = MembershipFactory(role=Role.COUNSELLOR)
    add_member(
        elsewhere.organisation,
        acting_user=None,
        email="b@ml-b.example",
        first_name="Paul",
        last_name="Autre",
        role=Role.COUNSELLOR,
    )

    client.force_login(coordinator_a)
    response = client.get(reverse("network:access_overview"))
    assertContains(response, str(coordinator_a))
    assertContains(response, local_partner.name)
    assertContains(response, str(worker))
    assertNotContains(response, silent.name)
    assertContains(response, f"{mission.name} : Léa Muller reçoit le rôle conseiller·ère")
    assertContains(response, f"{mission.name} : Léa Muller n&#x27;a plus le rôle conseiller·ère")
    assertContains(response, "compte de Léa Muller : compte désactivé")
    assertContains(response, str(staff))
    assertNotContains(response, "Paul Autre")


def test_the_access_history_is_paginated(client, coordinator_a, mission):
    for n in range(25):
        membership = add_member(
            mission,
            acting_user=coordinator_a,
            email=f"c{n}@ml.example",
            first_name="C",
            last_name=f"N{n}",
            role=Role.COUNSELLOR,
        )
    client.force_login(coordinator_a)
    first = client.get(reverse("network:access_overview"))
    assertContains(first, "Page 1 sur")
    assertContains(client.get(reverse("network:access_overview"), {"page": 2}), "Page 2 sur")
    assert membership.pk


def test_the_first_coordinator_is_granted_on_the_server_and_shows_in_the_history(
    client, mission, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "add_coordinator",
            str(mission.pk),
            "premiere@ml.example",
            "--first-name=Anne",
            "--last-name=Kern",
            "--domain=reperes.example.org",
            stdout=io.StringIO(),
        )
    wait_for_mail()
    coordinator = User.objects.get(email="premiere@ml.example")
    assert coordinator.role == Role.COORDINATOR
    assert mail.outbox[0].to == [coordinator.email] and "https://reperes.example.org/" in mail.outbox[0].body
    client.force_login(coordinator)
    response = client.get(reverse("network:access_overview"))
    assertContains(response, "l&#x27;exploitant de la plateforme (commande sur le serveur)")
    assertContains(response, f"{mission.name} : Anne Kern reçoit le rôle coordinateur·rice de projet")
