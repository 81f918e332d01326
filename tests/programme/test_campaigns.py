from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reperes.network.enums import Role
from reperes.programme.enums import CampaignStatus
from reperes.programme.models import Campaign
from reperes.programme.selectors import identified_counts, youths_identified_in
from reperes.programme.services import create_campaign
from reperes.registry.enums import SignalConsent
from reperes.registry.models import Signal
from reperes.registry.services import merge_youths, send_signal
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.programme.factories import CampaignFactory

pytestmark = pytest.mark.django_db

# Dates relative to this year: send_signal checks birth dates against today.
Y = timezone.localdate().year
BIRTH = date(Y - 20, 9, 3)


@pytest.fixture
def funder():
    return OrganisationFactory(funder=True)


@pytest.fixture
def campaigns(funder):
    """Two campaigns of one funder, back to back, with a summer gap before a third."""
    spans = [(date(Y - 4, 1, 1), date(Y - 3, 8, 31)), (date(Y - 3, 9, 1), date(Y - 2, 6, 30))]
    spans.append((date(Y - 2, 9, 1), date(Y - 1, 8, 31)))
    return [
        create_campaign(funder=funder, name=f"Campagne {start.year}/{end.year}", starts_on=start, ends_on=end)
        for start, end in spans
    ]


@pytest.fixture
def mission():
    territory = area("Saverne", "67437", "67300")
    return OrganisationFactory(mission_locale=True, territory=territory)


def report(first_name, last_name, *, received_on, birth_date=None):
    """A signal received on a given day (send_signal stamps now: backdated as the demo does)."""
    signal = send_signal(
        author=MembershipFactory(role=Role.PARTNER_WORKER).user,
        first_name=first_name,
        last_name=last_name,
        commune=Commune.objects.get(code="67437"),
        consent=SignalConsent.CONTACT,
        birth_date=birth_date,
        approximate_age=None if birth_date else 19,
    )
    received_at = timezone.make_aware(datetime.combine(received_on, time(10)))
    Signal.objects.filter(pk=signal.pk).update(created_at=received_at)
    return signal


def test_status_follows_the_dates():
    campaign = CampaignFactory.build(starts_on=date(2015, 9, 1), ends_on=date(2016, 8, 31))
    assert campaign.status(date(2015, 8, 31)) == CampaignStatus.UPCOMING
    assert campaign.status(date(2015, 9, 1)) == CampaignStatus.IN_PROGRESS
    assert campaign.status(date(2016, 8, 31)) == CampaignStatus.IN_PROGRESS
    assert campaign.status(date(2016, 9, 1)) == CampaignStatus.CLOSED


def test_querysets_tell_the_campaign_in_progress_from_the_closed_ones(campaigns):
    today = date(Y - 1, 1, 15)
    assert list(Campaign.objects.in_progress(today)) == [campaigns[2]]
    assert list(Campaign.objects.closed(today)) == campaigns[:2]
    assert not Campaign.objects.containing(date(Y - 2, 7, 14)).exists()  # the summer gap
    assert not Campaign.objects.in_progress().exists()


def test_a_funders_campaigns_cannot_overlap(campaigns, funder):
    summer = {"starts_on": date(Y - 2, 6, 30), "ends_on": date(Y - 2, 7, 31)}
    with pytest.raises(ValidationError, match=f"chevauche la campagne « {campaigns[1].name} »"):
        create_campaign(funder=funder, name="Campagne bis", **summer)
    create_campaign(funder=OrganisationFactory(funder=True), name="Campagne bis", **summer)


def test_a_campaign_cannot_end_before_it_starts(funder):
    with pytest.raises(ValidationError):
        create_campaign(funder=funder, name="À l'envers", starts_on=date(2015, 9, 1), ends_on=date(2015, 8, 31))


def test_a_youth_belongs_to_the_campaign_of_their_first_signal(campaigns, mission):
    zoe = report("Zoé", "Vogtlander", received_on=date(Y - 3, 8, 31), birth_date=BIRTH).youth
    # Met again in the next campaign by another partner: still identified in the first.
    again = report("Zoé", "Vogtlander", received_on=date(Y - 3, 10, 2), birth_date=BIRTH)
    assert again.youth == zoe
    karim = report("Karim", "Haddad", received_on=date(Y - 3, 9, 1)).youth
    report("Inès", "Muller", received_on=date(Y - 2, 7, 14))  # in no campaign
    assert list(youths_identified_in(campaigns[0])) == [zoe]
    assert list(youths_identified_in(campaigns[1])) == [karim]
    assert identified_counts() == {campaigns[0].pk: 1, campaigns[1].pk: 1, campaigns[2].pk: 0}


def test_a_merged_record_counts_once_from_the_earliest_signal(campaigns, mission):
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    known = report("Zoé", "Vogtlander", received_on=date(Y - 3, 10, 1), birth_date=BIRTH).youth
    # An earlier signal under a nickname opened its own record; the counsellor merges it.
    nickname = report("Zozo", "Vogtlender", received_on=date(Y - 4, 3, 1)).youth
    assert nickname != known
    assert identified_counts()[campaigns[0].pk] == 1
    merge_youths(known, nickname, acting_user=counsellor)
    assert identified_counts() == {campaigns[0].pk: 1, campaigns[1].pk: 0, campaigns[2].pk: 0}
    assert list(youths_identified_in(campaigns[0])) == [known]


def test_identified_counts_is_one_query_whatever_the_number_of_campaigns(
    campaigns, mission, django_assert_num_queries
):
    report("Karim", "Haddad", received_on=date(Y - 3, 9, 1))
    listed = Campaign.objects.all()
    with django_assert_num_queries(2):  # the campaigns, then one aggregate
        counts = identified_counts(listed)
    assert sum(counts.values()) == 1
