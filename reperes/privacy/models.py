from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.privacy.enums import AccessAction, Section, WriteAction


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Logs are written once and never changed: bulk updates and deletes are refused here; the
    retention job (later) is the only code allowed to purge, with raw SQL and its own audit."""

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
