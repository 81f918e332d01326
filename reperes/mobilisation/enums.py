from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    """What a mobilisation action is (the programme's « actions de remobilisation »)."""

    WORKSHOP = "workshop", _("atelier")
    SPORT = "sport", _("sport")
    CULTURE = "culture", _("culture")
    OUTING = "outing", _("sortie")
    JOB_DISCOVERY = "job_discovery", _("découverte des métiers")
    MOBILITY = "mobility", _("mobilité")
    INTERVIEW = "interview", _("entretien individuel")
    OTHER = "other", _("autre")


class ActionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("individuelle")
    COLLECTIVE = "collective", _("collective")


class AttendanceStatus(models.TextChoices):
    """What the attendance sheet records for each enrolled youth at a session."""

    PRESENT = "present", _("présent·e")
    ABSENT = "absent", _("absent·e")
    EXCUSED = "excused", _("excusé·e")
