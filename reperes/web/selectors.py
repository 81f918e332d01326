"""Reads behind the home pages."""

from typing import Any

from reperes.network.enums import Role
from reperes.network.models import User
from reperes.privacy import policy
from reperes.registry.selectors import signals_sent, triage_queue
from reperes.territory.models import Commune


def home_context(user: User) -> dict[str, Any]:
    """What the home pages show: the user's organisation, the size of its territory and,
    for administrators, the state of the reference data."""
    organisation = user.organisation
    context: dict[str, Any] = {"organisation": organisation}
    if organisation is not None and organisation.territory is not None:
        context["territory"] = organisation.territory
        context["territory_communes"] = organisation.territory.communes.count()
    if policy.can_triage_signals(user):
        context["queue_count"] = triage_queue(user).count()
    if policy.has_role(user, Role.PARTNER_WORKER):
        context["signals_sent_count"] = signals_sent(user).count()
    if policy.can_administer(user):
        context["commune_count"] = Commune.objects.current().count()
    return context
