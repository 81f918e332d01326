"""The permission matrix's lines for reperes.mobilisation (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rules' docstrings (see test_permission_matrix).
RELATIONS: a new argument name -> the relations it is exercised with (as RELATIONS_BY_ARGUMENTS).
populate(world): creates the objects those relations name; returns argument name -> relation -> pk.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reperes.mobilisation.enums import ActionFormat, ActionKind
from reperes.mobilisation.services import add_session, create_action, enrol_youth
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

# Mission locale staff see their Mission locale's actions, partner workers those their
# organisation runs (actions_visible_to); the funder and the administrator none (can_see_actions).
SEES_ACTIONS = frozenset({COUNSELLOR, COORDINATOR, PARTNER})

EXPECTED: dict[str, Rule] = {
    # can_see_actions: titles, dates and counts of the actions visible to the user.
    "mobilisation:action_list": get(none=SEES_ACTIONS),
    # can_create_actions: counsellors and coordinators of a Mission locale (an empty body is
    # refused by the form, which counts as reaching the view).
    "mobilisation:action_create": get(none=ML_STAFF, action=form(none=ML_STAFF)),
    # actions_visible_to: « own » is an action of Mission locale A run by partner P; « other » one of
    # Mission locale B run by partner Q.
    "mobilisation:action_detail": get(own=SEES_ACTIONS, other=NOBODY),
    # can_manage_action: staff of the organising Mission locale; the partners running it do not edit it.
    "mobilisation:action_edit": get(own=ML_STAFF, other=NOBODY, action=form(own=ML_STAFF, other=NOBODY)),
    # POST-only, can_manage_action (an empty body is refused with a message and a redirect).
    "mobilisation:session_create": post(lambda world: {}, own=ML_STAFF, other=NOBODY),
    # POST-only, can_manage_action: the name searched travels in the body.
    "mobilisation:enrol_search": post(lambda world: {"q": "Nadia"}, own=ML_STAFF, other=NOBODY),
    # POST-only, can_manage_action + can_enrol_youth: a youth A holds, not yet enrolled.
    "mobilisation:enrol": post(lambda world: {"youth": world.known["own"].pk}, own=ML_STAFF, other=NOBODY),
    # POST-only, can_manage_action: the enrolment travels in the body (the own action's).
    "mobilisation:withdraw": post(
        lambda world: {"enrolment": world.extra["_enrolment"]["own"]}, own=ML_STAFF, other=NOBODY
    ),
    # can_record_attendance: staff of the organising Mission locale and workers of the partners
    # running the action. A valid sheet: the youth enrolled in the own action, present.
    "mobilisation:attendance_sheet": get(
        own=SEES_ACTIONS,
        other=NOBODY,
        action=form(
            lambda world: {f"status-{world.extra['_enrolment']['own']}": "present"}, own=SEES_ACTIONS, other=NOBODY
        ),
    ),
}
RELATIONS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({"action_id"}): ("own", "other"),
    # session_id: a past session of the own action, and one of the other action.
    frozenset({"session_id"}): ("own", "other"),
}


def populate(world: Any) -> dict[str, dict[str, int]]:
    mission_a = world.own_organisation[COUNSELLOR]
    counsellor_b = world.merges["other"].merged_by
    today = timezone.localdate()

    def action(user: Any, partner: Any, code: str) -> Any:
        return create_action(
            acting_user=user,
            title="Atelier CV",
            kind=ActionKind.WORKSHOP,
            format=ActionFormat.COLLECTIVE,
            objectives="Écrire son CV.",
            partners=[partner],
            commune=world.shared.commune if code == "own" else world.known["other"].commune,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=30),
            capacity=10,
            cost=Decimal("1000.00"),
        )

    assert world.users[COUNSELLOR].organisation == mission_a
    actions = {
        "own": action(world.users[COUNSELLOR], world.partner, "own"),
        "other": action(counsellor_b, world.other, "other"),
    }
    sessions = {
        relation: add_session(
            item,
            acting_user=item.created_by,
            starts_at=timezone.now() - timedelta(days=2),
            duration_minutes=120,
            place="Salle 1",
        )
        for relation, item in actions.items()
    }
    enrolments = {
        "own": enrol_youth(actions["own"], youth=world.shared, acting_user=world.users[COUNSELLOR]),
        "other": enrol_youth(actions["other"], youth=world.known["other"], acting_user=counsellor_b),
    }
    return {
        "action_id": {relation: item.pk for relation, item in actions.items()},
        "session_id": {relation: item.pk for relation, item in sessions.items()},
        "_enrolment": {relation: item.pk for relation, item in enrolments.items()},
    }
