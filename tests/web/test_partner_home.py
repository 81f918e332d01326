"""The partner worker's home says what became of its signals and what the Mission locale asks of it."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import Role
from reperes.registry.enums import SignalStatus
from reperes.registry.services import ask_partner_for_meeting, close_signal
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import SignalFactory, mission_locale

pytestmark = pytest.mark.django_db


def test_the_partner_reads_the_outcomes_of_its_signals_and_the_meetings_asked_of_it(
    client, django_assert_max_num_queries
):
    mission = mission_locale("Mission locale de Saverne", "67437")
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    partner = OrganisationFactory(name="Prévention Saverne", territory=area("P", "67437"), commune_id="67437")
    educator = MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user
    waiting = [SignalFactory(author=educator) for _ in range(2)]
    close_signal(waiting[0], status=SignalStatus.UNREACHABLE, acting_user=counsellor)
    opportunity = SignalFactory(author=educator, opportunity=True)
    client.force_login(educator)
    assertNotContains(client.get(reverse("web:home")), "proposer un rendez-vous")

    ask_partner_for_meeting(opportunity, acting_user=counsellor)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("web:home"))
    assertContains(response, "3 signalements envoyés par votre structure.")
    assertContains(response, "La Mission locale n&#x27;a pas réussi à joindre le jeune : 1")
    assertContains(response, "Reçu par la Mission locale, qui va désigner un·e référent·e : 1")
    assertContains(response, "vous demande de proposer un rendez-vous à 1 jeune")


def test_mission_locale_staff_reach_their_hours_and_the_programme_from_home(client):
    mission = mission_locale("Mission locale de Saverne", "67437")
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=mission).user
    client.force_login(counsellor)
    home = client.get(reverse("web:home"))
    assertContains(home, f'href="{reverse("programme:timesheet")}"')
    assertNotContains(home, f'href="{reverse("programme:campaign_list")}"')
    client.force_login(coordinator)
    home = client.get(reverse("web:home"))
    assertContains(home, f'href="{reverse("programme:timesheet")}"')
    assertContains(home, f'href="{reverse("programme:campaign_list")}"')
