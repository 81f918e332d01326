from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from reperes.network.enums import Role
from reperes.privacy import policy
from reperes.registry.enums import SignalConsent
from reperes.registry.services import assign_referent, send_signal
from reperes.territory.models import Commune, Territory
from tests.network.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    territory = Territory.objects.create(name="Saverne")
    territory.communes.set(Commune.objects.filter(code="67437"))
    mission = OrganisationFactory(mission_locale=True, territory=territory)
    worker = MembershipFactory(role=Role.PARTNER_WORKER).user
    signal = send_signal(
        author=worker,
        first_name="Inès",
        last_name="Keller",
        commune=Commune.objects.get(code="67437"),
        consent=SignalConsent.CONTACT,
        approximate_age=19,
    )
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    # Her référent: only the référent records the sharing of a sensitive section.
    return assign_referent(signal, referent=counsellor, acting_user=counsellor), worker, counsellor


def test_consent_records_what_is_shared_and_with_whom(client, case):
    youth, worker, counsellor = case
    client.force_login(counsellor)
    response = client.post(
        reverse("registry:consent_record", args=[youth.pk]),
        {
            "informed_on": timezone.localdate().isoformat(),
            "informed_how": "in_person",
            "share_with": [worker.organisation.pk],
            "sensitive_sections": ["housing"],
        },
        follow=True,
    )
    assertContains(response, "Consentement enregistré.")
    assertContains(response, worker.organisation.name)
    assert "housing" in policy.sections_visible_to(worker, youth)
    assert "health" not in policy.sections_visible_to(worker, youth)


def test_withdrawal_takes_effect_at_once(client, case):
    youth, worker, counsellor = case
    client.force_login(counsellor)
    client.post(
        reverse("registry:consent_record", args=[youth.pk]),
        {
            "informed_on": timezone.localdate().isoformat(),
            "informed_how": "phone",
            "share_with": [worker.organisation.pk],
        },
    )
    assert policy.can_view_youth(worker, youth)
    response = client.post(reverse("registry:consent_withdraw", args=[youth.pk]), follow=True)
    assertContains(response, "Consentement retiré")
    assert not policy.can_view_youth(worker, youth)
    client.force_login(worker)
    assert client.get(reverse("registry:youth_detail", args=[youth.pk])).status_code == 404


def test_a_consent_dated_in_the_future_is_refused(client, case):
    youth, _worker, counsellor = case
    client.force_login(counsellor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("registry:consent_record", args=[youth.pk]),
        {"informed_on": tomorrow.isoformat(), "informed_how": "phone"},
        follow=True,
    )
    assertContains(response, "La date d&#x27;information est dans le futur.")
    assert not youth.consents.exists()
