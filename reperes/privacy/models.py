from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.privacy.enums import AccessAction, Section, WriteAction


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Logs are written once and never changed: bulk updates and deletes are refused here. The
    retention job (reperes/privacy/retention.py) is the only caller of `purge` and `scrub` below,
    which go round the refusal (tests/privacy/test_retention.py checks that nothing else does)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("append-only log")

    def delete(self) -> NoReturn:
        raise PermissionError("append-only log")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("append-only log")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("append-only log")


def purge(queryset: AppendOnlyQuerySet) -> int:
    """Deletes log entries past their retention period; the count deleted."""
    deleted, _by_model = models.QuerySet.delete(queryset)
    return deleted


def scrub(records: "list[WriteRecord]", fields: list[str]) -> None:
    """Rewrites history records' values at anonymisation (who, when and what kind stay)."""
    if records:
        plain: models.QuerySet[WriteRecord] = models.QuerySet(model=WriteRecord)
        plain.bulk_update(records, fields, batch_size=500)


class AccessLog(AppendOnlyModel):
    """Who saw which youth's file, when, which part and why (CNIL: kept 6 months to a year, no
    sensitive values in it). `youth_id` is a plain id so the entry outlives an anonymisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    youth_id = models.BigIntegerField(db_index=True)
    # The parts of the file shown by this read, comma-separated Section values.
    sections = models.CharField(max_length=60, default=Section.IDENTITY)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    reason = models.CharField(max_length=100, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} youth={self.youth_id} user={self.user_id}"

    def section_labels(self) -> str:
        return ", ".join(str(Section(code).label) for code in self.sections.split(",") if code in Section.values)


class WriteRecord(AppendOnlyModel):
    """Every write to personal data: who, when, which record, the values before and after."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=WriteAction.choices)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("historique des modifications")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.model}={self.object_id}"


class RetentionRun(models.Model):
    """One pass of the retention job, dry or not: when, by whom (nobody: the clock), the cutoffs it
    applied and what it changed, in counts per Mission locale; never a name or a youth's id."""

    dry_run = models.BooleanField(_("simulation"))
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("lancée par")
    )
    started_at = models.DateTimeField(_("commencée le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    cutoffs = models.JSONField(_("dates limites"), default=dict)
    counts = models.JSONField(_("effectifs"), default=dict)

    class Meta:
        verbose_name = _("passage de la conservation des données")
        verbose_name_plural = _("passages de la conservation des données")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"conservation {self.started_at:%Y-%m-%d %H:%M}{' (simulation)' if self.dry_run else ''}"
