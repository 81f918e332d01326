"""A youth's pathway through the programme's five stages, and what moves it: contact attempts and
re-approach plans, notes, barriers, the professional project, outcomes and their follow-ups.

Every change of stage is a `PathwayEvent` (the history); `Pathway.stage` caches the last one for the
lists. Free text is short (200 characters, as the TBA module's comments): data minimisation."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.network.models import Organisation
from reperes.pathways.enums import (
    BarrierStatus,
    Channel,
    ContactOutcome,
    DeclineReason,
    EventKind,
    ExitReason,
    NoteScope,
    OutcomeKind,
    ReapproachStatus,
    Stage,
)
from reperes.registry.enums import Barrier
from reperes.registry.models import Youth

SHORT_TEXT = 200


class Pathway(models.Model):
    """One stretch of a youth's journey: opened at stage 1, closed by an exit; a youth who comes
    back starts a new one and the old ones stay in the history. One open pathway per youth."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="pathways")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    stage = models.PositiveSmallIntegerField(_("étape"), choices=Stage.choices, default=Stage.SPOTTED)
    stage_since = models.DateTimeField(default=timezone.now)
    # The last real contact with the youth (a contact attempt that reached them, or attendance).
    last_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(_("motif de sortie"), max_length=12, choices=ExitReason.choices, blank=True)
    # Bumped by every write: a form carries it, and a save from a stale form is refused.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"], condition=models.Q(closed_at=None), name="one_open_pathway_per_youth"
            )
        ]
        indexes = [models.Index(fields=["youth", "closed_at"])]

    def __str__(self) -> str:
        return f"parcours {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PathwayEvent(models.Model):
    """A dated change of a pathway, with its author: opening, each stage reached, the exit."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    exit_reason = models.CharField(max_length=12, choices=ExitReason.choices, blank=True)
    # Why a stage was skipped, or a word on the exit; what moved it automatically (« présence à une action »).
    reason = models.CharField(_("motif"), max_length=SHORT_TEXT, blank=True)
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("événement du parcours")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage or ''}"


class ContactAttempt(models.Model):
    """One attempt to reach the youth, by whom, how, and what came of it."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="contact_attempts")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="contact_attempts")
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("moyen"), max_length=12, choices=Channel.choices)
    outcome = models.CharField(_("résultat"), max_length=20, choices=ContactOutcome.choices)
    decline_reason = models.CharField(_("raison du refus"), max_length=12, choices=DeclineReason.choices, blank=True)
    # The partner through whom the attempt was made (the street educator who knows the youth).
    through = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("partenaire")
    )
    note = models.CharField(_("commentaire"), max_length=SHORT_TEXT, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tentative de contact")
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["youth", "happened_on"])]

    def __str__(self) -> str:
        return f"contact {self.pk}"


class Reapproach(models.Model):
    """The plan to try again with a youth who declined: when, by whom (often the partner who knows
    them best), how. Done when someone reaches the youth again."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="reapproaches")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="reapproaches")
    declined = models.ForeignKey(ContactAttempt, on_delete=models.CASCADE, null=True, related_name="+")
    due_on = models.DateField(_("à partir du"))
    by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reapproaches", verbose_name=_("par")
    )
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    how = models.CharField(_("comment"), max_length=12, choices=Channel.choices)
    note = models.CharField(_("précisions"), max_length=SHORT_TEXT, blank=True)
    status = models.CharField(max_length=10, choices=ReapproachStatus.choices, default=ReapproachStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nouvelle approche")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"nouvelle approche {self.pk}"


class Note(models.Model):
    """A short note on the timeline. A partner's note stays in its organisation unless shared."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="pathway_notes")
    text = models.CharField(_("note"), max_length=SHORT_TEXT)
    scope = models.CharField(_("visible par"), max_length=12, choices=NoteScope.choices, default=NoteScope.SHARED)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class YouthBarrier(models.Model):
    """A barrier (frein périphérique) confirmed on the file, its status and who addresses it.
    Justice is a coarse need-to-know flag: its detail stays empty (GDPR art. 10)."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="barriers")
    kind = models.CharField(_("frein"), max_length=12, choices=Barrier.choices)
    status = models.CharField(_("statut"), max_length=12, choices=BarrierStatus.choices)
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partenaire mobilisé"),
    )
    detail = models.CharField(_("précisions"), max_length=SHORT_TEXT, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("frein périphérique")
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["youth", "kind"], name="one_barrier_of_a_kind")]

    def __str__(self) -> str:
        return self.kind


class OccupationDomain(models.Model):
    """A grand domaine of the ROME (France Travail)."""

    code = models.CharField(max_length=1, primary_key=True)
    label = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("grand domaine ROME")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class Occupation(models.Model):
    """A fiche of the ROME v3.46 (Source : France Travail, ROME v3.46; Licence Ouverte 2.0)."""

    code = models.CharField(_("code ROME"), max_length=5, primary_key=True)
    ogr = models.PositiveIntegerField()
    label = models.CharField(_("métier"), max_length=200)
    domain = models.ForeignKey(OccupationDomain, on_delete=models.PROTECT, related_name="occupations")
    search_label = models.CharField(max_length=200, default="", db_index=True)

    class Meta:
        verbose_name = _("fiche ROME")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class ProfessionalProject(models.Model):
    """The validated professional project of a pathway: a target occupation and a few words; the
    last one recorded is the current one."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="projects")
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, related_name="+", verbose_name=_("métier visé (ROME)")
    )
    text = models.CharField(_("le projet en quelques mots"), max_length=SHORT_TEXT, blank=True)
    validated_on = models.DateField(_("validé le"), default=timezone.localdate)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("projet professionnel")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"projet {self.pk}"


class Outcome(models.Model):
    """Access to training or employment, and when it started."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("type de sortie"), max_length=16, choices=OutcomeKind.choices)
    starts_on = models.DateField(_("début le"))
    organisation_name = models.CharField(_("organisme ou employeur"), max_length=150, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("accès à la formation ou à l'emploi")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"sortie {self.pk}"


class FollowUp(models.Model):
    """The check 3 and 6 months after an outcome started: still there, and if not, why."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    done_on = models.DateField(null=True, blank=True)
    still_there = models.BooleanField(null=True, blank=True)
    reason = models.CharField(_("pourquoi"), max_length=SHORT_TEXT, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("suivi après la sortie")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["outcome", "months"], name="one_follow_up_per_term")]

    def __str__(self) -> str:
        return f"suivi à {self.months} mois"
