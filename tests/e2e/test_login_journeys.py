import re

import pytest
from playwright.sync_api import expect

from reperes.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from tests.e2e.helpers import assert_accessible, login, logout


@pytest.mark.parametrize("account", ACCOUNTS, ids=[account["role"].value for account in ACCOUNTS])
def test_demo_account_logs_in_and_out(page, live_server, demo, account):
    login(page, live_server, account["email"], DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {account['first_name']}")
    header = page.get_by_role("banner")
    expect(header.get_by_text(str(account["role"].label), exact=True)).to_be_visible()
    assert_accessible(page)

    logout(page)
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()


def test_wrong_password_shows_french_error(page, live_server, demo):
    login(page, live_server, ACCOUNTS[0]["email"], "pas-le-bon-mot-de-passe")

    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def test_login_page_is_accessible(page, live_server):
    page.goto(f"{live_server.url}/compte/connexion/")

    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()
    assert_accessible(page)


def test_first_tab_on_home_focuses_the_skip_link(page, live_server, demo):
    login(page, live_server, ACCOUNTS[0]["email"], DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # .visually-hidden-focusable shows it once focused

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
