from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.exports.enums import RUNNING_STATUSES, ExportStatus
from reperes.network.models import User

# A file is kept a day after it is ready, then deleted with its job (`jobs.delete_expired`).
KEEP_FOR = timedelta(days=1)
# A running job silent this long was left by a stopped worker (as list imports, ADR 006).
STALLED_AFTER = timedelta(minutes=10)


def default_expiry() -> datetime:
    return timezone.now() + KEEP_FOR


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def unexpired(self) -> "ExportJobQuerySet":
        return self.filter(expires_at__gt=timezone.now())


class ExportJob(models.Model):
    """One export asked by one user and made by the background worker: a report file (XLSX, CSV
    or PDF) of aggregate figures. Its parameters are ids, dates and choices, never personal data;
    the file is kept in the database until `expires_at`, readable by its owner only."""

    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("demandé par"))
    # The module path of the registered export (`reperes.exports.jobs.Export.module_path`).
    kind = models.CharField(max_length=200)
    title = models.CharField(_("export"), max_length=200)
    parameters = models.JSONField(default=dict)
    status = models.CharField(_("statut"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avancement"), default=0)  # percent
    error = models.CharField(max_length=200, blank=True)  # a French message, never a traceback
    file_name = models.CharField(_("fichier"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"), default=default_expiry)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"export {self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES and not self.is_stalled

    @property
    def is_stalled(self) -> bool:
        return self.status == ExportStatus.RUNNING and self.updated_at < timezone.now() - STALLED_AFTER

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.DONE and self.content is not None and self.expires_at > timezone.now()
