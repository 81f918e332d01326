"""The access log's lines for reperes.mobilisation (merged into READS by test_access_log).

READS: URL name -> NoYouth(...) or a tuple of get(...)/post(...) reads (see test_access_log).
populate(world): creates what the reads need (the world's youths are Keller, Kelller, ...); the
  returned mapping is merged into world.extra, where the reads' kwargs lambdas find it.
no_youth_kwargs(route, world): the URL arguments for a NoYouth page of this app, else None.

Two actions of Mission locale A: « shared », run by partner P, with Keller enrolled (her consent
shares her file with P, so P's sheet names her in full); « held », run by partner R, with Zimmerlin
and Hufschmitt enrolled. A partner who may not see a file reads « Nadia Z. » on a sheet: the walk
below cannot tell that from a name (it looks for last names), so that case is tested in
tests/mobilisation/test_views.py, which checks both the short name and its log entry.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reperes.mobilisation.enums import ActionFormat, ActionKind
from reperes.mobilisation.services import add_session, create_action, enrol_youth
from reperes.network.models import Organisation
from tests.privacy.test_access_log import NoYouth, Read, get, listed, post
from tests.privacy.test_permission_matrix import Route


def action(name: str) -> Any:
    return lambda world: {"action_id": world.extra["mobilisation_actions"][name].pk}


def session(name: str) -> Any:
    return lambda world: {"session_id": world.extra["mobilisation_sessions"][name].pk}


def _sheet(name: str, status: str = "present") -> Any:
    return lambda world: {f"status-{world.extra['mobilisation_enrolments'][name].pk}": status}


READS: dict[str, NoYouth | tuple[Read, ...]] = {
    "mobilisation:action_list": NoYouth("titles, dates and counts of actions, never a youth"),
    "mobilisation:action_create": NoYouth("the form of a new action"),
    "mobilisation:action_edit": NoYouth("the form of an action: its partners, never a youth"),
    "mobilisation:session_create": NoYouth("adds a session and redirects", method="POST"),
    "mobilisation:action_detail": (
        # The organising Mission locale sees the youths enrolled (and their hours).
        get("counsellor", action("held"), *listed("Hufschmitt", "Zimmerlin")),
        get("coordinator", action("shared"), *listed("Keller")),
        # A partner running the action reads the counts only.
        get("partner", action("shared")),
        get("partner", action("held"), status=404),
        get("counsellor_b", action("held"), status=404),
        get("funder", action("held"), status=404),
    ),
    "mobilisation:attendance_sheet": (
        get("counsellor", session("held"), *listed("Hufschmitt", "Zimmerlin")),
        get("partner", session("shared"), *listed("Keller")),
        post("partner", session("shared"), _sheet("Keller")),
        post("counsellor", session("held"), _sheet("Zimmerlin", "absent")),
        get("partner", session("held"), status=404),
        post("partner", session("held"), _sheet("Zimmerlin"), status=404),
        get("counsellor_b", session("shared"), status=404),
    ),
    "mobilisation:enrol_search": (
        # The name travels in the body; only the results shown are logged.
        post("counsellor", action("held"), lambda world: {"q": "Keller"}, *listed("Keller"), status=200),
        post("counsellor", action("held"), lambda world: {"q": "Keller"}, *listed("Keller"), htmx=True, status=200),
        # Already enrolled: not offered again.
        post("counsellor", action("held"), lambda world: {"q": "Zimmerlin"}, status=200),
        post("partner", action("shared"), lambda world: {"q": "Keller"}, status=404),
    ),
    "mobilisation:withdraw": (
        # Names the youth in its message, as enrol does: the enrolment's youth is logged.
        post(
            "counsellor",
            action("held"),
            lambda world: {"enrolment": world.extra["mobilisation_enrolments"]["Zimmerlin"].pk},
        ),
        post(
            "counsellor_b",
            action("held"),
            lambda world: {"enrolment": world.extra["mobilisation_enrolments"]["Zimmerlin"].pk},
            status=404,
        ),
    ),
    "mobilisation:enrol": (
        post("counsellor", action("held"), lambda world: {"youth": world.id("Keller")}),
        post("counsellor_b", action("held"), lambda world: {"youth": world.id("Keller")}, status=404),
    ),
}


def populate(world: Any) -> dict[str, Any]:
    counsellor = world.users["counsellor"]
    partner_r = Organisation.objects.get(name="Partenaire R")
    today = timezone.localdate()

    def new_action(partner: Organisation) -> Any:
        return create_action(
            acting_user=counsellor,
            title="Atelier CV",
            kind=ActionKind.WORKSHOP,
            format=ActionFormat.COLLECTIVE,
            objectives="Écrire son CV.",
            partners=[partner],
            commune=world.youths["Keller"].commune,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=30),
            capacity=10,
            cost=Decimal("800.00"),
        )

    actions = {"shared": new_action(world.partner), "held": new_action(partner_r)}
    sessions = {
        name: add_session(
            item, acting_user=counsellor, starts_at=timezone.now() - timedelta(days=1), duration_minutes=90
        )
        for name, item in actions.items()
    }
    enrolled = {"Keller": "shared", "Zimmerlin": "held", "Hufschmitt": "held"}
    enrolments = {
        name: enrol_youth(actions[key], youth=world.youths[name], acting_user=counsellor)
        for name, key in enrolled.items()
    }
    return {"mobilisation_actions": actions, "mobilisation_sessions": sessions, "mobilisation_enrolments": enrolments}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    if route.arguments == {"action_id"}:
        return {"action_id": world.extra["mobilisation_actions"]["shared"].pk}
    return None
