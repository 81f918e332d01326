"""The access log's lines for reperes.pathways (merged into READS by test_access_log)."""

from typing import Any

from django.utils import timezone

from reperes.pathways.enums import Channel, ContactOutcome, DeclineReason
from reperes.pathways.services import record_contact
from reperes.privacy.enums import Section
from tests.privacy.test_access_log import (
    FILE,
    NoYouth,
    Read,
    get,
    listed,
    no_arguments,
    post,
    read,
    youth,
)
from tests.privacy.test_permission_matrix import Route

# Keller's file as the pathway page shows it: the health barrier P signalled appears, « à confirmer »,
# to her référent and to P (whose consent shares health); the colleague does not hold the section.
KELLER_PATHWAY = FILE | {Section.HEALTH}


def _plan(world: Any) -> dict[str, Any]:
    return {"reapproach_id": world.extra["keller_plan"]}


def _refused(who: str, sections: frozenset[str] = KELLER_PATHWAY) -> Read:
    """An empty body: the form refuses it and the page is shown again with the file (one read)."""
    return post(who, youth("Keller"), no_arguments, read("Keller", sections), status=200)


READS: dict[str, NoYouth | tuple[Read, ...]] = {
    "pathways:pathway": (
        get("counsellor", youth("Keller"), read("Keller", KELLER_PATHWAY)),  # the référent
        get("colleague", youth("Keller"), read("Keller", FILE)),
        get("partner", youth("Keller"), read("Keller", KELLER_PATHWAY)),
        get("counsellor", youth("Hufschmitt"), read("Hufschmitt", FILE)),
        get("partner", youth("Pfisterer"), status=404),
        get("counsellor_b", youth("Keller"), status=404),
        get("funder", youth("Keller"), status=404),
    ),
    "pathways:contact_record": (
        post(
            "counsellor",
            youth("Keller"),
            lambda world: {
                "happened_on": timezone.localdate().isoformat(),
                "channel": "phone",
                "outcome": "not_reached",
            },
        ),
        _refused("counsellor"),
        post("partner", youth("Keller"), status=404),
    ),
    "pathways:stage_change": (_refused("counsellor"),),
    "pathways:pathway_exit": (_refused("counsellor"),),
    "pathways:pathway_reopen": (post("counsellor", youth("Keller")),),
    "pathways:barrier_set": (_refused("counsellor"), _refused("colleague", FILE)),
    "pathways:project_validate": (_refused("counsellor"),),
    "pathways:outcome_record": (_refused("counsellor"),),
    "pathways:follow_up_record": (_refused("counsellor"),),
    "pathways:note_add": (_refused("partner"), post("partner", youth("Pfisterer"), status=404)),
    "pathways:caseload": (
        get("counsellor", no_arguments, *listed("Keller")),
        get("coordinator"),  # follows nobody herself
        get("partner", status=404),
        get("funder", status=404),
    ),
    "pathways:reapproach_list": (
        get("partner", no_arguments, *listed("Keller")),
        get("counsellor"),
        get("funder", status=404),
    ),
    "pathways:reapproach_report": (
        get("partner", _plan, read("Keller")),
        get("counsellor_b", _plan, status=404),
    ),
}


def populate(world: Any) -> dict[str, Any]:
    today = timezone.localdate()
    attempt = record_contact(
        world.youths["Keller"],
        acting_user=world.users["counsellor"],
        channel=Channel.PHONE,
        outcome=ContactOutcome.REACHED_DECLINES,
        happened_on=today,
        decline_reason=DeclineReason.NOT_NOW,
        reapproach_on=today,
        reapproach_by=world.partner,
        reapproach_how=Channel.STREET,
    )
    return {"keller_plan": world.youths["Keller"].reapproaches.get(declined=attempt).pk}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    return None
