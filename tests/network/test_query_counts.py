"""The directory and the coverage page run the same number of queries whatever the number of rows
they show: a query per row (N+1) would show as a higher count with more data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reperes.network.enums import Vocabulary
from reperes.network.models import Contact, Term
from reperes.network.services import create_service
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db

THEMES = ["remobilisation--lien-social", "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"]


def queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def add_partners(count, codes, *, start):
    themes = list(Term.objects.filter(vocabulary=Vocabulary.THEME, code__in=THEMES))
    for n in range(start, start + count):
        organisation = OrganisationFactory(
            name=f"Partenaire {n}",
            territory=area(f"zone {n}", *codes),
            commune_id=codes[n % len(codes)],
            address=f"{n} rue Haute",
            phone="0388000000",
            email=f"p{n}@example.org",
            can_identify=n % 2 == 0,
        )
        organisation.themes.set(themes[:1])
        Contact.objects.create(organisation=organisation, name=f"Contact {n}")
        service = create_service(
            organisation,
            name=f"Accueil jeunes {n}",
            themes=themes,
            commune_id=codes[(n + 1) % len(codes)] if n % 2 else None,  # else the organisation's address
            opening_hours="lundi",
            acting_user=None,
        )
        service.communes.set(Commune.objects.filter(code__in=codes[:2]))


def test_the_directory_runs_as_many_queries_for_two_services_as_for_twenty(client):
    codes = ["67437", "67300", "67001"]
    user = MembershipFactory(role="coordinator", organisation__territory=area("ML", *codes)).user
    client.force_login(user)
    url, params = reverse("network:directory"), {"q": "accueil jeunes"}
    add_partners(2, codes, start=0)
    client.get(url, params)  # warm caches (session, content types)
    small = queries(client, url, params)
    add_partners(18, codes, start=2)
    assert queries(client, url, params) == small
    assert queries(client, url, {"q": "accueil", "commune": "67437", "theme": "remobilisation"}) <= small + 2


def test_the_coverage_page_runs_as_many_queries_for_three_communes_as_for_sixty(client):
    few = ["67437", "67300", "67001"]
    many = list(
        Commune.objects.current().filter(departement_id="67").order_by("code").values_list("code", flat=True)[:60]
    )
    small_ml = OrganisationFactory(mission_locale=True, territory=area("petit", *few))
    big_ml = OrganisationFactory(mission_locale=True, territory=area("grand", *many))
    add_partners(2, few, start=0)
    add_partners(12, many, start=2)
    counts = []
    for mission in (small_ml, big_ml):
        client.force_login(MembershipFactory(role="coordinator", organisation=mission).user)
        url = reverse("network:coverage")
        client.get(url)
        counts.append(
            (
                queries(client, url, {}),
                queries(client, url, {"gaps_only": "on"}),
                queries(client, url, {"format": "csv"}),
            )
        )
    assert counts[0] == counts[1]
