"""The access log's lines for reperes.referrals (merged into READS by test_access_log).

populate(world) adds three referrals: KELLER to P (sent by her référent; her consent names P),
PFISTERER to P (sent by the coordinator without consent, with a reason, then declined by P: P no
longer reads his file), HERTZOG to R (Mission locale B, by consent). P already read KELLER's file
by consent, so no other line changes.
"""

from typing import Any

from reperes.privacy import policy
from reperes.privacy.enums import Section
from reperes.referrals.enums import ReferralStatus
from reperes.referrals.models import Referral
from reperes.referrals.services import answer_referral, send_referral
from tests.privacy.test_access_log import FILE, NoYouth, Read, get, listed, no_arguments, post, read, youth
from tests.privacy.test_permission_matrix import Route
from tests.registry.factories import ConsentFactory


def referral(name: str) -> Any:
    return lambda world: {"referral_id": world.extra["referrals"][name].pk}


def _version(name: str) -> Any:
    return lambda world: {"version": Referral.objects.get(pk=world.extra["referrals"][name].pk).version}


def _answer(name: str, status: str) -> Any:
    return lambda world: _version(name)(world) | {"status": status}


def _service(world: Any) -> dict[str, Any]:
    return {"service_id": world.service.pk}


def _search(q: str) -> Any:
    return lambda world: {"q": q}


def _to_r(world: Any) -> dict[str, Any]:
    # Keller's consent names P only: her référent sends to R with a reason.
    return {
        "to_organisation": world.signals["Kelller"].organisation_id,
        "reason": "Atelier",
        "consent_override_reason": "Urgence",
    }


READS: dict[str, NoYouth | tuple[Read, ...]] = {
    # The referrals of A's files for its staff (KELLER, and PFISTERER declined); for P only the
    # active one addressed to it; nobody for the funder and the administrator.
    "referrals:inbox": (
        get("counsellor", no_arguments, *listed("Keller", "Pfisterer")),
        get("coordinator", no_arguments, *listed("Keller", "Pfisterer")),
        get("partner", no_arguments, *listed("Keller")),
        get("counsellor_b", no_arguments, *listed("Hertzog")),
        get("funder", status=404),
        get("admin", status=404),
    ),
    # The form names the youth and the partners her consent names (identity, pathway); a valid
    # referral redirects, a refused one shows it again.
    "referrals:create": (
        get("counsellor", youth("Keller"), read("Keller", FILE)),
        post("counsellor", youth("Keller"), lambda world: {}, read("Keller", FILE), status=200),
        post("counsellor", youth("Keller"), _to_r),
        get("partner", youth("Keller"), status=404),
        get("counsellor_b", youth("Keller"), status=404),
    ),
    # A service page names nobody until a search, whose results are listed.
    "referrals:from_service": (
        get("counsellor", _service),
        post("counsellor", _service, _search("keller"), *listed("Keller"), status=200),
        post("coordinator", _service, _search("ines"), *listed("Keller", "Kelller"), htmx=True, status=200),
        post("counsellor", _service, _search("hertzog"), status=200),
        get("partner", _service, status=404),
    ),
    # The referral names the youth and belongs to its pathway; the sections it shares are named
    # only to those who hold them (none shared here).
    "referrals:detail": (
        get("counsellor", referral("Keller"), read("Keller", FILE)),
        get("colleague", referral("Keller"), read("Keller", FILE)),
        get("partner", referral("Keller"), read("Keller", FILE)),
        get("coordinator", referral("Pfisterer"), read("Pfisterer", FILE)),
        get("partner", referral("Pfisterer"), status=404),  # declined: no longer P's
        get("counsellor_b", referral("Hertzog"), read("Hertzog", FILE)),
        get("counsellor", referral("Hertzog"), status=404),
        get("funder", referral("Keller"), status=404),
    ),
    "referrals:answer": (
        post("partner", referral("Keller"), _answer("Keller", ReferralStatus.RECEIVED)),
        post("partner", referral("Pfisterer"), _answer("Pfisterer", ReferralStatus.ACCEPTED), status=404),
        post("counsellor", referral("Keller"), _answer("Keller", ReferralStatus.RECEIVED), status=404),
    ),
    "referrals:withdraw": (
        post("counsellor", referral("Keller"), _version("Keller")),
        post("partner", referral("Keller"), _version("Keller"), status=404),
    ),
}


def populate(world: Any) -> dict[str, Any]:
    counsellor, coordinator, partner = world.users["counsellor"], world.users["coordinator"], world.users["partner"]
    keller = send_referral(
        world.youths["Keller"], to_organisation=world.partner, reason="Accueil", acting_user=counsellor
    )
    pfisterer = send_referral(
        world.youths["Pfisterer"],
        to_organisation=world.partner,
        reason="Accueil",
        consent_override_reason="Le jeune l'a demandé au téléphone",
        acting_user=coordinator,
    )
    answer_referral(pfisterer, status=ReferralStatus.DECLINED, reason="Complet", version=1, acting_user=partner)
    hertzog = world.youths["Hertzog"]
    partner_r = world.signals["Hertzog"].organisation
    counsellor_b = world.users["counsellor_b"]
    ConsentFactory(youth=hertzog, informed_how="in_person", share_with=[partner_r], acting_user=counsellor_b)
    other = send_referral(hertzog, to_organisation=partner_r, reason="Hébergement", acting_user=counsellor_b)
    assert not policy.can_view_youth(partner, world.youths["Pfisterer"])
    assert policy.sections_visible_to(partner, world.youths["Keller"]) == FILE | {Section.HOUSING, Section.HEALTH}
    return {"referrals": {"Keller": keller, "Pfisterer": pfisterer, "Hertzog": other}}


def no_youth_kwargs(route: Route, world: Any) -> dict[str, Any] | None:
    return None
