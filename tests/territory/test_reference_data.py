import pytest

from reperes.territory.enums import AreaClass
from reperes.territory.models import Commune, Epci
from reperes.territory.services import load_reference_data

pytestmark = pytest.mark.django_db


def test_every_current_commune_is_loaded_with_its_attributes():
    assert Commune.objects.current().count() == 34969
    strasbourg = Commune.objects.select_related("departement__region", "epci").get(code="67482")
    assert strasbourg.name == "Strasbourg"
    assert strasbourg.departement.code == "67"
    assert strasbourg.epci.name == "Eurométropole de Strasbourg"
    assert "67000" in strasbourg.postcode_list
    assert strasbourg.population > 250_000
    assert strasbourg.area_class == AreaClass.URBAN


def test_small_communes_are_classed_rural_under_2000_inhabitants():
    small = Commune.objects.filter(departement_id="67", population__lt=2000, population__gt=0)
    assert small.exists()
    assert set(small.values_list("area_class", flat=True)) == {AreaClass.RURAL}
    assert not Commune.objects.filter(population__gte=2000, area_class=AreaClass.RURAL).exists()


def test_loading_twice_changes_nothing():
    before = (Commune.objects.count(), Epci.objects.count())
    result = load_reference_data()
    assert (Commune.objects.count(), Epci.objects.count()) == before
    assert result.communes == 34969
    assert result.retired == 0


def test_a_commune_missing_from_a_new_list_is_kept_but_no_longer_current():
    Commune.objects.create(
        code="67999",
        name="Commune fusionnée",
        departement_id="67",
        area_class=AreaClass.RURAL,
        search_name=Commune.search_key("Commune fusionnée"),
    )
    result = load_reference_data()
    assert result.retired == 1
    assert not Commune.objects.get(code="67999").is_current
    assert not Commune.objects.current().filter(code="67999").exists()
