"""Background exports (reperes.exports): a job and its file are its owner's alone.

Whoever may start an export is decided by the rule of what it exports (the bilan's, a financial
report's), asked by the view that starts it and again by the export when the worker runs it. Once
made, the file is read only by the user who asked for it, while they hold a role: not their
coordinator, not an administrator — it holds what that user was allowed to see, no more.

Named by reperes.privacy.policy through __all__."""

from reperes.exports.models import ExportJob, ExportJobQuerySet
from reperes.privacy.rules.roles import AnyUser, role_of

__all__: list[str] = ["can_view_export_job", "export_jobs_visible_to"]


def export_jobs_visible_to(user: AnyUser) -> ExportJobQuerySet:
    """The jobs the user asked for, while the user holds a role; nobody else's."""
    if role_of(user) is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by=user.pk)


def can_view_export_job(user: AnyUser, job: ExportJob) -> bool:
    return export_jobs_visible_to(user).filter(pk=job.pk).exists()
