"""Background tasks of reperes.privacy, run by the database worker (ADR 006)."""

from typing import Any

from django.tasks import task

from reperes.network.models import User
from reperes.privacy import retention


@task
def retention_task(dry_run: bool = False, launched_by: int | None = None) -> dict[str, Any]:
    """The nightly retention pass (ADR 013), or a dry run an administrator asked for. Its
    arguments are a flag and an account id: a task row holds no personal data."""
    user = User.objects.filter(pk=launched_by).first() if launched_by is not None else None
    run = retention.run(dry_run=dry_run, acting_user=user)
    counts: dict[str, Any] = run.counts
    return {key: value for key, value in counts.items() if not key.endswith("_by_mission")}
