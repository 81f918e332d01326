"""Background tasks of reperes.exports, run by the database worker (ADR 006, ADR 010). The
argument is the job's id: the task row holds no personal data."""

from django.tasks import task

from reperes.exports import services


@task
def run_export(job_id: int) -> str:
    """One export; first, the files past their expiry are deleted and dead jobs marked failed."""
    services.delete_expired()
    services.recover_stalled()
    return services.run_job(job_id)
