"""The layout every page shares (issue 11): the header fits a 1,280 px screen and a phone for every
role, and a form sent back with errors opens with an error summary that takes the focus."""

import re

import pytest
from playwright.sync_api import Page, expect

from reperes.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from tests.e2e.helpers import assert_accessible, login, overflows

PARTNER = "partenaire@reperes.example"
COUNSELLOR = "conseillere@reperes.example"
VIEWPORTS = {"page": "desktop", "phone_page": "phone"}


def inside_viewport(page: Page, locator) -> None:
    """The element's whole box is on screen, not cut by the viewport's edges."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"], (box, viewport)
    assert box["y"] + box["height"] <= viewport["height"], (box, viewport)


def no_sideways_scroll(page: Page) -> None:
    assert [row for row in overflows(page) if row[0] == "page"] == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORTS.values())
@pytest.mark.parametrize("account", ACCOUNTS, ids=[account["role"].value for account in ACCOUNTS])
def test_the_header_fits_the_screen_and_log_out_is_never_cut_off(request, live_server, demo, account, viewport):
    page: Page = request.getfixturevalue(viewport)
    login(page, live_server, account["email"], DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {account['first_name']}")
    header = page.get_by_role("banner")
    full_name = f"{account['first_name']} {account['last_name']}"
    # Cut with an ellipsis when too long, never wrapped: the full text stays in a title.
    expect(header.locator(".site-user-name")).to_have_attribute("title", full_name)
    expect(header.locator(".site-user-organisation")).to_have_attribute("title", account["organisation"])
    logout = page.get_by_role("button", name="Se déconnecter")

    if viewport == "phone_page":
        assert header.bounding_box()["height"] <= 80  # brand and toggler only
        expect(logout).to_be_hidden()
        page.get_by_role("button", name="Afficher le menu").click()
        expect(page.locator("#menu-principal")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    else:
        assert header.bounding_box()["height"] <= 130  # two rows: brand and user, then the menu
        name_box = header.locator(".site-user-name").bounding_box()
        assert name_box is not None and name_box["height"] < 30  # one line
        # Every menu entry is on screen too.
        for link in header.get_by_role("link").all():
            inside_viewport(page, link)

    expect(logout).to_be_visible()
    inside_viewport(page, logout)
    expect(header.get_by_text(str(account["role"].label), exact=True)).to_be_visible()
    no_sideways_scroll(page)
    if viewport == "phone_page":
        assert_accessible(page)  # the open menu
    logout.click()
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()


def test_an_empty_signal_form_opens_with_an_error_summary_whose_links_focus_the_fields(phone_page, live_server, demo):
    page = phone_page
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/nouveau/")
    page.get_by_role("button", name="Envoyer le signalement").click()

    summary = page.get_by_role("alert").filter(
        has=page.get_by_role("heading", name="Le formulaire contient 3 erreurs")
    )
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Prénom ou surnom : Indiquez au moins un prénom ou un surnom.",
            re.compile(
                r"^Commune où vit le jeune .* : Indiquez la commune : elle désigne la Mission locale compétente\.$"
            ),
            "Le jeune accepte-t-il d'être contacté par la Mission locale ? : "
            "Indiquez si le jeune accepte d'être contacté.",
        ]
    )
    no_sideways_scroll(page)
    assert_accessible(page)

    links.nth(2).click()
    expect(page.get_by_label("Oui, il ou elle accepte d'être contacté·e")).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Prénom ou surnom")).click()
    first_name = page.get_by_label("Prénom ou surnom")
    expect(first_name).to_be_focused()

    # htmx updates « peut-être déjà connu » as the form is filled: the summary stays, and keeps
    # its hands off the focus.
    first_name.fill("Zoé")
    with page.expect_response(re.compile(r"/signalements/deja-connu/$")):
        page.keyboard.press("Tab")
    page.wait_for_timeout(100)  # the swap follows the response
    expect(page.get_by_label(re.compile("^Commune où vit le jeune"))).to_be_focused()
    expect(summary).to_be_visible()


def test_a_failed_login_gives_the_focus_to_a_summary_that_leads_to_the_message(page, live_server, demo):
    login(page, live_server, COUNSELLOR, "pas-le-bon-mot-de-passe")

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Le formulaire contient 1 erreur"))
    expect(summary).to_be_focused()
    # The form-wide message is not repeated: it stays once, above the form, and the link leads there.
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect")).to_have_count(1)
    summary.get_by_role("link", name=re.compile("^Erreur sur l'ensemble du formulaire")).click()
    expect(page.locator("form ul.text-danger")).to_be_focused()
    assert_accessible(page)


def test_a_page_without_errors_has_no_summary(page, live_server, demo):
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/nouveau/")
    expect(page.get_by_role("heading", level=1, name="Signaler un jeune")).to_be_visible()
    expect(page.locator("#error-summary")).to_have_count(0)
