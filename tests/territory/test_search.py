import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.selectors import departements_of
from reperes.territory.forms import CommuneField
from reperes.territory.selectors import search_communes
from reperes.territory.text import fold
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Saint-Louis", "st louis"),
        ("st louis", "st louis"),
        ("SAINTE-CROIX-AUX-MINES", "ste croix aux mines"),
        ("L'Abergement-Clémenciat", "l abergement clemenciat"),
        ("Œuilly", "oeuilly"),
    ],
)
def test_fold_ignores_accents_case_hyphens_and_saint(typed, folded):
    assert fold(typed) == folded


@pytest.mark.parametrize("typed", ["st louis", "Saint-Louis", "saint louis", "ST-LOUIS", "st-louis"])
def test_searching_st_louis_finds_saint_louis_68297(typed):
    top = [c.code for c in search_communes(typed, limit=5)]
    assert "68297" in top


def test_search_by_postcode_prefix_and_insee_code():
    assert "67482" in [c.code for c in search_communes("67000")]
    assert [c.code for c in search_communes("68297")] == ["68297"]
    by_prefix = search_communes("6730", limit=50)
    assert by_prefix and all(any(p.startswith("6730") for p in c.postcode_list) for c in by_prefix)


def test_exact_name_ranks_before_longer_names():
    results = list(search_communes("Saverne", limit=5))
    assert results[0].code == "67437"


def test_search_page_lists_communes_with_their_class(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("territory:commune_search"), {"q": "st louis"})
    assertContains(response, "68297")
    assertContains(response, "Saint-Louis")
    assertContains(response, "urbaine")
    assertContains(response, "<html")


def test_search_page_paginates(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("territory:commune_search"), {"q": "saint", "page": 2})
    assertContains(response, "Page 2 sur")


def test_search_page_explains_no_result(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("territory:commune_search"), {"q": "Atlantide-sur-Mer"})
    assertContains(response, "Aucune commune trouvée")


def test_htmx_request_gets_only_the_results_fragment(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("territory:commune_search"), {"q": "saverne"}, headers={"HX-Request": "true"})
    assertContains(response, "67437")
    assertNotContains(response, "<html")


def test_autocomplete_options_follow_the_typed_text(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("territory:commune_search"), {"commune": "st lou", "format": "options"})
    assertContains(response, 'value="Saint-Louis (68300) — 68297"')
    assertNotContains(response, "<html")


@pytest.mark.parametrize(("workplace", "first"), [("68297", "68297"), ("57463", "57618")])
def test_homonyms_of_the_users_own_departement_come_first(client, workplace, first):
    # Four communes are called Saint-Louis; La Réunion's is the most populous, Moselle's the least.
    user = MembershipFactory(organisation__commune_id=workplace).user
    client.force_login(user)
    response = client.get(reverse("territory:commune_search"), {"commune": "saint louis", "format": "options"})
    codes = re.findall(r'value="Saint-Louis \(\d+\) — (\w+)"', response.content.decode())
    assert sorted(codes) == ["57618", "68297", "97126", "97414"]
    assert codes[0] == first
    assert [c.code for c in search_communes("saint louis", limit=1)] == ["97414"]  # nobody's: by population


def test_a_mission_locale_comes_first_in_the_departements_its_territory_covers(client):
    # Its office in Strasbourg (Bas-Rhin), its territory across the Haut-Rhin.
    organisation = OrganisationFactory(mission_locale=True, commune_id="67482", territory=area("Sud", "68297"))
    user = MembershipFactory(organisation=organisation).user
    assert departements_of(user) == {"67", "68"}
    client.force_login(user)
    response = client.get(reverse("territory:commune_search"), {"q": "saint louis"})
    assert re.findall(r"\b(57618|68297|97126|97414)\b", response.content.decode())[0] == "68297"
    organisation.is_active = False
    organisation.save()
    assert departements_of(user) == set()


def test_commune_search_requires_login(client):
    response = client.get(reverse("territory:commune_search"), {"q": "saverne"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_commune_field_accepts_a_suggestion_label_a_code_or_a_unique_name():
    field = CommuneField()
    assert field.clean("Saint-Louis (68300) — 68297").code == "68297"
    assert field.clean("67437").code == "67437"
    assert field.clean("Saverne").code == "67437"


def test_commune_field_rejects_unknown_commune_in_french():
    with pytest.raises(Exception) as error:
        CommuneField().clean("Atlantide")
    assert "Commune inconnue : « Atlantide »" in str(error.value)


def test_commune_field_asks_to_choose_between_homonyms():
    with pytest.raises(Exception) as error:
        CommuneField().clean("Saint-Louis")
    assert "Plusieurs communes correspondent à « Saint-Louis »" in str(error.value)
