"""A real pass of the retention job over the demo (ADR 013): its first campaign is more than two
years old, so many files go; the seed's figures do not move, frozen or recounted."""

import pytest
from django.utils import timezone

from reperes.privacy import retention
from reperes.programme.models import Campaign
from reperes.programme.selectors import identified_counts
from reperes.registry.enums import YouthStatus
from reperes.registry.models import Youth
from reperes.reporting.bilan import programme_figures
from reperes.reporting.selectors import campaign_counts, dump_youth_counts, reference_date

pytestmark = pytest.mark.django_db


def test_a_retention_pass_over_the_demo_keeps_the_seeds_figures(demo):
    campaigns = list(Campaign.objects.order_by("starts_on"))
    today = timezone.localdate()
    before = identified_counts(Campaign.objects.all())
    recounts = [dump_youth_counts(campaign_counts(c, today=reference_date(c, today))) for c in campaigns[:2]]
    run = retention.run(dry_run=False)
    assert run.counts["files"] > 50, run.counts
    assert Youth.objects.filter(status=YouthStatus.ANONYMISED).count() == run.counts["files"]
    assert identified_counts(Campaign.objects.all()) == before
    assert list(before.values())[:2] == [233, 280]
    assert [dump_youth_counts(campaign_counts(c, today=reference_date(c, today))) for c in campaigns[:2]] == recounts
    figures = programme_figures(campaigns)
    assert figures is not None
