from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.models import FundingScheme
from reperes.network.selectors import search_funding_schemes
from reperes.network.services import load_funding_schemes

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    load_funding_schemes()


def names(schemes):
    return {scheme.short_name or scheme.name for scheme in schemes}


def test_seed_holds_the_main_schemes_with_their_source(catalogue):
    expected = {"CEJ", "PACEA", "FAJ", "E2C", "EPIDE", "Service civique", "C2S", "Visale"}
    assert expected <= names(FundingScheme.objects.all())
    assert not FundingScheme.objects.filter(source_name="").exists()


def test_loading_again_keeps_what_people_edited(catalogue):
    FundingScheme.objects.filter(short_name="CEJ").update(amount="montant corrigé")
    assert load_funding_schemes() == 0
    assert FundingScheme.objects.get(short_name="CEJ").amount == "montant corrigé"


def test_age_filters_out_schemes_the_youth_is_too_young_for(catalogue):
    at_16 = names(search_funding_schemes(audience="youth", age=16))
    assert {"CEJ", "E2C"} <= at_16
    assert "EPIDE" not in at_16  # from 17
    assert "FAJ" not in at_16  # from 18


def test_situations_keep_only_schemes_whose_requirements_are_all_met(catalogue):
    dropout = names(search_funding_schemes(age=19, situations=["no_diploma", "neet"]))
    assert {"E2C", "EPIDE", "CEJ", "Service civique"} <= dropout
    assert "Visale" not in dropout  # requires a housing difficulty
    housing = names(search_funding_schemes(age=19, situations=["housing"]))
    assert "Visale" in housing and "E2C" not in housing


def test_an_age_or_a_situation_means_a_young_person_not_a_project(catalogue):
    assert all(s.audience == "youth" for s in search_funding_schemes(age=20))
    assert all(s.audience == "youth" for s in search_funding_schemes(situations=["neet"]))
    assert "Aide au permis de conduire des apprentis" not in names(search_funding_schemes(age=20, situations=["neet"]))


def test_project_schemes_are_a_separate_audience(catalogue):
    projects = search_funding_schemes(audience="project")
    assert projects and all(s.audience == "project" for s in projects)
    assert "CEJ" not in names(projects)


def test_catalogue_page_filters_and_flags_unchecked_entries(client, counsellor, catalogue):
    client.force_login(counsellor)
    response = client.get(
        reverse("network:funding_schemes"), {"age": 17, "situations": ["no_diploma", "neet"], "q": "ecole"}
    )
    assertContains(response, "École de la 2e chance")
    assertNotContains(response, "Garantie Visale")
    assertContains(response, "à vérifier auprès de la source")
    assertContains(response, '<a class="nav-link active" href="/reseau/dispositifs/" aria-current="page">')
    assertContains(response, '<a class="nav-link" href="/reseau/">Annuaire</a>')


def test_checked_schemes_are_not_flagged(client, counsellor, catalogue):
    FundingScheme.objects.update(checked_on=timezone.localdate() - timedelta(days=10))
    client.force_login(counsellor)
    response = client.get(reverse("network:funding_scheme_detail", args=[FundingScheme.objects.first().pk]))
    assertNotContains(response, "à vérifier")


def test_an_impossible_age_is_explained(client, counsellor, catalogue):
    client.force_login(counsellor)
    response = client.get(reverse("network:funding_schemes"), {"age": 45})
    assertContains(response, "L&#x27;âge doit être compris entre 14 et 30 ans.")


def test_detail_shows_conditions_and_source(client, partner_worker, catalogue):
    scheme = FundingScheme.objects.get(short_name="E2C")
    client.force_login(partner_worker)
    response = client.get(reverse("network:funding_scheme_detail", args=[scheme.pk]))
    assertContains(response, "de 16 à 25 ans")
    assertContains(response, "sans diplôme")
    assertContains(response, 'href="https://reseau-e2c.fr/"')
