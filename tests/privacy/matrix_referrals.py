"""The permission matrix's lines for reperes.referrals (merged into EXPECTED by test_permission_matrix).

EXPECTED: URL name -> Rule, written from the rules' docstrings (reperes/privacy/rules/referrals.py).
RELATIONS: referral_id -> own (Mission locale A refers the youth it shares with P, « Sofia », to P:
  P already reads that file by consent, so no other line changes), other (Mission locale B refers
  its youth reported by R to R).
populate(world): creates both referrals through the service; returns their pks.
"""

from typing import Any

from reperes.privacy import policy
from reperes.referrals.models import Referral
from reperes.referrals.services import send_referral
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
from tests.registry.factories import ConsentFactory

RELATIONS: dict[frozenset[str], tuple[str, ...]] = {frozenset({"referral_id"}): ("own", "other")}


def _version(world: Any) -> int:
    return Referral.objects.get(pk=world.extra["referral_id"]["own"]).version


EXPECTED: dict[str, Rule] = {
    # referrals_visible_to: Mission locale staff (the referrals of their files) and partner workers
    # (those addressed to their organisation); the funder and the administrator see no person.
    "referrals:inbox": get(none={COUNSELLOR, COORDINATOR, PARTNER}),
    # can_refer (= can_edit_youth): staff of the Mission locale holding the file; a partner who
    # reads the file never refers. An empty body is refused by the form (reaching the view).
    "referrals:create": get(
        shared=ML_STAFF,
        referred=ML_STAFF,
        unrelated=NOBODY,
        action=form(shared=ML_STAFF, referred=ML_STAFF, unrelated=NOBODY),
    ),
    # can_refer_to_services: Mission locale staff, from any active partner's service; the youth's
    # name searched travels in the POST body (an empty one is refused by the form).
    "referrals:from_service": get(own=ML_STAFF, other=ML_STAFF, action=form(own=ML_STAFF, other=ML_STAFF)),
    # referrals_visible_to: A's staff and P's worker for A's referral to P; nobody here for B's to R.
    "referrals:detail": get(own={COUNSELLOR, COORDINATOR, PARTNER}, other=NOBODY),
    # can_answer_referral: a worker of the receiving organisation, while the referral is active.
    "referrals:answer": post(
        lambda world: {"status": "received", "version": _version(world)}, own={PARTNER}, other=NOBODY
    ),
    # can_withdraw_referral: staff of the Mission locale holding the file.
    "referrals:withdraw": post(lambda world: {"version": _version(world)}, own=ML_STAFF, other=NOBODY),
}


def populate(world: Any) -> dict[str, dict[str, int]]:
    own = send_referral(
        world.shared, to_organisation=world.partner, reason="Accueil de jour", acting_user=world.users[COUNSELLOR]
    )
    youth_b = world.other_signal.youth
    partner_r = world.other_signal.organisation
    counsellor_b = policy.possible_referents(youth_b.mission_locale).first()
    ConsentFactory(youth=youth_b, informed_how="in_person", share_with=[partner_r], acting_user=counsellor_b)
    other = send_referral(youth_b, to_organisation=partner_r, reason="Hébergement", acting_user=counsellor_b)
    return {"referral_id": {"own": own.pk, "other": other.pk}}
