"""Writes of the programme: campaigns. Campaigns hold no personal data: no history record."""

from datetime import date

from django.db import transaction

from reperes.network.models import Organisation
from reperes.programme.models import Campaign


@transaction.atomic
def create_campaign(
    *, funder: Organisation, name: str, starts_on: date, ends_on: date, description: str = ""
) -> Campaign:
    """Open a funder's call for projects; refused when its dates overlap another of its campaigns."""
    campaign = Campaign(funder=funder, name=name, starts_on=starts_on, ends_on=ends_on, description=description)
    campaign.full_clean()
    campaign.save()
    return campaign
