"""Helpers shared by the browser journeys: log in through the form, check a page with axe-core, find
what does not fit the screen."""

import time
from base64 import b32decode

from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

# WCAG 2.1 A and AA (what RGAA 4 asks for, STYLE.md §7) plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def login(page: Page, live_server, email: str, password: str, *, second_factor: bool = True) -> None:
    """Fill and submit the login form, then pass the second factor as its holder would (ADR 012):
    the code of the account's application, or, at a first login, set the application up from the
    key the page shows and go on past the recovery codes. The caller checks where it lands."""
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if not second_factor:
        return
    if "/compte/securite/code/" in page.url:
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.get_by_label("Code de l'application ou code de secours").fill(application_code(device))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state()
    elif "/compte/securite/application/" in page.url:
        key = b32decode(page.locator("[data-totp-key]").inner_text().replace(" ", "") + "====")
        page.get_by_label("Code à 6 chiffres").fill(_code(TOTP(key)))
        page.get_by_role("button", name="Vérifier et activer").click()
        page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
        page.wait_for_load_state()


def _code(totp: TOTP) -> str:
    return f"{totp.token():06d}"


def application_code(device: TOTPDevice) -> str:
    """The code the account's application shows now, or the next one when this one was already
    used (django-otp accepts each time step once, and one step ahead)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() + 1 <= device.last_t:
        time.sleep(1)
        totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return _code(totp)


# What is wider than its box: the page itself, then each table's scroll box (named by its caption).
_OVERFLOWS = """() => {
  const root = document.documentElement;
  const found = root.scrollWidth > root.clientWidth ? [["page", root.scrollWidth, root.clientWidth]] : [];
  if (found.length) {
    // Name the elements that stick out, so that a failure says where to look.
    for (const el of document.body.querySelectorAll("*")) {
      const right = el.getBoundingClientRect().right + window.scrollX;
      if (right > root.clientWidth && !el.closest(".table-responsive")) {
        const text = (el.innerText || "").slice(0, 60);
        found[0].push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(right)}px: ${text}`);
      }
    }
  }
  for (const box of document.querySelectorAll(".table-responsive")) {
    if (box.scrollWidth > box.clientWidth) {
      const name = box.querySelector("caption")?.textContent.trim() || box.className;
      found.push([name, box.scrollWidth, box.clientWidth]);
    }
  }
  return found;
}"""


def overflows(page: Page, *, tables_only: bool = False) -> list[list]:
    """What scrolls sideways on the page as the user sees it: [what, its width, the room it has], the
    page's row followed by the elements that stick out.

    Measured once the page has loaded with its stylesheets and fonts: a click that navigates returns
    as soon as the new page is committed, and a page measured before its style sheet applies (seen
    on a loaded CI machine) overflows by a few pixels that no user ever sees.
    """
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    found = page.evaluate(_OVERFLOWS)
    return [row for row in found if row[0] != "page"] if tables_only else found


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
