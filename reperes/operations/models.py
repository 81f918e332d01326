"""What the operator of the platform does by hand: a scheduled job launched before its time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobLaunch(models.Model):
    """A scheduled job an administrator launched by hand (the clock's own runs are the task
    results themselves, reperes/operations/schedule.py). Kept so that « qui l'a lancé » has an answer."""

    job = models.CharField(_("tâche"), max_length=40)
    task_result_id = models.CharField(_("exécution"), max_length=64, unique=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("lancée par")
    )
    launched_at = models.DateTimeField(_("lancée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lancement d'une tâche planifiée")
        verbose_name_plural = _("lancements de tâches planifiées")
        ordering = ["-launched_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.job} {self.launched_at:%Y-%m-%d %H:%M}"
