from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reperes.network.enums import OrganisationKind
from reperes.network.models import Organisation
from reperes.programme.enums import CampaignStatus


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def containing(self, day: date) -> "CampaignQuerySet":
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def in_progress(self, today: date | None = None) -> "CampaignQuerySet":
        return self.containing(today or timezone.localdate())

    def closed(self, today: date | None = None) -> "CampaignQuerySet":
        return self.filter(ends_on__lt=today or timezone.localdate())


class Campaign(models.Model):
    """A funder's call for projects (appel à projets), e.g. « Campagne 2014/2015 ».

    Its status is derived from its dates and today, never stored: a campaign is in progress from
    its first day to its last, closed afterwards, so that the demo and the queues stay live without
    a nightly job. Closing the bilan is a later, separate decision of the funder. A youth belongs to
    the campaign during which their first signal was received (programme.selectors), not to a
    foreign key: the registry knows nothing of campaigns. A funder's campaigns therefore never
    overlap (clean)."""

    name = models.CharField(_("nom"), max_length=100)
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,  # the bilan of a past campaign names its funder
        related_name="campaigns",
        limit_choices_to={"kind": OrganisationKind.FUNDER},
        verbose_name=_("financeur"),
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    description = models.TextField(_("description"), blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["funder", "name"], name="campaign_name_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("La fin de la campagne précède son début.")})
        if self.funder_id and self.starts_on and self.ends_on:
            overlapping = Campaign.objects.filter(
                funder_id=self.funder_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            other = overlapping.first()
            if other is not None:
                raise ValidationError(
                    gettext("Cette campagne chevauche la campagne « %(name)s » du même financeur.")
                    % {"name": other.name}
                )

    def status(self, today: date | None = None) -> CampaignStatus:
        today = today or timezone.localdate()
        if today < self.starts_on:
            return CampaignStatus.UPCOMING
        return CampaignStatus.IN_PROGRESS if today <= self.ends_on else CampaignStatus.CLOSED

    @property
    def received_from(self) -> datetime:
        """First instant of the campaign, in the platform's time zone (signals carry datetimes)."""
        return timezone.make_aware(datetime.combine(self.starts_on, time.min))

    @property
    def received_before(self) -> datetime:
        """The instant just after its last day."""
        return timezone.make_aware(datetime.combine(self.ends_on + timedelta(days=1), time.min))
