from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from reperes.network.enums import OrganisationKind, Vocabulary
from reperes.network.models import Term
from reperes.network.selectors import search_services
from reperes.network.services import create_service
from reperes.territory.models import Commune
from tests.network.factories import OrganisationFactory, area

pytestmark = pytest.mark.django_db

HOUSING = "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"


def term(code, vocabulary=Vocabulary.THEME):
    return Term.objects.get(vocabulary=vocabulary, code=code)


def partner_serving(communes, *, name, kind=OrganisationKind.HOUSING, can_identify=False):
    territory = area(f"zone {name}", *communes)
    return OrganisationFactory(name=name, kind=kind, territory=territory, can_identify=can_identify)


@pytest.fixture
def housing_in_saverne():
    organisation = partner_serving(["67437", "67300"], name="Foyer des Vosges du Nord")
    return create_service(organisation, name="Hébergement temporaire jeunes", themes=[term(HOUSING)], acting_user=None)


def test_find_who_helps_with_housing_in_a_commune(housing_in_saverne):
    saverne = Commune.objects.get(code="67437")
    strasbourg = Commune.objects.get(code="67482")
    assert list(search_services(theme="logement-hebergement", commune=saverne)) == [housing_in_saverne]
    assert list(search_services(theme=HOUSING, commune=saverne)) == [housing_in_saverne]
    assert not search_services(theme="logement-hebergement", commune=strasbourg).exists()
    assert not search_services(theme="sante", commune=saverne).exists()


def test_a_service_listing_its_own_communes_serves_only_those(housing_in_saverne):
    housing_in_saverne.communes.set([Commune.objects.get(code="67482")])
    assert not search_services(commune=Commune.objects.get(code="67437")).exists()
    assert search_services(commune=Commune.objects.get(code="67482")).exists()


def test_full_text_ignores_accents_and_case(housing_in_saverne):
    assert list(search_services(text="HEBERGEMENT vosges")) == [housing_in_saverne]
    assert not search_services(text="hébergement marseille").exists()


def test_a_service_without_theme_is_refused():
    with pytest.raises(ValidationError) as error:
        create_service(OrganisationFactory(), name="Sans thème", themes=[], acting_user=None)
    assert "au moins une thématique" in str(error.value)


def test_directory_page_finds_housing_in_saverne(client, coordinator, housing_in_saverne):
    client.force_login(coordinator)
    response = client.get(
        reverse("network:directory"), {"theme": "logement-hebergement", "commune": "Saverne (67700) — 67437"}
    )
    assertContains(response, "1 service trouvé")
    assertContains(response, "Foyer des Vosges du Nord")
    assertContains(response, reverse("network:service_detail", args=[housing_in_saverne.pk]))


def test_directory_explains_an_unknown_commune(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("network:directory"), {"commune": "Atlantide"})
    assertContains(response, "Commune inconnue")


def test_directory_paginates(client, coordinator):
    organisation = partner_serving(["67437"], name="Grand réseau")
    for n in range(25):
        create_service(organisation, name=f"Service {n:02d}", themes=[term(HOUSING)], acting_user=None)
    client.force_login(coordinator)
    response = client.get(reverse("network:directory"), {"theme": "logement-hebergement", "page": 2})
    assertContains(response, "25 services trouvés")
    assertContains(response, "Page 2 sur 2")


def test_a_service_not_updated_for_a_year_is_flagged(client, coordinator):
    organisation = partner_serving(["67437"], name="Vieux service")
    old = create_service(
        organisation,
        name="Ancienne permanence",
        themes=[term(HOUSING)],
        updated_on=timezone.localdate() - timedelta(days=366),
        acting_user=None,
    )
    client.force_login(coordinator)
    assertContains(client.get(reverse("network:service_detail", args=[old.pk])), "plus d'un an")
    assert old.is_stale


def test_partner_and_service_pages(client, partner_worker, housing_in_saverne):
    client.force_login(partner_worker)
    page = client.get(reverse("network:organisation_detail", args=[housing_in_saverne.organisation_id]))
    assertContains(page, "Hébergement temporaire jeunes")
    service = client.get(reverse("network:service_detail", args=[housing_in_saverne.pk]))
    assertContains(service, "Rechercher une solution d’hébergement temporaire")


def test_inactive_organisations_answer_404(client, coordinator, housing_in_saverne):
    organisation = housing_in_saverne.organisation
    organisation.is_active = False
    organisation.save(update_fields=["is_active"])
    client.force_login(coordinator)
    assert client.get(reverse("network:organisation_detail", args=[organisation.pk])).status_code == 404
    assert client.get(reverse("network:service_detail", args=[housing_in_saverne.pk])).status_code == 404


def test_a_user_without_membership_cannot_read_the_directory(client):
    from tests.network.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("network:directory")).status_code == 404
