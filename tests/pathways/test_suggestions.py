"""Suggestions under each barrier of the pathway page (reperes.pathways.suggestions): services of the
directory serving the youth's commune on the barrier's themes, funding schemes the youth is or may be
eligible for, each with its reason; only for the barriers the reader sees; a fixed number of queries."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import OrganisationKind, Role, Vocabulary
from reperes.network.models import Term
from reperes.network.services import create_service, load_funding_schemes
from reperes.pathways import services
from reperes.pathways.enums import BarrierStatus
from reperes.pathways.suggestions import BARRIER_SCHEME_WORDS, BARRIER_THEMES, suggestions_for
from reperes.privacy import policy
from reperes.registry.enums import Barrier
from reperes.registry.services import update_youth
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import YouthFactory, mission_locale

pytestmark = pytest.mark.django_db

COLMAR, TURCKHEIM, STRASBOURG = "68066", "68338", "67482"
PERMIS = "mobilite--preparer-un-permis"
SOINS = "sante--acces-aux-soins"
DROITS = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
JUSTICE_THEME = "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire"
SIX = [Barrier.HOUSING, Barrier.HEALTH, Barrier.MOBILITY, Barrier.MONEY, Barrier.CHILDCARE, Barrier.DIGITAL]


def term(code):
    return Term.objects.get(vocabulary=Vocabulary.THEME, code=code)


def service(name, *codes, communes=(COLMAR,), kind=OrganisationKind.OTHER_PARTNER, **fields):
    """An active service of a new partner whose area is made of these communes."""
    organisation = OrganisationFactory(name=f"Structure {name}", kind=kind, territory=area(name, *communes))
    return create_service(organisation, name=name, themes=[term(code) for code in codes], acting_user=None, **fields)


@pytest.fixture
def mission():
    return mission_locale("Mission locale de Colmar", COLMAR, TURCKHEIM)


@pytest.fixture
def referent(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def colleague(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def youth(mission, referent):
    youth = YouthFactory(mission_locale=mission, referent=referent)
    assert youth.commune_id == COLMAR
    return youth


@pytest.fixture
def catalogue():
    """The real catalogue of funding schemes (reperes/network/data/funding_schemes.json)."""
    load_funding_schemes()


def confirm(youth, user, *kinds, status=BarrierStatus.IDENTIFIED):
    for kind in kinds:
        services.set_barrier(youth, acting_user=user, kind=kind, status=status)


def aged(youth, user, years):
    born = timezone.localdate() - timedelta(days=years * 365 + 100)
    youth.refresh_from_db()
    update_youth(youth, acting_user=user, version=youth.updated_at.isoformat(), birth_date=born)
    youth.refresh_from_db()
    return youth


def suggested(youth, user, *kinds):
    youth = type(youth).objects.select_related("commune").get(pk=youth.pk)
    return suggestions_for(youth, list(kinds), user)


def link(service):
    """The link to the service's page of the directory (its name is also in the barrier form's partners)."""
    return f'href="{reverse("network:service_detail", args=[service.pk])}"'


def page(client, user, youth):
    client.force_login(user)
    return client.get(reverse("pathways:pathway", args=[youth.pk]))


def test_every_theme_of_the_mapping_is_a_term_of_the_data_inclusion_vocabulary():
    codes = {code for themes in BARRIER_THEMES.values() for code in themes}
    assert set(BARRIER_THEMES) == set(Barrier.values) == set(BARRIER_SCHEME_WORDS)
    assert (
        set(Term.objects.filter(vocabulary=Vocabulary.THEME, code__in=codes).values_list("code", flat=True)) == codes
    )


def test_a_mobility_barrier_gets_a_mobility_service_serving_the_commune_not_one_of_another_departement(
    youth, referent
):
    here = service("Auto-école sociale", PERMIS)
    service("Garage solidaire de Strasbourg", PERMIS, communes=(STRASBOURG,))
    service("Épicerie solidaire", "equipement-et-alimentation--alimentation")  # Colmar, another need
    confirm(youth, referent, Barrier.MOBILITY)
    found = suggested(youth, referent, Barrier.MOBILITY)[Barrier.MOBILITY]
    assert [s.service_id for s in found.services] == [here.pk]
    assert found.services[0].reason == "dessert Colmar · thématique Mobilité (Préparer un permis)"
    assert found.services[0].organisation_name == "Structure Auto-école sociale"


def test_an_inactive_service_or_one_of_an_inactive_partner_is_not_suggested(youth, referent):
    service("Permis fermé", PERMIS, is_active=False)
    closed = service("Partenaire fermé", PERMIS)
    closed.organisation.is_active = False
    closed.organisation.save(update_fields=["is_active"])
    assert suggested(youth, referent, Barrier.MOBILITY)[Barrier.MOBILITY].services == []


def test_a_service_in_the_commune_comes_before_one_serving_the_whole_departement(youth, referent):
    haut_rhin = list(Commune.objects.filter(departement_id="68").values_list("code", flat=True))
    wide = service("Plateforme mobilité 68", PERMIS, "mobilite--financer-ma-mobilite", communes=haut_rhin)
    near = service("Vélo-école de Turckheim", PERMIS, communes=(COLMAR, TURCKHEIM))
    local = service("Mobilité Colmar", PERMIS, communes=(STRASBOURG,), commune_id=COLMAR)
    local.communes.set([COLMAR])  # located in Colmar and serving it alone
    found = suggested(youth, referent, Barrier.MOBILITY)[Barrier.MOBILITY].services
    assert [s.service_id for s in found] == [local.pk, near.pk, wide.pk]
    assert found[0].reason == "à Colmar · thématique Mobilité (Préparer un permis)"
    assert found[1].reason == "dessert Colmar et 1 autre commune · thématique Mobilité (Préparer un permis)"
    assert found[2].reason.startswith(f"dessert Colmar et {len(haut_rhin) - 1} autres communes")
    assert "Financer ma mobilité" in found[2].reason


def test_at_most_three_services_a_barrier(youth, referent):
    for n in range(5):
        service(f"Permis {n}", PERMIS)
    assert len(suggested(youth, referent, Barrier.MOBILITY)[Barrier.MOBILITY].services) == 3


def test_schemes_are_kept_by_age_with_their_reason_and_what_is_to_check(youth, referent, catalogue):
    youth = aged(youth, referent, 19)
    confirm(youth, referent, Barrier.MOBILITY, Barrier.MONEY)
    found = suggested(youth, referent, Barrier.MOBILITY, Barrier.MONEY)
    fund = {s.short_name: s for s in found[Barrier.MONEY].schemes}["FAJ"]
    # The money barrier says « ressources faibles »; the département's fund for a resident.
    assert fund.eligible is True
    assert fund.reason == "18–25 ans, réside à Colmar (Haut-Rhin), ressources faibles"
    names = {s.name: s for s in found[Barrier.MOBILITY].schemes}
    licence = names["Aide au permis de conduire des apprentis"]
    assert licence.eligible is None and licence.reason == "18 ans et plus" and licence.to_check == "apprenti·e"
    assert "Fonds d'aide aux jeunes" in names  # « transport »
    assert "Garantie Visale" not in names  # housing, not mobility


def test_a_27_year_old_does_not_get_a_16_to_25_scheme(youth, referent, catalogue, tmp_path):
    seed = {
        "name": "Bourse au permis 16-25",
        "audience": "youth",
        "operator": "Région",
        "summary": "Aide au financement du permis de conduire.",
        "age_min": 16,
        "age_max": 25,
        "source_name": "test",
    }
    (tmp_path / "schemes.json").write_text(json.dumps({"schemes": [seed]}), encoding="utf-8")
    load_funding_schemes(tmp_path / "schemes.json")
    confirm(youth, referent, Barrier.MOBILITY)
    young = {
        s.name for s in suggested(aged(youth, referent, 19), referent, Barrier.MOBILITY)[Barrier.MOBILITY].schemes
    }
    assert "Bourse au permis 16-25" in young
    old = {s.name for s in suggested(aged(youth, referent, 27), referent, Barrier.MOBILITY)[Barrier.MOBILITY].schemes}
    assert "Bourse au permis 16-25" not in old and "Fonds d'aide aux jeunes" not in old
    assert "Aide au permis de conduire des apprentis" in old  # 18 and over


def test_the_justice_flag_gets_only_generic_access_to_rights_services_and_no_scheme(youth, referent, catalogue):
    rights = service("Point-justice", DROITS)
    service("Service PJJ", DROITS, kind=OrganisationKind.PJJ)
    service("Aide aux suivis judiciaires", JUSTICE_THEME)
    found = suggested(youth, referent, Barrier.JUSTICE)[Barrier.JUSTICE]
    assert [s.service_id for s in found.services] == [rights.pk]
    assert found.schemes == []


def test_a_specialised_partner_is_suggested_under_health_only(youth, referent):
    csapa = service("Consultation santé jeunes", SOINS, "mobilite--preparer-un-permis", kind=OrganisationKind.CSAPA)
    found = suggested(youth, referent, Barrier.HEALTH, Barrier.MOBILITY)
    assert [s.service_id for s in found[Barrier.HEALTH].services] == [csapa.pk]
    assert found[Barrier.MOBILITY].services == []


def test_a_viewer_without_the_health_grant_sees_neither_the_health_barrier_nor_its_suggestions(
    client, youth, referent, colleague, catalogue
):
    care = service("Maison de santé des jeunes", SOINS)
    permis = service("Auto-école sociale", PERMIS)
    confirm(youth, referent, Barrier.HEALTH, Barrier.MOBILITY)
    assert not policy.barrier_kinds_visible(policy.sections_visible_to(colleague, youth), [Barrier.HEALTH])
    assert Barrier.HEALTH not in suggested(youth, colleague, Barrier.HEALTH, Barrier.MOBILITY)
    seen = page(client, colleague, youth)
    assertContains(seen, link(permis))
    for hidden in (link(care), "Complémentaire santé solidaire", "Pistes pour « santé »", "santé :"):
        assertNotContains(seen, hidden)
    # The référent holds the section: the same page shows it.
    mine = page(client, referent, youth)
    assertContains(mine, link(care))
    assertContains(mine, "Complémentaire santé solidaire")
    assertContains(mine, "Pistes pour « santé »")


def test_the_page_links_the_service_the_scheme_and_the_referral_for_staff_only(client, youth, referent, catalogue):
    permis = service("Auto-école sociale", PERMIS)
    partner = MembershipFactory(role=Role.PARTNER_WORKER, organisation=permis.organisation).user
    from tests.registry.factories import ConsentFactory

    ConsentFactory(youth=youth, share_with=[permis.organisation], acting_user=referent)
    confirm(youth, referent, Barrier.MOBILITY)
    refer = f"{reverse('referrals:create', args=[youth.pk])}?service={permis.pk}"
    staff = page(client, referent, youth)
    assertContains(staff, link(permis))
    assertContains(staff, refer)
    assertContains(staff, "Orienter vers ce service")
    assertContains(staff, "dessert Colmar · thématique Mobilité (Préparer un permis)")
    fund = staff.context["barriers"][0].suggestions.schemes
    assertContains(staff, reverse("network:funding_scheme_detail", args=[fund[0].scheme_id]))
    # The partner reads the file through the consent, sees the suggestions, but refers nobody.
    read = page(client, partner, youth)
    assertContains(read, link(permis))
    assertNotContains(read, refer)


def test_nothing_matches_the_page_says_so_and_links_the_directory_search(client, youth, referent):
    confirm(youth, referent, Barrier.LANGUAGE)
    response = page(client, referent, youth)
    assertContains(response, "Aucun service de l'annuaire ne dessert Colmar sur ce besoin.")
    search = (
        f"{reverse('network:directory')}?theme=lecture-ecriture-calcul--maitriser-le-francais&amp;commune={COLMAR}"
    )
    assertContains(response, search)
    directory = client.get(
        f"{reverse('network:directory')}?theme={BARRIER_THEMES[Barrier.LANGUAGE][0]}&commune={COLMAR}"
    )
    assert directory.status_code == 200 and directory.context["form"].is_valid()


def test_a_barrier_suspected_on_a_signal_gets_suggestions_once_confirmed_only(client, mission, referent):
    youth = YouthFactory(mission_locale=mission, referent=referent, barriers=[Barrier.MOBILITY])
    permis = service("Auto-école sociale", PERMIS)
    before = page(client, referent, youth)
    assertContains(before, "Signalés, à confirmer")
    assertNotContains(before, link(permis))
    confirm(youth, referent, Barrier.MOBILITY)
    assertContains(page(client, referent, youth), link(permis))


def test_a_lifted_or_dismissed_barrier_gets_no_suggestion(client, youth, referent):
    permis = service("Auto-école sociale", PERMIS)
    confirm(youth, referent, Barrier.MOBILITY, status=BarrierStatus.RESOLVED)
    confirm(youth, referent, Barrier.DIGITAL, status=BarrierStatus.DISMISSED)
    response = page(client, referent, youth)
    assertNotContains(response, link(permis))
    assertNotContains(response, "Pistes pour")


def _count(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def _world(youth, referent):
    """A service and schemes for every barrier, so that each kind has something to find."""
    load_funding_schemes()
    for kind, themes in BARRIER_THEMES.items():
        code = themes[0] if "--" in themes[0] else Term.objects.filter(category=themes[0]).first().code
        service(f"Service {kind}", code)
        service(f"Autre {kind}", code, communes=(COLMAR, TURCKHEIM))


def test_the_suggestions_cost_the_same_few_queries_for_one_barrier_and_for_six(
    youth, referent, django_assert_max_num_queries
):
    _world(youth, referent)
    youth = type(youth).objects.select_related("commune").get(pk=youth.pk)
    sections = policy.sections_visible_to(referent, youth)
    with django_assert_max_num_queries(4):
        one = suggestions_for(youth, [Barrier.MOBILITY], referent, sections=sections)
    youth = type(youth).objects.select_related("commune").get(pk=youth.pk)
    with django_assert_max_num_queries(4):
        six = suggestions_for(youth, SIX, referent, sections=sections)
    assert len(one[Barrier.MOBILITY].services) == 2
    assert all(six[kind].services for kind in SIX)
    assert one[Barrier.MOBILITY].services == six[Barrier.MOBILITY].services


def test_the_pathway_page_asks_as_many_queries_with_one_barrier_as_with_six(client, mission, referent):
    one = YouthFactory(mission_locale=mission, referent=referent)
    six = YouthFactory(mission_locale=mission, referent=referent)
    _world(one, referent)
    confirm(one, referent, Barrier.MOBILITY)
    confirm(six, referent, *SIX)
    client.force_login(referent)
    url = reverse("pathways:pathway", args=[one.pk])
    client.get(url)  # the session and the membership, as every page
    small = _count(lambda: client.get(url))
    large = _count(lambda: client.get(reverse("pathways:pathway", args=[six.pk])))
    print(f"\npage du parcours : {small} requêtes pour 1 frein, {large} pour 6")
    assert small == large
