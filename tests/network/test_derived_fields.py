"""Service.search_text is derived from the service's name and description and its organisation's
name: every path that writes one of them refreshes it (network.services.refresh_search_text), so
that the directory's word search finds what the pages show."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from reperes.network.enums import Role, Vocabulary
from reperes.network.interop import import_directory
from reperes.network.models import Organisation, Service, Term
from reperes.network.selectors import search_services
from reperes.network.services import create_service, refresh_search_text, search_text_of
from tests.network.factories import MembershipFactory, OrganisationFactory, UserFactory, area

pytestmark = pytest.mark.django_db

LIEN_SOCIAL = "remobilisation--lien-social"
HOUSING = "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"


def term(code, vocabulary=Vocabulary.THEME):
    return Term.objects.get(vocabulary=vocabulary, code=code)


@pytest.fixture
def partner():
    return OrganisationFactory(name="Équipe de rue de Saverne", territory=area("zone", "67437"))


@pytest.fixture
def service(partner):
    return create_service(partner, name="Travail de rue", themes=[term(LIEN_SOCIAL)], acting_user=None)


def found(client, words):
    """The services the directory page lists for these words."""
    response = client.get(reverse("network:directory"), {"q": words})
    assert response.status_code == 200
    page = response.context["page"]
    return [s.pk for s in page.object_list] if page else []


def admin_data(response):
    """The POST body of a Django admin change form, as the page shows it."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    return data


def test_renaming_an_organisation_on_its_edit_page_makes_the_directory_find_it_by_its_new_name(
    client, partner, service
):
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user
    client.force_login(worker)
    post = {
        "name": "Passerelle jeunes",
        "commune": partner.commune.code,
        "themes": [LIEN_SOCIAL],
        "served": "Saverne",
        "version": partner.updated_at.isoformat(),
    }
    response = client.post(reverse("network:organisation_edit", args=[partner.pk]), post)
    assertRedirects(response, reverse("network:organisation_detail", args=[partner.pk]))
    assert found(client, "passerelle") == [service.pk]
    assert found(client, "saverne") == []


def test_a_service_created_then_renamed_on_its_pages_is_found_by_its_current_words(client, partner):
    worker = MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user
    client.force_login(worker)
    post = {"name": "Permanence écoute", "description": "Sans rendez-vous", "themes": [LIEN_SOCIAL], "is_active": "on"}
    client.post(reverse("network:service_create", args=[partner.pk]), post)
    service = Service.objects.get(name="Permanence écoute")
    assert found(client, "ecoute rendez-vous") == [service.pk]
    post.update(name="Point accueil", description="Le mardi", version=service.updated_at.isoformat())
    response = client.post(reverse("network:service_edit", args=[partner.pk, service.pk]), post)
    assertRedirects(response, reverse("network:service_detail", args=[service.pk]))
    assert found(client, "accueil mardi saverne") == [service.pk]
    assert found(client, "ecoute") == []


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_renaming_an_organisation_in_the_django_admin_refreshes_its_services(client, staff, partner, service):
    client.force_login(staff)
    url = reverse("admin:network_organisation_change", args=[partner.pk])
    data = admin_data(client.get(url))
    data["name"] = "Passerelle jeunes"
    assertRedirects(client.post(url, data), reverse("admin:network_organisation_changelist"))
    service.refresh_from_db()
    assert "passerelle jeunes" in service.search_text
    assert list(search_services(text="passerelle")) == [service]


def test_a_service_saved_in_the_django_admin_with_new_terms_and_organisation_is_searchable(
    client, staff, partner, service
):
    other = OrganisationFactory(name="Foyer Bellevue")
    client.force_login(staff)
    url = reverse("admin:network_service_change", args=[service.pk])
    data = admin_data(client.get(url))
    data.update(name="Nuitées d'urgence", organisation=str(other.pk), themes=[str(term(HOUSING).pk)])
    assertRedirects(client.post(url, data), reverse("admin:network_service_changelist"))
    assert list(search_services(text="nuitees bellevue", theme="logement-hebergement")) == [service]
    assert not search_services(text="saverne").exists()


def test_an_import_renaming_an_organisation_refreshes_the_services_it_did_not_bring(db):
    document = {
        "structures": [
            {"source": "dora", "id": "dora--mjc", "nom": "MJC de Haguenau", "date_maj": "2025-01-15"},
        ],
        "services": [],
    }
    import_directory(document)
    mjc = Organisation.objects.get(external_id="dora--mjc")
    ours = create_service(mjc, name="Atelier CV", themes=[term(LIEN_SOCIAL)], acting_user=None)
    document["structures"][0].update(nom="MJC Robert Schuman", date_maj="2025-03-01")
    import_directory(document)
    assert list(search_services(text="schuman atelier")) == [ours]


def test_refresh_writes_only_the_rows_whose_text_changed(partner, service):
    assert refresh_search_text(Service.objects.all()) == 0
    Service.objects.filter(pk=service.pk).update(search_text="")
    assert refresh_search_text(Service.objects.all()) == 1
    service.refresh_from_db()
    assert service.search_text == search_text_of(service)


def test_the_demo_data_is_searchable_by_its_words(db):
    call_command("load_demo", force=True, verbosity=0)
    services = list(Service.objects.select_related("organisation"))
    assert services
    assert all(s.search_text == search_text_of(s) for s in services)
    call_command("load_demo", force=True, verbosity=0)  # loading again keeps them right
    assert refresh_search_text(Service.objects.all()) == 0
