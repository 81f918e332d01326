"""Helpers shared by the browser journeys: log in through the form, check a page with axe-core."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

# WCAG 2.1 A and AA (what RGAA 4 asks for, STYLE.md §7) plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def login(page: Page, live_server, email: str, password: str) -> None:
    """Fill and submit the login form; the caller checks where it lands."""
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()


def assert_accessible(page: Page) -> None:
    """Run axe-core on the current page; fail on every serious or critical violation.

    axe is injected with `page.evaluate`, i.e. through the DevTools protocol, which the page's
    Content-Security-Policy does not govern: the strict policy (script-src 'self' 'nonce-…') holds
    and no `bypass_csp` is needed. Should the injection ever cause a CSP report, it is reported
    here as axe's, so that it is not blamed on the application by the `page` fixture.
    """
    console = getattr(page, "reperes_console", None)
    already_reported = len(console.csp_violations) if console else 0
    results = _axe.run(page, options=AXE_OPTIONS)
    if console and len(console.csp_violations) > already_reported:
        caused_by_axe = console.csp_violations[already_reported:]
        del console.csp_violations[already_reported:]
        raise AssertionError(
            "Injecting axe-core triggered CSP reports (a test-tool problem, not an app violation):\n"
            + "\n".join(caused_by_axe)
        )
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious/critical accessibility violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                lines.append(f"    {target}: {node['html'][:200]}")
        raise AssertionError("\n".join(lines))


def assert_not_found(page: Page, url: str) -> None:
    """The page answers 404 like a missing one; the browser's report of that 404 is expected."""
    response = page.goto(url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page introuvable, ou vous n'y avez pas accès")).to_be_visible()
    console = getattr(page, "reperes_console", None)
    if console is not None:
        console.console_errors[:] = [e for e in console.console_errors if "404" not in e or url not in e]
