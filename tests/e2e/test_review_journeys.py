import re

from playwright.sync_api import expect

from reperes.demo.accounts import DEMO_PASSWORD
from tests.e2e.helpers import assert_accessible, login

COUNSELLOR = "conseillere@reperes.example"


def test_a_counsellor_reviews_a_likely_duplicate_merges_it_then_undoes_the_merge(page, live_server, demo):
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/")
    page.get_by_role("link", name=re.compile(r"doublons? possibles? à examiner")).click()
    expect(page.get_by_role("heading", level=1, name="Doublons possibles")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Comparer")).first.click()
    expect(page.get_by_role("heading", level=1, name="Comparer deux dossiers")).to_be_visible()
    expect(page.locator("#comparison")).to_contain_text("diffère")
    assert_accessible(page)
    kept = page.locator("#comparison thead th").nth(1).inner_text()
    page.get_by_role("button", name=re.compile(r"\(à gauche\)$")).click()
    expect(page.get_by_role("status")).to_contain_text("Dossiers fusionnés.")
    expect(page.get_by_role("heading", level=1, name=kept)).to_be_visible()
    page.get_by_role("button", name="Annuler la fusion").click()
    expect(page.get_by_role("status")).to_contain_text("Fusion annulée")


def test_a_counsellor_updates_a_file_and_is_told_of_a_concurrent_edit(page, live_server, demo, browser):
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/jeunes/")
    page.locator("#results a[href^='/jeunes/']").first.click()
    page.get_by_role("link", name="Modifier le dossier").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Modifier le dossier de"))).to_be_visible()
    assert_accessible(page)
    # A colleague saves the same file in between.
    other = browser.new_context(base_url=live_server.url)
    colleague = other.new_page()
    login(colleague, live_server, COUNSELLOR, DEMO_PASSWORD)
    colleague.goto(page.url)
    colleague.get_by_label("Téléphone").fill("06 11 22 33 44")
    colleague.get_by_role("button", name="Enregistrer").click()
    expect(colleague.get_by_role("status")).to_contain_text("Dossier enregistré.")
    other.close()
    page.get_by_label("Téléphone").fill("07 55 66 77 88")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("modifiée par quelqu'un d'autre")).to_be_visible()
