"""On a phone (390 px wide) the signal lists fit the screen: no column cut off, no sideways scroll."""

from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from tests.e2e.helpers import login, overflows
from tests.e2e.test_signal_journeys import COUNSELLOR, PARTNER, phone_logout

# What is wider than its box, as [what, scroll width, box width]: the page, then each table's scroll
# box. The page is measured against the layout viewport (clientWidth): on a phone, innerWidth grows
# with the overflowing content (the browser zooms out), so it cannot catch it.


def test_the_signal_lists_fit_a_phone_screen(phone_page: Page, live_server, demo):
    page = phone_page
    login(page, live_server, PARTNER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/")
    expect(page.get_by_role("columnheader", name="Suite donnée")).to_be_visible()
    assert page.evaluate("document.documentElement.clientWidth") == 390
    assert overflows(page) == []
    phone_logout(page)

    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/signalements/")
    expect(page.get_by_role("link", name="Trier").first).to_be_in_viewport()
    assert overflows(page) == []
