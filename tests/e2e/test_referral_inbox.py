"""A partner answers a referral from a phone: the inbox is cards, the answer buttons fit the screen,
and once declined the referral (and the file) are no longer the partner's."""

from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.network.models import User
from reperes.referrals.services import send_referral
from reperes.registry.models import Youth
from tests.e2e.helpers import assert_accessible, login, overflows

PARTNER = "partenaire@reperes.example"
COORDINATOR = "coordinateur@reperes.example"
# The page wider than the layout viewport (innerWidth grows with overflowing content on a phone).


def test_a_partner_answers_a_referral_from_a_phone(phone_page: Page, live_server, demo):
    page = phone_page
    partner, coordinator = User.objects.get(email=PARTNER), User.objects.get(email=COORDINATOR)
    youth = Youth.objects.active().filter(mission_locale=coordinator.organisation).order_by("pk").first()
    assert youth is not None and partner.organisation is not None
    send_referral(
        youth,
        to_organisation=partner.organisation,
        reason="Accompagnement vers un atelier de remobilisation",
        consent_override_reason="Le jeune l'a demandé lors de l'entretien",
        acting_user=coordinator,
    )

    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/orientations/")
    expect(page.get_by_role("heading", level=1, name="Orientations reçues")).to_be_visible()
    card = page.get_by_role("link", name=youth.display_name)
    expect(card).to_be_visible()
    assert overflows(page) == []
    assert_accessible(page)

    card.click()
    expect(page.get_by_role("heading", level=1, name=youth.display_name)).to_be_visible()
    expect(page.get_by_text("Accompagnement vers un atelier de remobilisation")).to_be_visible()
    expect(page.get_by_text("Le jeune l'a demandé")).to_have_count(0)  # the override is the Mission locale's
    assert overflows(page) == []
    assert_accessible(page)
    accept = page.get_by_role("button", name="Accepter")
    expect(accept).to_be_in_viewport()
    accept.click()
    expect(page.get_by_text("Réponse enregistrée : orientation acceptée.")).to_be_visible()
    expect(page.get_by_role("button", name="Marquer comme terminée")).to_be_visible()

    page.get_by_label("Motif du refus").fill("Le jeune ne s'est pas présenté")
    page.get_by_role("button", name="Refuser").click()
    expect(page.get_by_text("Réponse enregistrée : orientation refusée.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Orientations reçues")).to_be_visible()
    expect(page.get_by_role("link", name=youth.display_name)).to_have_count(0)
