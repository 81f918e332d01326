"""Reads of reperes.referrals. The functions below are called by other apps; keep their signatures."""

from collections.abc import Iterable
from typing import Any

from reperes.network.models import User
from reperes.pathways.timeline import TimelineEntry
from reperes.registry.models import Youth


def timeline_entries(user: User, youth: Youth) -> list[TimelineEntry]:
    """What this app recorded about the youth, as this user may see it (the pathway page's timeline)."""
    return []


def home_card(user: User) -> dict[str, Any]:
    """Context for the template `referrals/partials/home_card.html` on the home pages (empty: no card)."""
    return {}


def youths_needing_attention(youth_ids: Iterable[int]) -> dict[int, str]:
    """Among these youths, those this app flags for the caseload's « risk of being lost again » alerts,
    with a short French reason and next step each."""
    return {}
