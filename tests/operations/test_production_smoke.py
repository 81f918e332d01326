"""The production smoke test of issue 14's « done when »: the production stack (gunicorn with two
processes and the background worker, both on `config.settings.production`, on the suite's
database — PostgreSQL in the second run of `make test`) serves a real browser that logs in with
a second factor, opens a youth's file and uploads a list that the worker imports; the static files
come compressed. The browser is given the proxy's headers (X-Forwarded-Proto, X-Forwarded-For) as
the documented proxy sends them; only TLS is missing, hence its Origin is trusted explicitly."""

import os
import subprocess
import sys
from base64 import b32encode
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect, sync_playwright

from reperes.network.enums import Role
from reperes.network.models import User
from reperes.registry.enums import ImportStatus
from reperes.registry.models import ListImport, Youth
from tests.network.factories import TEST_PASSWORD, MembershipFactory
from tests.operations.stack import CLIENT, ROOT, Stack
from tests.registry.factories import LIST_HEADER, YouthFactory, import_line, mission_locale

CHROMIUM = "/usr/bin/chromium"  # Debian's, as in tests/e2e/conftest.py
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
]
LINES = [import_line("Rohmer", "Anaïs", None), import_line("Wittmann", "Killian", None)]


@pytest.fixture
def worker(stack: Stack, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """The worker of the process list (Procfile), with the web processes' environment."""
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        env=stack.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])


def _code(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


def _journey(page: Page, base: str, *, email: str, key: bytes, youth_id: int) -> None:
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # The password alone opens nothing: the code page asks for the application's code.
    expect(page.get_by_label("Code de l'application ou code de secours")).to_be_visible()
    page.get_by_label("Code de l'application ou code de secours").fill(_code(key))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("link", name="Sécurité du compte")).to_be_visible()

    page.goto(f"{base}/jeunes/{youth_id}/")
    expect(page.get_by_role("heading", name="Océane HUMBERT")).to_be_visible()

    page.goto(f"{base}/imports/")
    content = ("\n".join([LIST_HEADER, *LINES]) + "\n").encode()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        {"name": "decrocheurs.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_role("heading", name="Colonnes du fichier")).to_be_visible()
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("button", name="Importer les 2 lignes").click(timeout=60_000)
    # The worker imports the list; the page follows its progress, then shows the report.
    expect(page.get_by_role("heading", name="Compte rendu de l'import")).to_be_visible(timeout=60_000)


def test_a_browser_logs_in_with_a_second_factor_opens_a_file_and_the_worker_imports_its_list(stack, worker):
    mission = mission_locale("Mission locale de Saverne", "67437")
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    # The test settings hash passwords quickly; production checks them with Argon2 only.
    hasher = Argon2PasswordHasher()
    User.objects.filter(pk=counsellor.pk).update(password=hasher.encode(TEST_PASSWORD, hasher.salt()))
    key = os.urandom(20)
    TOTPDevice.objects.create(user=counsellor, name="téléphone", key=key.hex(), confirmed=True)
    youth = YouthFactory(mission_locale=mission, first_names="Océane", last_name="Humbert", referent=counsellor)
    before = Youth.objects.count()
    assert b32encode(key)  # the key an application would have scanned

    base = f"http://127.0.0.1:{stack.port}"
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(
                locale="fr-FR",
                extra_http_headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT},
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            served_static: list[tuple[str, str]] = []
            page.on(
                "response",
                lambda r: (
                    served_static.append((r.url, r.headers.get("content-encoding", "")))
                    if "/static/" in r.url
                    else None
                ),
            )
            _journey(page, base, email=counsellor.email, key=key, youth_id=youth.pk)
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous

    assert ListImport.objects.get().status == ImportStatus.DONE
    assert Youth.objects.count() == before + 2
    stylesheets = [encoding for url, encoding in served_static if url.endswith(".css")]
    assert stylesheets and all(encoding in ("br", "gzip") for encoding in stylesheets), served_static
