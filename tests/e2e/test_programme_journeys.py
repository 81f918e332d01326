"""The programme (issue 13) in a browser: the carrier's coordinator associates a partner with its
project and plans its budget on a phone; the funder reads its campaigns' projects, counts masked
when small, and sets a campaign's hourly rate. Each screen is checked with axe."""

from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from tests.e2e.helpers import assert_accessible, login, overflows

COORDINATOR = "coordinateur@reperes.example"
FUNDER = "region@reperes.example"
PROJECT = "Perdus de vue — Pays de Saverne"


def test_the_coordinator_associates_a_partner_and_plans_the_budget_on_a_phone(phone_page: Page, live_server, demo):
    page = phone_page
    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/programme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme : campagnes et projets")
    expect(page.get_by_role("link", name=PROJECT)).to_have_count(3)  # one per campaign
    assert overflows(page) == []
    assert_accessible(page)

    page.get_by_role("link", name=PROJECT).first.click()  # the campaign in progress comes first
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    expect(page.get_by_text("en cours", exact=True)).to_be_visible()
    page.get_by_label("Partenaire", exact=True).select_option(label="École de la 2e chance d'Alsace")
    page.get_by_label("Rôle dans le projet").select_option(label="formation et emploi")
    page.get_by_role("button", name="Associer").click()
    expect(
        page.get_by_text("École de la 2e chance d'Alsace est partenaire du projet (formation et emploi).")
    ).to_be_visible()
    assert overflows(page) == []
    assert_accessible(page)

    page.get_by_role("link", name="Modifier le budget").click()
    planned = page.get_by_label("Actions de mobilisation : montant prévu (€)").input_value()
    # 100 % of the actions' cost: above the campaign's ceiling.
    page.get_by_label("Actions de mobilisation : part demandée au financeur (€)").fill(planned)
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.locator("#id_actions_requested_error")).to_contain_text(
        "cofinance au plus 50 % du coût des actions de mobilisation"
    )
    assert_accessible(page)


def test_the_funder_reads_its_projects_and_sets_a_campaigns_rate(page: Page, live_server, demo):
    login(page, live_server, FUNDER, DEMO_PASSWORD)
    page.get_by_role("banner").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme : campagnes et projets")
    expect(page.get_by_text("secret : moins de 11 jeunes", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Modifier le projet")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Modifier les règles — Campagne").first.click()
    page.get_by_label("Taux horaire de l'ingénierie de projet (€)").fill("37")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Règles de la campagne enregistrées.")).to_be_visible()
    expect(page.get_by_text("37,00 € de l'heure")).to_be_visible()
    assert_accessible(page)
