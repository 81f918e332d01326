from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    """Derived from the campaign's dates and today (never stored): see Campaign."""

    UPCOMING = "upcoming", _("à venir")
    IN_PROGRESS = "in_progress", _("en cours")
    CLOSED = "closed", _("close")
