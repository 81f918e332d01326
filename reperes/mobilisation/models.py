"""Mobilisation actions (workshops, sport, outings…) organised by a Mission locale and run with
partners, their sessions, the youths enrolled and their attendance.

The hours a youth attended are the sum of the durations of the sessions they were present at."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.mobilisation.enums import ActionFormat, ActionKind, AttendanceStatus
from reperes.network.enums import OrganisationKind
from reperes.network.models import Organisation
from reperes.registry.models import Youth
from reperes.territory.models import Commune

LONG_TEXT = 500


class Action(models.Model):
    """One action, its partners and its budget. `version` is bumped by every edit: the form carries
    it, and a save from a stale form is refused."""

    title = models.CharField(_("intitulé"), max_length=150)
    kind = models.CharField(_("type d'action"), max_length=16, choices=ActionKind.choices)
    format = models.CharField(_("format"), max_length=12, choices=ActionFormat.choices)
    objectives = models.CharField(_("objectifs"), max_length=LONG_TEXT)
    innovation = models.CharField(_("ce qui la rend innovante"), max_length=LONG_TEXT, blank=True)
    mission_locale = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mobilisation_actions",
        limit_choices_to={"kind": OrganisationKind.MISSION_LOCALE},
        verbose_name=_("Mission locale organisatrice"),
    )
    partners = models.ManyToManyField(
        Organisation, related_name="mobilisation_actions_run", verbose_name=_("partenaires qui l'animent")
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), validators=[MinValueValidator(1)])
    cost = models.DecimalField(_("coût total (€)"), max_digits=10, decimal_places=2)
    # Asked of the funder; the programme's claims will be built on it.
    cofinancing_requested = models.DecimalField(
        _("cofinancement demandé au financeur (€)"), max_digits=10, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("action de mobilisation")
        verbose_name_plural = _("actions de mobilisation")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="action_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(cofinancing_requested__lte=models.F("cost")), name="action_cofinancing_within_cost"
            ),
        ]
        indexes = [models.Index(fields=["mission_locale", "starts_on"])]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One dated session of an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), validators=[MinValueValidator(1)])
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("séance")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["action", "starts_at"])]

    def __str__(self) -> str:
        return f"séance {self.pk}"


class Enrolment(models.Model):
    """A youth enrolled in an action by the Mission locale that holds their file."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="enrolments")
    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="mobilisation_enrolments")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        ordering = ["enrolled_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["action", "youth"], name="one_enrolment_per_action_and_youth")]

    def __str__(self) -> str:
        return f"inscription {self.pk}"


class Attendance(models.Model):
    """Whether an enrolled youth was at a session, recorded by the Mission locale or a partner
    running the action (`organisation`: the recorder's, at the time)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("présence"), max_length=8, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("présence")
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance_per_session_and_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.status}"
