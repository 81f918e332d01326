"""Journeys through the partnership mesh on a phone (390 px): the coverage page filtered to its
gaps, and a directory card with a phone number to call."""

from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.network.models import Organisation
from tests.e2e.helpers import assert_accessible, login
from tests.e2e.test_signal_journeys import phone_logout

COORDINATOR = "coordinateur@reperes.example"
FOYER = "Foyer de jeunes travailleurs Les Tilleuls"


def test_a_coordinator_filters_the_coverage_page_to_the_gaps_on_a_phone(phone_page: Page, live_server, demo):
    page = phone_page
    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reseau/couverture/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Couverture du territoire")
    summary = page.get_by_role("region", name="En résumé")
    expect(summary.get_by_text("Communes sans partenaire de repérage")).to_be_visible()
    expect(summary.get_by_text("% du territoire")).to_be_visible()
    assert page.locator("details[open]").count() == 0  # grouped by EPCI, collapsed
    assert_accessible(page)

    page.get_by_label("Communes sans partenaire de repérage seulement").check()
    page.get_by_role("button", name="Afficher", exact=True).click()
    expect(page.get_by_role("heading", name="Communes sans partenaire de repérage, par EPCI")).to_be_visible()
    groups = page.locator("details.coverage-group")
    expect(groups.first).to_have_attribute("open", "")
    expect(groups.first.get_by_role("table")).to_be_visible()
    rows = page.locator("details.coverage-group tbody tr")
    assert rows.count() == rows.locator(".badge", has_text="sans repérage").count() > 0  # only the gaps
    expect(summary.get_by_text("Communes sans partenaire de repérage")).to_be_visible()
    assert_accessible(page)
    phone_logout(page)


def test_a_directory_card_gives_a_phone_number_to_call_on_a_phone(phone_page: Page, live_server, demo):
    Organisation.objects.filter(name=FOYER).update(phone="0329194931", email="accueil@tilleuls.example")
    page = phone_page
    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reseau/")
    page.get_by_label("Mots-clés").fill("Tilleuls")
    page.get_by_role("button", name="Rechercher").click()
    card = page.locator("#results li", has_text=FOYER).first
    call = card.get_by_role("link", name="03 29 19 49 31")
    expect(call).to_have_attribute("href", "tel:+33329194931")
    expect(card.get_by_role("link", name="accueil@tilleuls.example")).to_be_visible()
    assert_accessible(page)
