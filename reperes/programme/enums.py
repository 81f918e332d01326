from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    """Derived from the campaign's dates and today (never stored): see Campaign."""

    UPCOMING = "upcoming", _("à venir")
    IN_PROGRESS = "in_progress", _("en cours")
    CLOSED = "closed", _("close")


class PartnerRole(models.TextChoices):
    """What a partner does in a project, after the call for projects' five steps."""

    IDENTIFICATION = "identification", _("repérage")
    MOBILISATION = "mobilisation", _("mobilisation")
    ACTION = "action", _("animation d'actions")
    ORIENTATION = "orientation", _("orientation et accès aux droits")
    TRAINING = "training", _("formation et emploi")


class BudgetKind(models.TextChoices):
    """The budget lines of a project: the Région pays engineering and coordination hours and
    co-finances mobilisation actions (call for projects « Perdus de vue »)."""

    ENGINEERING = "engineering", _("ingénierie de projet")
    COORDINATION = "coordination", _("coordination")
    ACTIONS = "actions", _("actions de mobilisation")
    OTHER = "other", _("autre")
