"""Commune suggestions for the fiche de repérage (`CommuneField(covered=True)`, `covered=1`): only
communes a Mission locale of the instance covers; and a postcode typed alone lists its communes."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reperes.territory.forms import CommuneField, CommuneListField
from reperes.territory.models import Commune
from reperes.territory.selectors import search_communes
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db

SAVERDUN = "09282"


@pytest.fixture(autouse=True)
def covering(settings):
    settings.REPERES_COVERED_COMMUNES = "reperes.network.selectors.covered_communes"


@pytest.fixture
def mission():
    """A Mission locale of Saint-Louis (68) and Saverne (67700); nobody covers Saverdun (09)."""
    return OrganisationFactory(mission_locale=True, territory=area("ML", "68297", "67437"))


def options(client, typed, **extra):
    response = client.get(reverse("territory:commune_search"), {"commune": typed, "format": "options", **extra})
    assert response.status_code == 200
    return re.findall(r"— (\w+)\"", response.content.decode())


def test_covered_suggestions_leave_out_communes_no_mission_locale_covers(client, mission):
    client.force_login(MembershipFactory(organisation=mission).user)
    assert SAVERDUN in options(client, "saverd")  # today's behaviour, by default
    assert options(client, "saverd", covered="1") == []
    assert options(client, "saint louis", covered="1") == ["68297"]
    assert "67437" in options(client, "saver", covered="1")


def test_an_inactive_mission_locale_covers_nothing(client, mission):
    mission.is_active = False
    mission.save()
    assert not search_communes("saint louis", covered=True).exists()


def test_the_covered_field_asks_for_covered_suggestions_and_settles_homonyms(mission):
    field = CommuneField(covered=True)
    assert "&quot;covered&quot;: &quot;1&quot;" in field.widget.render("commune", "")
    assert "covered" not in CommuneField().widget.render("commune", "")
    assert field.clean("Saint-Louis").code == "68297"
    with pytest.raises(ValidationError):
        CommuneField().clean("Saint-Louis")  # four of them, as before


def test_the_covered_field_still_names_a_commune_nobody_covers(mission):
    # The signal form then says that no Mission locale covers it, instead of « commune inconnue ».
    assert CommuneField(covered=True).clean("Saverdun").code == SAVERDUN
    assert CommuneField(covered=True).clean(f"Saverdun (09700) — {SAVERDUN}").code == SAVERDUN


def test_covered_suggestions_need_the_setting(settings, mission):
    del settings.REPERES_COVERED_COMMUNES
    with pytest.raises(ImproperlyConfigured):
        list(search_communes("saverne", covered=True))


def saverne_postcode():
    return list(Commune.objects.current().filter(postcodes__contains=" 67700").order_by("name"))


def test_a_postcode_alone_lists_every_commune_that_has_it(client, counsellor):
    communes = saverne_postcode()
    assert len(communes) > 12  # more than the suggestions of a name
    client.force_login(counsellor)
    assert sorted(options(client, "67700")) == sorted(c.code for c in communes)
    with pytest.raises(ValidationError) as error:
        CommuneField().clean("67700")
    message = " ".join(error.value.messages)
    assert f"Le code postal 67700 est celui de {len(communes)} communes" in message
    assert all(c.name in message for c in communes)
    assert "précisez le code postal" not in message


def test_a_postcode_with_one_covered_commune_is_that_commune_for_the_covered_field(mission):
    assert CommuneField(covered=True).clean("67700").code == "67437"


def test_a_postcode_line_in_a_list_names_its_communes():
    with pytest.raises(ValidationError) as error:
        CommuneListField().clean("Saverne\n67700")
    (message,) = error.value.messages
    assert message.startswith("Ligne 2 : le code postal 67700 est celui de")
    assert "Monswiller" in message


def test_the_search_page_lists_a_postcodes_communes(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("territory:commune_search"), {"q": "67700"})
    assertContains(response, f"{len(saverne_postcode())} communes trouvées")
    assertNotContains(response, "précisez")
