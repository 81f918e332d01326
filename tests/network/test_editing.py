import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from reperes.network.enums import Role, Vocabulary
from reperes.network.models import ChangeRecord, Organisation, Service, Term
from reperes.network.services import create_service
from reperes.privacy import policy
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db

LIEN_SOCIAL = "remobilisation--lien-social"


@pytest.fixture
def mission():
    return OrganisationFactory(mission_locale=True, territory=area("zone", "67437", "67300"))


@pytest.fixture
def local_partner():
    return OrganisationFactory(name="Équipe locale", territory=area("zone", "67437"))


@pytest.fixture
def far_partner():
    return OrganisationFactory(name="Équipe lointaine", territory=area("zone", "68224"), commune_id="68224")


def profile_post(organisation, **changes):
    data = {
        "name": organisation.name,
        "commune": organisation.commune.code,
        "themes": [LIEN_SOCIAL],
        "served": "Saverne\n67300",
        "version": organisation.updated_at.isoformat(),
        "can_identify": "on",
    }
    data.update(changes)
    return data


def test_who_may_edit_which_organisation(mission, local_partner, far_partner):
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=mission).user
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user
    funder = MembershipFactory(role=Role.FUNDER_OFFICER).user
    admin = MembershipFactory(role=Role.ADMIN).user
    expected = {
        coordinator: {mission, local_partner},
        counsellor: set(),
        worker: {local_partner},
        funder: set(),
        admin: {mission, local_partner, far_partner},
    }
    for user, allowed in expected.items():
        for organisation in (mission, local_partner, far_partner):
            assert policy.can_edit_organisation(user, organisation) is (organisation in allowed), (
                user.role,
                organisation,
            )


def test_partner_edits_its_profile_and_the_change_is_recorded(client, local_partner):
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user
    client.force_login(worker)
    url = reverse("network:organisation_edit", args=[local_partner.pk])
    response = client.post(url, profile_post(local_partner, description="Travail de rue le soir"))
    assertRedirects(response, reverse("network:organisation_detail", args=[local_partner.pk]))
    local_partner.refresh_from_db()
    assert local_partner.description == "Travail de rue le soir"
    assert local_partner.can_identify
    assert set(local_partner.territory.communes.values_list("code", flat=True)) == {"67437", "67300"}
    assert local_partner.updated_by == worker
    record = ChangeRecord.objects.get(organisation=local_partner)
    assert record.user == worker
    assert record.changes["présentation"] == ["", "Travail de rue le soir"]
    page = client.get(reverse("network:organisation_detail", args=[local_partner.pk]))
    assertContains(page, "Dernières modifications")


def test_a_whole_epci_can_be_typed_as_served_area(client, local_partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    url = reverse("network:organisation_edit", args=[local_partner.pk])
    client.post(url, profile_post(local_partner, served="CC de l'Alsace Bossue"))
    local_partner.refresh_from_db()
    assert local_partner.territory.communes.count() == Commune.objects.filter(epci_id="200067841").count() > 40


def test_bad_lines_of_the_served_area_are_reported_and_nothing_is_saved(client, local_partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    url = reverse("network:organisation_edit", args=[local_partner.pk])
    response = client.post(
        url, profile_post(local_partner, served="Saverne\nAtlantide\nSaint-Louis", name="Nouveau nom")
    )
    assertContains(response, "Ligne 2 : commune inconnue « Atlantide ».")
    assertContains(response, "Ligne 3 : plusieurs communes correspondent à « Saint-Louis »")
    local_partner.refresh_from_db()
    assert local_partner.name == "Équipe locale"


def test_a_partner_without_commune_is_refused(client, local_partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    response = client.post(
        reverse("network:organisation_edit", args=[local_partner.pk]), profile_post(local_partner, commune="")
    )
    assertContains(response, "Indiquez la commune de la structure.")


def test_a_concurrent_edit_is_detected_not_overwritten(client, local_partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    url = reverse("network:organisation_edit", args=[local_partner.pk])
    stale = profile_post(local_partner, description="ma version")
    first = profile_post(local_partner, description="version de ma collègue")
    client.post(url, first)
    response = client.post(url, stale)
    assertContains(response, "modifiée par quelqu&#x27;un d&#x27;autre")
    local_partner.refresh_from_db()
    assert local_partner.description == "version de ma collègue"


def test_a_foreign_organisation_answers_404(client, mission, far_partner):
    client.force_login(MembershipFactory(role=Role.COORDINATOR, organisation=mission).user)
    assert client.get(reverse("network:organisation_edit", args=[far_partner.pk])).status_code == 404
    assert client.get(reverse("network:service_create", args=[far_partner.pk])).status_code == 404


def test_partner_adds_then_edits_a_service(client, local_partner):
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user
    client.force_login(worker)
    response = client.post(
        reverse("network:service_create", args=[local_partner.pk]),
        {"name": "Accueil de jour", "themes": [LIEN_SOCIAL], "publics": ["jeunes"], "is_active": "on"},
    )
    service = Service.objects.get(organisation=local_partner)
    assertRedirects(response, reverse("network:service_detail", args=[service.pk]))
    assert list(service.publics.values_list("code", flat=True)) == ["jeunes"]
    edit = reverse("network:service_edit", args=[local_partner.pk, service.pk])
    client.post(
        edit,
        {
            "name": "Accueil de jour et soirée",
            "themes": [LIEN_SOCIAL],
            "version": service.updated_at.isoformat(),
            "is_active": "on",
        },
    )
    service.refresh_from_db()
    assert service.name == "Accueil de jour et soirée"
    assert "soiree" in service.search_text  # the directory finds it by its new name
    assert ChangeRecord.objects.filter(service=service).count() == 2


def test_a_service_without_theme_is_refused_with_a_clear_message(client, local_partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    response = client.post(reverse("network:service_create", args=[local_partner.pk]), {"name": "Sans thème"})
    assertContains(response, "Choisissez au moins une thématique")
    assert not Service.objects.exists()


def test_edit_buttons_show_only_to_editors(client, local_partner, far_partner):
    service = create_service(
        far_partner,
        name="Loin",
        themes=[Term.objects.get(vocabulary=Vocabulary.THEME, code=LIEN_SOCIAL)],
        acting_user=None,
    )
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    assert (
        "Modifier la fiche"
        not in client.get(reverse("network:organisation_detail", args=[far_partner.pk])).content.decode()
    )
    assert (
        "Modifier le service" not in client.get(reverse("network:service_detail", args=[service.pk])).content.decode()
    )
    assertContains(client.get(reverse("network:organisation_detail", args=[local_partner.pk])), "Modifier la fiche")
    assert Organisation.objects.count() >= 2


def test_all_publics_cannot_be_combined_with_another_public(client, local_partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    response = client.post(
        reverse("network:service_create", args=[local_partner.pk]),
        {"name": "Accueil", "themes": [LIEN_SOCIAL], "publics": ["jeunes", "tous-publics"]},
    )
    assertContains(response, "« Tous publics » ne se combine pas avec un autre public.")
    assert not Service.objects.exists()


STALE = "modifiée par quelqu&#x27;un d&#x27;autre"


@pytest.mark.parametrize("version", [None, ""])
def test_an_organisation_save_without_its_version_is_refused_like_a_stale_one(client, local_partner, version):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    url = reverse("network:organisation_edit", args=[local_partner.pk])
    client.post(url, profile_post(local_partner, description="version de ma collègue"))
    blind = profile_post(local_partner, description="ma version")
    if version is None:
        del blind["version"]
    else:
        blind["version"] = version
    assertContains(client.post(url, blind), STALE)
    local_partner.refresh_from_db()
    assert local_partner.description == "version de ma collègue"


@pytest.mark.parametrize("version", [None, ""])
def test_a_service_save_without_its_version_is_refused_like_a_stale_one(client, local_partner, version):
    service = create_service(
        local_partner,
        name="Accueil de jour",
        themes=[Term.objects.get(vocabulary=Vocabulary.THEME, code=LIEN_SOCIAL)],
        acting_user=None,
    )
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=local_partner).user)
    data = {"name": "Accueil de nuit", "themes": [LIEN_SOCIAL], "is_active": "on"}
    if version is not None:
        data["version"] = version
    response = client.post(reverse("network:service_edit", args=[local_partner.pk, service.pk]), data)
    assertContains(response, STALE)
    service.refresh_from_db()
    assert service.name == "Accueil de jour"


def test_check_version_refuses_a_missing_version():
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from reperes.network.services import check_version

    now = timezone.now()
    check_version(now, now.isoformat())
    for missing in (None, ""):
        with pytest.raises(ValidationError):
            check_version(now, missing)


def test_the_coordinator_sets_the_quiet_days_alert_of_its_mission_locale_and_a_partner_never_sees_it(
    client, mission, local_partner
):
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=mission).user
    client.force_login(coordinator)
    url = reverse("network:organisation_edit", args=[mission.pk])
    assertContains(client.get(url), "Alerte « sans contact » après (jours)")
    refused = client.post(url, profile_post(mission, served="67437", quiet_days_alert="3"))
    assertContains(refused, "Au moins 7 jours.")
    mission.refresh_from_db()
    assert mission.quiet_days_alert == 30  # nothing saved
    response = client.post(url, profile_post(mission, served="67437", quiet_days_alert="45"))
    assertRedirects(response, reverse("network:organisation_detail", args=[mission.pk]))
    mission.refresh_from_db()
    assert mission.quiet_days_alert == 45
    assert ChangeRecord.objects.get(organisation=mission).changes["alerte après … jours sans contact"] == ["30", "45"]

    partner_form = client.get(reverse("network:organisation_edit", args=[local_partner.pk]))
    assert "quiet_days_alert" not in partner_form.content.decode()
