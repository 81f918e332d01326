import pytest
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertContains

from reperes.network.enums import Role, Vocabulary
from reperes.network.models import Contact, Term
from reperes.network.services import create_service
from reperes.network.templatetags.phones import phone, phone_link, tel_uri
from tests.network.factories import MembershipFactory, OrganisationFactory, area


@pytest.mark.parametrize(
    "typed",
    [
        "0329194931",
        "03 29 19 49 31",
        "03.29.19.49.31",
        "03-29-19-49-31",
        "+33 3 29 19 49 31",
        "+33 (0)3 29 19 49 31",
        "0033329194931",
    ],
)
def test_a_french_number_shows_in_pairs_and_dials_in_international_form(typed):
    assert phone(typed) == "03 29 19 49 31"
    assert tel_uri(typed) == "tel:+33329194931"
    assert phone_link(typed) == '<a href="tel:+33329194931">03 29 19 49 31</a>'


@pytest.mark.parametrize(
    ("typed", "shown", "uri"),
    [
        ("+49 761 123456", "+49 761 123456", "tel:+49761123456"),
        ("3919", "3919", "tel:3919"),
        ("", "", ""),
        ("voir le site", "voir le site", ""),
    ],
)
def test_another_number_shows_as_typed(typed, shown, uri):
    assert phone(typed) == shown
    assert tel_uri(typed) == uri


def test_a_number_is_escaped_in_the_link():
    rendered = Template("{% load phones %}{{ n|phone_link }}").render(Context({"n": '<b>"0329194931'}))
    assert rendered == '<a href="tel:0329194931">&lt;b&gt;&quot;0329194931</a>'


@pytest.fixture
def partner(db):
    organisation = OrganisationFactory(
        name="Épicerie solidaire",
        territory=area("zone", "67437"),
        phone="0388123456",
        email="accueil@epicerie.example",
        address="2 rue du Marché",
        commune_id="67437",
    )
    Contact.objects.create(organisation=organisation, name="Lou Martin", phone="0612345678")
    return organisation


@pytest.fixture
def service(partner):
    theme = Term.objects.get(vocabulary=Vocabulary.THEME, code="remobilisation--lien-social")
    return create_service(
        partner, name="Paniers", themes=[theme], opening_hours="le mardi de 14 h à 17 h", acting_user=None
    )


@pytest.mark.django_db
def test_organisation_and_contact_phones_are_links_on_the_organisation_page(client, partner):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user)
    response = client.get(reverse("network:organisation_detail", args=[partner.pk]))
    assertContains(response, '<a href="tel:+33388123456">03 88 12 34 56</a>', html=True)
    assertContains(response, '<a href="tel:+33612345678">06 12 34 56 78</a>', html=True)
    assertContains(response, 'href="mailto:accueil@epicerie.example"')


@pytest.mark.django_db
def test_the_service_page_gives_the_organisations_phone_and_email(client, service):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=service.organisation).user)
    response = client.get(reverse("network:service_detail", args=[service.pk]))
    assertContains(response, '<a href="tel:+33388123456">03 88 12 34 56</a>', html=True)
    assertContains(response, 'href="mailto:accueil@epicerie.example"')


@pytest.mark.django_db
def test_a_directory_card_shows_address_hours_phone_and_email(client, service):
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=service.organisation).user)
    response = client.get(reverse("network:directory"), {"q": "paniers"})
    assertContains(response, "2 rue du Marché, 67700 Saverne")
    assertContains(response, "le mardi de 14 h à 17 h")
    assertContains(response, '<a href="tel:+33388123456">03 88 12 34 56</a>', html=True)
    assertContains(response, 'href="mailto:accueil@epicerie.example"')


@pytest.mark.django_db
def test_a_directory_card_prefers_the_services_own_address(client, service):
    service.address, service.commune_id = "Salle des fêtes", "67300"
    service.save()
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER, organisation=service.organisation).user)
    response = client.get(reverse("network:directory"), {"q": "paniers"})
    assertContains(response, "Salle des fêtes, 67")
    assert "2 rue du Marché" not in response.content.decode()
