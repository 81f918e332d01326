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


class WomenShareReference(models.Model):
    """The share of young women among the 16–25 year-olds of a département (the national default
    when `departement_code` is empty), against which the bilan sets the share of young women among
    the youths identified. Loaded from reporting/data/women_share_16_25.csv (an estimate, with its
    source: see data/README.md), editable by administrators in the Django admin."""

    departement_code = models.CharField(
        _("département (code INSEE, vide : France entière)"), max_length=3, blank=True, unique=True
    )
    share = models.DecimalField(_("part des femmes parmi les 16–25 ans"), max_digits=5, decimal_places=4)
    year = models.PositiveSmallIntegerField(_("année"))
    source = models.CharField(_("source"), max_length=300)
    licence = models.CharField(_("licence"), max_length=100)
    note = models.CharField(_("à savoir"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("mise à jour"), auto_now=True)

    class Meta:
        verbose_name = _("part des jeunes femmes (référence)")
        verbose_name_plural = _("parts des jeunes femmes (référence)")
        ordering = ["departement_code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(share__gte=0, share__lte=1), name="women_share_is_a_ratio")
        ]

    def __str__(self) -> str:
        return self.departement_code or "France"


class BilanSnapshot(models.Model):
    """A campaign's youth counts as its bilan first read them for one reference date, and the cells
    disclosure control made secret then (ADR 009, « differences across time »): every later read of
    that bilan — page, chart, export, the programme's pages and the funder's home — publishes these,
    never a recount, even after a merge or a late correction. Staff hours, claims and budgets are
    not youth counts: they are read live. Made by reporting.services.campaign_figures."""

    campaign = models.ForeignKey(
        "programme.Campaign", on_delete=models.CASCADE, related_name="bilan_snapshots", verbose_name=_("campagne")
    )
    reference_date = models.DateField(_("arrêté au"))
    counts = models.JSONField(_("effectifs"))
    secret = models.JSONField(_("cases secrètes"))
    threshold = models.PositiveSmallIntegerField(_("seuil"))
    created_at = models.DateTimeField(_("figé le"), default=timezone.now)

    class Meta:
        verbose_name = _("bilan figé")
        verbose_name_plural = _("bilans figés")
        ordering = ["campaign", "reference_date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "reference_date"], name="one_bilan_snapshot_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} au {self.reference_date}"
