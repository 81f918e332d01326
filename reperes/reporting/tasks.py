"""Background tasks of reperes.reporting, run by the database worker (ADR 006). No arguments: the
task row holds no personal data."""

from django.tasks import task

from reperes.reporting.services import freeze_bilans


@task
def freeze_bilans_task() -> dict[str, int]:
    """The nightly pass: each campaign's bilan frozen at its reference date before anyone reads it."""
    return freeze_bilans()
