"""Running the platform (reperes.operations): the scheduled jobs and their last runs are the
platform administrator's. They name tasks, times and counts, never a young person.

Named by reperes.privacy.policy through __all__."""

from reperes.network.enums import Role
from reperes.privacy.rules.roles import AnyUser, has_role

__all__: list[str] = [
    "can_launch_scheduled_job",
    "can_simulate_retention",
    "can_view_retention_runs",
    "can_view_scheduled_jobs",
]


def can_view_scheduled_jobs(user: AnyUser) -> bool:
    """Platform administrators see every scheduled job, its next time and its last run."""
    return has_role(user, Role.ADMIN)


def can_launch_scheduled_job(user: AnyUser, *, pending: bool) -> bool:
    """An administrator launches a job before its time, unless a run of it is already waiting or
    running (a second would do the same work twice)."""
    return can_view_scheduled_jobs(user) and not pending


def can_view_retention_runs(user: AnyUser) -> bool:
    """Platform administrators see each pass of the retention job: its cutoffs and its counts per
    Mission locale, never a name (ADR 013)."""
    return has_role(user, Role.ADMIN)


def can_simulate_retention(user: AnyUser, *, pending: bool) -> bool:
    """An administrator asks for a dry run (it changes nothing), unless a pass is already waiting
    or running."""
    return can_view_retention_runs(user) and not pending
