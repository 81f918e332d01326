"""Background tasks of reperes.referrals, run by the database worker (ADR 006). No arguments: the
task row holds no personal data."""

from django.tasks import task

from reperes.referrals.services import sweep


@task
def referrals_sweep() -> dict[str, int]:
    """The daily pass: unanswered referrals past their expiry expire; those unanswered for
    REPERES_REFERRAL_REMINDER_DAYS days are marked reminded (the mail comes later)."""
    return sweep()
