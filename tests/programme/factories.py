from datetime import date

import factory

from reperes.network.enums import Role
from reperes.programme.models import Campaign, Project
from tests.network.factories import MembershipFactory, OrganisationFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campagne {2013 + n}/{2014 + n}")
    funder = factory.SubFactory(OrganisationFactory, funder=True)
    starts_on = date(2014, 9, 1)
    ends_on = date(2015, 8, 31)


def _lead(project: Project) -> object:
    return MembershipFactory(role=Role.COORDINATOR, organisation=project.carrier).user


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project carried by a Mission locale over its whole territory, led by one of its
    coordinators (created when not given)."""

    class Meta:
        model = Project

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Projet {n}")
    carrier = factory.SubFactory(OrganisationFactory, mission_locale=True)
    lead = factory.LazyAttribute(_lead)
    created_by = factory.SelfAttribute("lead")
    updated_by = factory.SelfAttribute("lead")
    youths_to_identify = 30
    youths_to_mobilise = 20
