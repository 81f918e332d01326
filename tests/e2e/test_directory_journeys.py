import pytest
from playwright.sync_api import expect

from reperes.demo.accounts import DEMO_PASSWORD
from tests.e2e.helpers import assert_accessible, login

COORDINATOR = "coordinateur@reperes.example"


def test_coordinator_finds_housing_for_a_youth_in_saverne_in_three_clicks(page, live_server, demo):
    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.get_by_role("link", name="Annuaire").click()  # 1
    page.wait_for_load_state("load")  # htmx binds its triggers once the document has loaded
    page.get_by_label("Besoin").select_option(label="Logement et hébergement (tout)")  # 2
    commune = page.get_by_label("Commune du jeune")
    commune.press_sequentially("saverne")
    expect(page.locator("#id_commune-suggestions option").first).to_have_attribute("value", "Saverne (67700) — 67437")
    commune.fill("Saverne (67700) — 67437")
    page.get_by_role("button", name="Rechercher").click()  # 3
    results = page.locator("#results")
    expect(results.get_by_text("Foyer de jeunes travailleurs Les Tilleuls")).to_be_visible()
    expect(results.get_by_text("services trouvés").or_(results.get_by_text("service trouvé"))).to_be_visible()
    assert_accessible(page)


def test_coordinator_sees_the_rural_gap_of_the_pays_de_saverne(page, live_server, demo):
    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.get_by_role("link", name="Couverture", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Couverture du territoire")
    gaps = page.get_by_role("table", name="Communes sans partenaire de repérage, les plus peuplées d'abord")
    expect(gaps).to_be_visible()
    expect(gaps.get_by_role("cell", name="CC de l'Alsace Bossue").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("email", ["partenaire@reperes.example"])
def test_partner_has_no_coverage_menu(page, live_server, demo, email):
    login(page, live_server, email, DEMO_PASSWORD)
    expect(page.get_by_role("link", name="Annuaire")).to_be_visible()
    expect(page.get_by_role("link", name="Couverture", exact=True)).to_have_count(0)


def test_partner_updates_its_profile_from_its_own_page(page, live_server, demo):
    login(page, live_server, "partenaire@reperes.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Annuaire").click()
    page.get_by_label("Mots-clés").fill("Horizons")
    page.get_by_role("button", name="Rechercher").click()
    page.locator("#results").get_by_role("link", name="Association Horizons — prévention spécialisée").first.click()
    page.get_by_role("link", name="Modifier la fiche").click()
    assert_accessible(page)
    page.get_by_label("Présentation").fill("Travail de rue le soir et le week-end.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Fiche de la structure enregistrée.")
    expect(page.get_by_text("Travail de rue le soir et le week-end.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dernières modifications")).to_be_visible()


def test_counsellor_filters_funding_schemes_for_a_young_dropout(page, live_server, demo):
    login(page, live_server, "conseillere@reperes.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Dispositifs").click()
    page.wait_for_load_state("load")
    page.get_by_label("Âge du jeune").fill("17")
    page.get_by_label("sans diplôme").check()
    page.get_by_label("ni en emploi, ni en études, ni en formation").check()
    page.get_by_role("button", name="Filtrer").click()
    results = page.locator("#results")
    expect(results.get_by_role("link", name="École de la 2e chance")).to_be_visible()
    expect(results.get_by_role("link", name="Garantie Visale")).to_have_count(0)
    assert_accessible(page)
