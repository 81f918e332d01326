"""The counsellor's caseload as she reads it: names in French alphabetical order."""

import unicodedata

from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.network.enums import Role
from reperes.registry.enums import SignalConsent
from reperes.registry.services import send_signal
from reperes.territory.models import Commune
from tests.e2e.helpers import assert_accessible, login
from tests.network.factories import MembershipFactory

COUNSELLOR = "conseillere@reperes.example"


def french(name: str) -> str:
    """The order a French reader expects: accents and case set aside, « Œ » as « OE »."""
    decomposed = unicodedata.normalize("NFKD", name.replace("Œ", "OE").replace("œ", "oe"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_order(shown: str) -> tuple[str, str]:
    """« Inès AARON-BÈGUE » sorts by its name in capitals, then its first names."""
    words = shown.split()
    split = len(words)
    while split > 1 and words[split - 1].isupper():
        split -= 1
    return french(" ".join(words[split:])), french(" ".join(words[:split]))


def test_the_caseload_lists_names_in_french_order(page: Page, live_server, demo):
    reporter = MembershipFactory(role=Role.PARTNER_WORKER).user
    strasbourg = Commune.objects.get(code="67482")
    for last_name in ("Aaron-Bègue", "Aaron-Brunet", "Aaron-Éluard", "Aaron-Eckert"):
        send_signal(
            author=reporter,
            first_name="Inès",
            last_name=last_name,
            commune=strasbourg,
            consent=SignalConsent.CONTACT,
            approximate_age=19,
        )
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/jeunes/")
    names = page.locator("#results tbody tr td:first-child").all_inner_texts()
    expect(page.get_by_role("link", name="Inès AARON-BÈGUE")).to_be_visible()
    assert names[:4] == ["Inès AARON-BÈGUE", "Inès AARON-BRUNET", "Inès AARON-ECKERT", "Inès AARON-ÉLUARD"]
    assert names == sorted(names, key=name_order)
    assert_accessible(page)
