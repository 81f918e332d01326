from datetime import date

import factory

from reperes.programme.models import Campaign
from tests.network.factories import OrganisationFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campagne {2013 + n}/{2014 + n}")
    funder = factory.SubFactory(OrganisationFactory, funder=True)
    starts_on = date(2014, 9, 1)
    ends_on = date(2015, 8, 31)
