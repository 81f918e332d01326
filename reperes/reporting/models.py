"""The qualitative part of a project's bilan: the partnership's strengths and difficulties, in the
seed's own categories, written by the coordinator of the carrying Mission locale.

It is free text about organisations working together, shown to the funder as it is: the form
reminds its author never to name or describe a young person."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.programme.models import Project
from reperes.reporting.enums import AssessmentCategory, AssessmentKind

ASSESSMENT_MAX = 1000


class ProjectAssessment(models.Model):
    """One strength or one difficulty of a project's partnership under one category: at most one
    of each per category, rewritten as the project goes. `updated_at` is the version an edit form
    carries (a save from a stale form is refused)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("projet")
    )
    category = models.CharField(_("thème"), max_length=16, choices=AssessmentCategory.choices)
    kind = models.CharField(_("nature"), max_length=10, choices=AssessmentKind.choices)
    text = models.CharField(_("texte"), max_length=ASSESSMENT_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur·rice")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("bilan qualitatif du partenariat")
        verbose_name_plural = _("bilans qualitatifs du partenariat")
        ordering = ["project", "category", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category", "kind"], name="one_assessment_per_category_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_category_display()}"
