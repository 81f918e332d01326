"""Campaigns of a funder (appel à projets), the projects Missions locales carry in them, their
partners and budget lines.

A Mission locale carries at most one project per campaign (the seed: « les projets sont portés par
une Mission locale qui en assure le pilotage »; seven projects for the first campaign). So nothing
in the registry or in mobilisation points to a project: a youth belongs to the project of the
Mission locale holding their file in the campaign during which they were identified, and an action
to the project of its organising Mission locale in the campaign during which it starts — both
derived by programme.selectors (projects_of, youths_of, actions_of), never stored, like a youth's
campaign (ADR 004)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reperes.network.enums import OrganisationKind
from reperes.network.models import Organisation
from reperes.programme.enums import BudgetKind, CampaignStatus, PartnerRole
from reperes.territory.models import Territory

HUNDRED = Decimal(100)


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
    # The campaign's rules, set by the funder's officer; None until set. The Région pays the hours
    # of engineering and coordination at these rates, and co-finances an action up to a share of
    # its cost; a project may also be capped.
    engineering_rate = models.DecimalField(
        _("taux horaire de l'ingénierie de projet (€)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    coordination_rate = models.DecimalField(
        _("taux horaire de la coordination (€)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    action_ceiling_percent = models.DecimalField(
        _("plafond de cofinancement d'une action (% de son coût)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    project_ceiling = models.DecimalField(
        _("plafond par projet (€)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    # Bumped by every change of the rules through the service: a stale form is refused.
    rules_version = models.PositiveIntegerField(default=0)
    rules_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rules_updated_at = models.DateTimeField(null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["funder", "name"], name="campaign_name_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates"),
            models.CheckConstraint(
                condition=models.Q(engineering_rate__gte=0) | models.Q(engineering_rate=None),
                name="campaign_engineering_rate_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(coordination_rate__gte=0) | models.Q(coordination_rate=None),
                name="campaign_coordination_rate_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(action_ceiling_percent__gte=0, action_ceiling_percent__lte=100)
                | models.Q(action_ceiling_percent=None),
                name="campaign_action_ceiling_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(project_ceiling__gte=0) | models.Q(project_ceiling=None),
                name="campaign_project_ceiling_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("La fin de la campagne précède son début.")})
        errors = self.rules_errors()
        if errors:
            raise ValidationError(errors)
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

    def rules_errors(self) -> dict[str, str]:
        """What is wrong with the campaign's rules, by field, in French."""
        errors = {}
        for name in ("engineering_rate", "coordination_rate"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = gettext("Un taux horaire est un montant positif ou nul.")
        ceiling = self.action_ceiling_percent
        if ceiling is not None and not 0 <= ceiling <= HUNDRED:
            errors["action_ceiling_percent"] = gettext(
                "Le plafond de cofinancement est un pourcentage du coût de l'action, entre 0 et 100 %."
            )
        if self.project_ceiling is not None and self.project_ceiling < 0:
            errors["project_ceiling"] = gettext("Le plafond par projet est un montant positif ou nul.")
        return errors

    def action_ceiling(self, cost: Decimal) -> Decimal | None:
        """The most the funder pays of an action costing this much, or None when no ceiling is set."""
        if self.action_ceiling_percent is None:
            return None
        return (cost * self.action_ceiling_percent / HUNDRED).quantize(Decimal("0.01"))

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


class ProjectQuerySet(models.QuerySet["Project"]):
    def carried_by(self, organisation: Organisation) -> "ProjectQuerySet":
        return self.filter(carrier=organisation)


class Project(models.Model):
    """One Mission locale's project in a campaign (module docstring: one per Mission locale and
    campaign). Its territory is the carrier's unless the project names its own communes. Its
    status is the campaign's (derived from the dates). `version` is bumped by every edit of the
    project or of its budget: the form carries it, and a save from a stale form is refused."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,  # claims and the bilan name the campaign's projects
        related_name="projects",
        verbose_name=_("campagne"),
    )
    name = models.CharField(_("nom du projet"), max_length=150)
    carrier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="carried_projects",
        limit_choices_to={"kind": OrganisationKind.MISSION_LOCALE},
        verbose_name=_("Mission locale porteuse"),
    )
    # None: the carrier's territory, followed as it changes.
    territory = models.OneToOneField(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("territoire du projet"),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("responsable du projet (valide les heures)"),
    )
    description = models.TextField(_("présentation"), max_length=2000, blank=True)
    youths_to_identify = models.PositiveIntegerField(_("objectif : jeunes à repérer"), default=0)
    youths_to_mobilise = models.PositiveIntegerField(_("objectif : jeunes à mobiliser"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("projet")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "carrier"], name="one_project_per_mission_locale_and_campaign"
            ),
            models.CheckConstraint(
                condition=models.Q(youths_to_mobilise__lte=models.F("youths_to_identify")),
                name="project_mobilise_within_identify",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        mobilise, identify = self.youths_to_mobilise, self.youths_to_identify
        if mobilise is not None and identify is not None and mobilise > identify:
            raise ValidationError(
                {"youths_to_mobilise": gettext("On ne peut pas viser plus de jeunes mobilisés que de jeunes repérés.")}
            )

    def status(self, today: date | None = None) -> CampaignStatus:
        return self.campaign.status(today)

    @property
    def covered_territory_id(self) -> int | None:
        """The territory the project covers: its own, or its carrier's."""
        return self.territory_id or self.carrier.territory_id


class ProjectPartner(models.Model):
    """A partner of a project and its role there; once per project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="project_roles", verbose_name=_("partenaire")
    )
    role = models.CharField(_("rôle"), max_length=16, choices=PartnerRole.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partenaire du projet")
        verbose_name_plural = _("partenaires du projet")
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="one_role_per_partner_and_project")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class BudgetLine(models.Model):
    """One line of a project's planned budget: what it costs, and the share asked of the funder.
    One line per kind; « autre » says what it covers."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(_("poste"), max_length=16, choices=BudgetKind.choices)
    label = models.CharField(_("précision"), max_length=150, blank=True)
    planned = models.DecimalField(_("montant prévu (€)"), max_digits=12, decimal_places=2)
    requested = models.DecimalField(_("part demandée au financeur (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        ordering = ["project", "pk"]  # written in the order of BudgetKind
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_budget_line_per_kind"),
            models.CheckConstraint(condition=models.Q(planned__gte=0), name="budget_planned_positive"),
            models.CheckConstraint(
                condition=models.Q(requested__gte=0, requested__lte=models.F("planned")),
                name="budget_requested_within_planned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned}"


# --- Timesheets and funding claims --------------------------------------------------------------
# The Région pays the hours of project engineering and of coordination at the campaign's rates,
# and co-finances the project's mobilisation actions. A member of the carrier's staff enters their
# own hours (TimeEntry), submits a week, the project's lead approves it; a claim (Claim) over a
# period takes the approved hours of that period and locks them. An unlock, with its reason and a
# history record, gives hours back to their author.


class TimeKind(models.TextChoices):
    """What the Région pays for: the hours of project engineering and of coordination."""

    ENGINEERING = "engineering", _("ingénierie de projet")
    COORDINATION = "coordination", _("coordination")


class TimeStatus(models.TextChoices):
    """draft → submitted → approved → claimed; a rejection or an unlock brings hours back to draft."""

    DRAFT = "draft", _("brouillon")
    SUBMITTED = "submitted", _("soumise")
    APPROVED = "approved", _("validée")
    CLAIMED = "claimed", _("demandée")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("en préparation")
    SENT = "sent", _("envoyée au financeur")
    CANCELLED = "cancelled", _("annulée (déverrouillée)")


HOURS_PER_DAY = Decimal(24)
QUARTER = Decimal("0.25")


class TimeEntryQuerySet(models.QuerySet["TimeEntry"]):
    def of_week(self, monday: date) -> "TimeEntryQuerySet":
        return self.filter(day__gte=monday, day__lte=monday + timedelta(days=6))


class TimeEntry(models.Model):
    """Hours of one person, on one day, for one project, kind and activity (a cell of the week
    grid). Only a draft is edited by its author; a claimed entry is locked into its claim until an
    unlock. The sum of a person's hours on one day stays within 24 (checked by the service, which
    sees every project at once)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("personne")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,  # claimed hours are the funder's record
        related_name="time_entries",
        verbose_name=_("projet"),
    )
    day = models.DateField(_("jour"))
    kind = models.CharField(_("nature"), max_length=16, choices=TimeKind.choices)
    activity = models.CharField(_("activité"), max_length=100)
    hours = models.DecimalField(_("heures"), max_digits=4, decimal_places=2)
    status = models.CharField(_("état"), max_length=16, choices=TimeStatus.choices, default=TimeStatus.DRAFT)
    claim = models.ForeignKey(
        "Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("demande de financement"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("motif du refus"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("heures")
        verbose_name_plural = _("heures")
        ordering = ["day", "project", "kind", "activity", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=HOURS_PER_DAY), name="time_entry_hours_within_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(claim=None) | models.Q(status=TimeStatus.CLAIMED), name="time_entry_claimed"
            ),
            models.UniqueConstraint(
                fields=["person", "project", "day", "kind", "activity"], name="one_time_entry_per_cell"
            ),
        ]
        indexes = [models.Index(fields=["person", "day"]), models.Index(fields=["project", "status", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.hours} h"


class Claim(models.Model):
    """A funding claim of a project over a period: the approved hours of the period (locked into it)
    at the campaign's rates, plus the co-financing of the project's actions starting in the period.
    The amounts are stored as computed when the claim was made (or when an unlock changed it), and
    can be computed again from its rows (programme.services.claim_amounts): the two must agree to
    the cent. The periods of a project's claims never overlap, except a cancelled one's."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="claims", verbose_name=_("projet"))
    period_start = models.DateField(_("du"))
    period_end = models.DateField(_("au"))
    status = models.CharField(_("état"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    hours_amount = models.DecimalField(_("montant des heures (€)"), max_digits=12, decimal_places=2, default=0)
    actions_amount = models.DecimalField(
        _("cofinancement des actions (€)"), max_digits=12, decimal_places=2, default=0
    )
    total = models.DecimalField(_("total demandé (€)"), max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("demande de financement")
        verbose_name_plural = _("demandes de financement")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="claim_period"),
            models.CheckConstraint(
                condition=models.Q(total=models.F("hours_amount") + models.F("actions_amount")),
                name="claim_total_is_its_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period_start}–{self.period_end}"

    @property
    def is_active(self) -> bool:
        return self.status != ClaimStatus.CANCELLED
