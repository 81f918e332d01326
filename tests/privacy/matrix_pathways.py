"""The permission matrix's lines for reperes.pathways (merged into EXPECTED by test_permission_matrix),
written from the docstrings of reperes/privacy/rules/pathways.py."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reperes.network.enums import Role
from reperes.pathways.enums import Channel, ContactOutcome, DeclineReason
from reperes.pathways.services import record_contact
from tests.network.factories import MembershipFactory
from tests.privacy.test_permission_matrix import (
    COORDINATOR,
    COUNSELLOR,
    ML_STAFF,
    NOBODY,
    PARTNER,
    Rule,
    form,
    get,
    post,
)

FILE_READERS = {COUNSELLOR, COORDINATOR, PARTNER}


def _worked(data: Any = lambda world: {}) -> Rule:
    """can_work_pathway: staff of the Mission locale holding the file (an empty body is refused by the
    form, which re-renders the page: reaching the view)."""
    return post(data, shared=ML_STAFF, referred=ML_STAFF, unrelated=NOBODY)


EXPECTED: dict[str, Rule] = {
    # can_view_pathway: whoever reads the file (youths_visible_to).
    "pathways:pathway": get(shared=FILE_READERS, referred=ML_STAFF, unrelated=NOBODY),
    "pathways:contact_record": _worked(
        lambda world: {"happened_on": timezone.localdate().isoformat(), "channel": "phone", "outcome": "not_reached"}
    ),
    "pathways:stage_change": _worked(),
    "pathways:pathway_exit": _worked(),
    "pathways:pathway_reopen": _worked(),
    "pathways:barrier_set": _worked(),
    "pathways:project_validate": _worked(),
    "pathways:outcome_record": _worked(),
    "pathways:follow_up_record": _worked(),
    # can_add_note: whoever reads the file.
    "pathways:note_add": post(lambda world: {}, shared=FILE_READERS, referred=ML_STAFF, unrelated=NOBODY),
    # can_follow_youths: the caseload is for Mission locale staff.
    "pathways:caseload": get(none=ML_STAFF),
    # reapproaches_for: the organisation a re-approach was given to; every member with personal data
    # reads its (possibly empty) list.
    "pathways:reapproach_list": get(none=FILE_READERS),
    "pathways:reapproach_report": get(own={PARTNER}, other=NOBODY, action=form(own={PARTNER}, other=NOBODY)),
}

# reapproach_id: own (a re-approach of Mission locale A given to partner P), other (one of B given to R).
RELATIONS: dict[frozenset[str], tuple[str, ...]] = {frozenset({"reapproach_id"}): ("own", "other")}


def _declined(youth: Any, by: Any, counsellor: Any) -> int:
    today = timezone.localdate()
    attempt = record_contact(
        youth,
        acting_user=counsellor,
        channel=Channel.PHONE,
        outcome=ContactOutcome.REACHED_DECLINES,
        happened_on=today,
        decline_reason=DeclineReason.NOT_NOW,
        reapproach_on=today + timedelta(days=30),
        reapproach_by=by,
        reapproach_how=Channel.STREET,
    )
    return youth.reapproaches.get(declined=attempt).pk


def populate(world: Any) -> dict[str, dict[str, int]]:
    mission_b = world.other_signal.mission_locale
    counsellor_b = MembershipFactory(role=Role.COUNSELLOR, organisation=mission_b).user
    return {
        "reapproach_id": {
            "own": _declined(world.shared, world.partner, world.users[COUNSELLOR]),
            "other": _declined(world.other_signal.youth, world.other_signal.organisation, counsellor_b),
        }
    }
