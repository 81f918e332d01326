import pytest
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from reperes.territory.enums import AreaClass
from reperes.territory.models import Commune
from reperes.territory.selectors import search_communes
from reperes.territory.services import refresh_area_class, refresh_search_name
from tests.network.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_commune_renamed_in_the_django_admin_is_found_by_its_new_name(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    commune = Commune.objects.get(code="67437")
    url = reverse("admin:territory_commune_change", args=[commune.code])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else "" if v in (None, False) else v) for k, v in data.items()}
    data.update(name="Zabern", population="90")
    assertRedirects(client.post(url, data), reverse("admin:territory_commune_changelist"))
    commune.refresh_from_db()
    assert commune.search_name == " zabern"
    assert commune.area_class == AreaClass.RURAL
    assert [c.code for c in search_communes("zabern")] == ["67437"]


def test_the_refresh_functions_write_only_what_changed():
    communes = list(Commune.objects.filter(code__in=["67437", "67482"]))
    assert refresh_search_name(communes) == 0
    assert refresh_area_class(communes) == 0
    Commune.objects.filter(code="67437").update(search_name=" x", area_class=AreaClass.RURAL)
    communes = list(Commune.objects.filter(code__in=["67437", "67482"]))
    assert (refresh_search_name(communes), refresh_area_class(communes)) == (1, 1)
    assert Commune.objects.get(code="67437").search_name == " saverne"
