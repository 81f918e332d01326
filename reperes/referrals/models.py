"""Referrals (orientations): a Mission locale sends a youth to a partner of the mesh, which
acknowledges, accepts or declines, and says when it is done. While a referral is active the
partner reads the youth's file (ADR 008)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.network.models import Organisation, Service
from reperes.referrals.enums import ACTIVE_STATUSES, EXPIRY_DAYS, UNANSWERED_STATUSES, ReferralStatus
from reperes.registry.models import Youth


def default_expiry() -> date:
    return timezone.localdate() + timedelta(days=EXPIRY_DAYS)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def active(self, today: date | None = None) -> "ReferralQuerySet":
        """Referrals that grant the partner the file today: accepted ones, and unanswered ones not
        yet past their expiry (so that a late sweep never extends an access)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(status=ReferralStatus.ACCEPTED) | Q(status__in=UNANSWERED_STATUSES, expires_on__gte=today)
        )

    def overdue(self, today: date) -> "ReferralQuerySet":
        return self.filter(status__in=UNANSWERED_STATUSES, expires_on__lt=today)


class Referral(models.Model):
    """One youth sent by a Mission locale to one partner (and, optionally, one of its services)."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("jeune"))
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("envoyée par")
    )
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("Mission locale")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", verbose_name=_("partenaire")
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals", verbose_name=_("service")
    )
    reason = models.CharField(_("motif de l'orientation"), max_length=200)
    # Sensitive sections (privacy.enums.Section) shared with the partner; identity and pathway always are.
    shared_sections = models.JSONField(_("sections sensibles partagées"), default=list, blank=True)
    # Non-empty only when sent without a consent in force naming the partner (and what it shares).
    consent_override_reason = models.CharField(_("motif de l'envoi sans consentement"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_on = models.DateField(_("expire le"), default=default_expiry)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse de"),
    )
    answer_reason = models.CharField(_("motif de la réponse"), max_length=200, blank=True)
    reminder_sent_at = models.DateTimeField(_("relance le"), null=True, blank=True)
    # Raised at each change: an answer built from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["from_organisation", "status"]),
            models.Index(fields=["youth", "status"]),
        ]

    def __str__(self) -> str:
        return f"orientation {self.pk}"

    @property
    def is_active(self) -> bool:
        if self.status == ReferralStatus.ACCEPTED:
            return True
        return self.status in UNANSWERED_STATUSES and self.expires_on >= timezone.localdate()

    @property
    def is_open(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ReferralEvent(models.Model):
    """The dated history of a referral: one row per status change (none by for the sweep)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("statut"), max_length=10, choices=ReferralStatus.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("étape d'une orientation")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status}"
