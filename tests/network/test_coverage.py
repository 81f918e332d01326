import csv
import io

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from reperes.network.enums import Vocabulary
from reperes.network.models import Organisation, Term
from reperes.network.selectors import coverage_of
from reperes.network.services import create_service
from reperes.territory.models import Commune, Territory
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission():
    """A Mission locale of three communes; a street team covers two of them."""
    territory = area("ML test", "67437", "67300", "67001")
    mission = OrganisationFactory(mission_locale=True, territory=territory)
    street = area("rue", "67437", "67300")
    team = OrganisationFactory(
        name="Équipe de rue", kind="prevention_specialisee", territory=street, can_identify=True
    )
    create_service(
        team,
        name="Travail de rue",
        themes=[Term.objects.get(vocabulary=Vocabulary.THEME, code="remobilisation--lien-social")],
        acting_user=None,
    )
    return mission


def test_communes_without_identifying_partner_are_listed_by_population(mission):
    coverage = coverage_of(mission.territory)
    assert [row.commune.code for row in coverage.gaps] == ["67001"]
    saverne = next(row for row in coverage.rows if row.commune.code == "67437")
    assert [o.name for o in saverne.identifiers] == ["Équipe de rue"]
    remobilisation = [t.code for t in coverage.themes].index("remobilisation")
    assert saverne.counts[remobilisation] == 1


def test_summary_per_epci_counts_uncovered_population(mission):
    summaries = coverage_of(mission.territory).by_epci()
    gap_population = Commune.objects.get(code="67001").population
    assert sum(s.gap_population for s in summaries) == gap_population
    assert sum(s.communes for s in summaries) == 3


def test_coordinator_sees_the_coverage_page_and_exports_csv(client, mission):
    coordinator = MembershipFactory(role="coordinator", organisation=mission).user
    client.force_login(coordinator)
    response = client.get(reverse("network:coverage"))
    assertContains(response, "Communes sans partenaire de repérage")
    assertContains(response, "Achenheim")  # 67001, the gap
    export = client.get(reverse("network:coverage"), {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["code INSEE", "commune"]
    assert {r[0]: r[5] for r in rows[1:]} == {"67001": "0", "67300": "1", "67437": "1"}


def test_coverage_is_not_for_partners(client, partner_worker):
    client.force_login(partner_worker)
    assert client.get(reverse("network:coverage")).status_code == 404


def test_a_coordinator_cannot_open_another_mission_locale(client, mission):
    other = OrganisationFactory(mission_locale=True, territory=Territory.objects.create(name="autre"))
    coordinator = MembershipFactory(role="coordinator", organisation=mission).user
    client.force_login(coordinator)
    response = client.get(reverse("network:coverage"), {"mission_locale": other.pk})
    assert response.context["mission"] == mission


def test_the_funders_selector_names_the_territory_shown_and_sorts_whatever_the_case(client, funder_officer):
    OrganisationFactory(mission_locale=True, name="Mission locale Thur-Doller", territory=area("TD", "68334"))
    OrganisationFactory(mission_locale=True, name="Mission locale d'Alsace du Nord", territory=area("AN", "67180"))
    client.force_login(funder_officer)
    response = client.get(reverse("network:coverage"))
    assert response.context["mission"].name == "Mission locale d'Alsace du Nord"
    page = response.content.decode()
    assert page.index("d&#x27;Alsace du Nord</option>") < page.index("Thur-Doller</option>")
    assert f'<option value="{response.context["mission"].pk}" selected>' in page


def test_demo_has_about_forty_partners_and_a_rural_gap(demo):
    assert Organisation.objects.partners().count() >= 40
    saverne = Organisation.objects.get(name="Mission locale du Pays de Saverne")
    gaps = coverage_of(saverne.territory).gaps
    assert gaps
    assert all(row.commune.epci_id in {"200067841", "200067783"} for row in gaps)
    assert any(row.commune.area_class == "rural" for row in gaps)


def coverage_page(client, mission, **params):
    client.force_login(MembershipFactory(role="coordinator", organisation=mission).user)
    return client.get(reverse("network:coverage"), params)


def test_the_page_sums_up_covered_and_uncovered_communes_and_population(client, mission):
    response = coverage_page(client, mission)
    summary = response.context["summary"]
    gap = Commune.objects.get(code="67001").population
    total = sum(Commune.objects.filter(code__in=["67437", "67300", "67001"]).values_list("population", flat=True))
    assert (summary.communes, summary.covered_communes, summary.gap_communes) == (3, 2, 1)
    assert (summary.population, summary.gap_population) == (total, gap)
    assertContains(response, "Communes couvertes par un partenaire de repérage")
    assertContains(response, f"{summary.gap_share} % du territoire")


def test_the_gaps_filter_keeps_only_communes_without_an_identifying_partner(client, mission):
    response = coverage_page(client, mission, gaps_only="on")
    shown = [row.commune.code for group in response.context["groups"] for row in group.rows]
    assert shown == ["67001"]
    assertContains(response, "Communes sans partenaire de repérage, par EPCI")
    assertContains(response, "<details", count=1)
    assert "open>" in response.content.decode()
    assert response.context["summary"].communes == 3  # the summary stays the territory's


def test_the_epci_filter_offers_the_territorys_epci_and_keeps_one(client, mission):
    response = coverage_page(client, mission)
    epcis = list(response.context["form"].fields["epci"].queryset)
    assert {e.code for e in epcis} == set(
        Commune.objects.filter(code__in=["67437", "67300", "67001"]).values_list("epci_id", flat=True)
    )
    saverne_epci = Commune.objects.get(code="67437").epci_id
    response = coverage_page(client, mission, epci=saverne_epci)
    (group,) = response.context["groups"]
    assert group.code == saverne_epci and {r.commune.code for r in group.rows} <= {"67437", "67300"}
    # An EPCI of another territory is not offered: the page shows every commune.
    response = coverage_page(client, mission, epci="200054781", gaps_only="on")
    assert [row.commune.code for group in response.context["groups"] for row in group.rows] == ["67001"]


def test_the_communes_are_grouped_by_epci_collapsed_when_unfiltered(client, mission):
    response = coverage_page(client, mission)
    groups = response.context["groups"]
    assert sum(len(g.rows) for g in groups) == 3
    if len(groups) > 1:
        assert " open>" not in response.content.decode()


def test_the_csv_keeps_every_commune_whatever_the_filter(client, mission):
    coverage_page(client, mission)
    export = client.get(reverse("network:coverage"), {"format": "csv", "gaps_only": "on"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 3
