"""Reads of the programme. A youth is identified in the campaign during which their first signal
was received; a record that came without any signal (a list import) counts from its creation.
Merged records are left out: their signals now belong to the record they were merged into.

These are counts and querysets for reporting and the demo; pages showing youths still go through
privacy.policy."""

from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from reperes.programme.models import Campaign
from reperes.registry.enums import YouthStatus
from reperes.registry.models import Signal, Youth


def _with_identified_at(youths: QuerySet[Youth]) -> QuerySet[Youth]:
    first_signal = Signal.objects.filter(youth=OuterRef("pk")).order_by("created_at", "pk").values("created_at")[:1]
    return youths.exclude(status=YouthStatus.MERGED).annotate(
        identified_at=Coalesce(Subquery(first_signal, output_field=DateTimeField()), F("created_at"))
    )


def _identified_during(campaign: Campaign) -> Q:
    return Q(identified_at__gte=campaign.received_from, identified_at__lt=campaign.received_before)


def youths_identified_in(campaign: Campaign) -> QuerySet[Youth]:
    """The youths whose first signal was received during the campaign, whatever became of them."""
    return _with_identified_at(Youth.objects.all()).filter(_identified_during(campaign))


def identified_counts(campaigns: QuerySet[Campaign] | None = None) -> dict[int, int]:
    """How many youths each campaign identified, by campaign id, in one query."""
    campaigns = campaigns if campaigns is not None else Campaign.objects.all()
    listed = list(campaigns)
    if not listed:
        return {}
    totals = _with_identified_at(Youth.objects.all()).aggregate(
        **{f"c{c.pk}": Count("pk", filter=_identified_during(c)) for c in listed}
    )
    return {c.pk: totals[f"c{c.pk}"] for c in listed}
