import pytest
from django.db import connection
from faker import Faker
from playwright.sync_api import Page, expect

from reperes.demo.accounts import DEMO_PASSWORD
from reperes.registry.imports import worker
from reperes.registry.models import Youth
from tests.e2e.helpers import assert_accessible, login

COUNSELLOR = "conseillere@reperes.example"
HEADER = "Nom;Prénom;Date de naissance;Sexe;Commune;INE"
GOOD = [
    "Oberlé;Maëlys;12/05/2008;F;Strasbourg;",
    "Kieffer;Dylan;30/01/2007;M;67482;1234567890A",
    "Hentz;Yasmine;2008;F;Schiltigheim;",
]


def _upload(page: Page, live_server, name: str, lines: list[str]) -> None:
    page.goto(f"{live_server.url}/imports/")
    content = ("\n".join([HEADER, *lines]) + "\n").encode()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_role("heading", name="Colonnes du fichier")).to_be_visible()


def test_a_list_with_bad_lines_imports_nothing_then_the_corrected_list_imports_once(page, live_server, demo):
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    before = Youth.objects.count()
    bad = [GOOD[0], "Kieffer;Dylan;30/02/2007;M;67482;1234567890A", "Hentz;Yasmine;2008;F;Colmar;"]
    _upload(page, live_server, "decrocheurs.csv", bad)
    expect(page.get_by_role("cell", name="Oberlé")).to_be_visible()  # the preview
    assert_accessible(page)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Rien n'a été importé")).to_be_visible()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3Date de naissancecette date n'existe pas")
    expect(errors.nth(1)).to_contain_text("4Communecommune hors du territoire de la Mission locale")
    assert_accessible(page)
    assert Youth.objects.count() == before

    _upload(page, live_server, "decrocheurs-corrige.csv", GOOD)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("row", name="Nouveau dossier 3")).to_be_visible()
    assert Youth.objects.count() == before  # the check writes nothing
    page.get_by_role("button", name="Importer les 3 lignes").click()
    expect(page.get_by_role("heading", name="Compte rendu de l'import")).to_be_visible()
    page.get_by_text("Détail par ligne").click()
    expect(page.get_by_role("link", name="Maëlys OBERLÉ")).to_be_visible()
    assert_accessible(page)
    assert Youth.objects.count() == before + 3

    # The same corrected file a second time is refused; nothing is created.
    page.goto(f"{live_server.url}/imports/")
    content = ("\n".join([HEADER, *GOOD]) + "\n").encode()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        {"name": "decrocheurs-corrige.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_text("Ce fichier a déjà été importé le").first).to_be_visible()  # the field and the summary
    assert Youth.objects.count() == before + 3


def test_on_a_phone_a_new_user_reads_the_expected_columns_and_imports_the_sample_list(phone_page, live_server, demo):
    """At 390 px: the upload page lists the columns and offers a sample, which imports cleanly;
    the file's preview and the report scroll sideways in boxes the keyboard can focus."""
    page = phone_page
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_role("heading", name="Le fichier attendu")).to_be_visible()
    # No list imported yet: the columns are shown open.
    expect(page.get_by_role("region", name="Colonnes reconnues")).to_be_visible()
    expect(page.get_by_role("row", name="Commune de résidence oui")).to_contain_text("« code insee »")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="exemple CSV").click()
    assert download.value.suggested_filename == "exemple-liste-jeunes.csv"
    content = download.value.path().read_bytes()

    before = Youth.objects.count()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        {"name": "exemple-liste-jeunes.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Déposer le fichier").click()
    preview = page.get_by_role("region", name="Aperçu du fichier")
    expect(preview.get_by_role("cell", name="Exemple", exact=True)).to_be_visible()
    preview.focus()  # a scroll box the keyboard reaches (axe: scrollable-region-focusable)
    expect(preview).to_be_focused()
    assert_accessible(page)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("row", name="Nouveau dossier 3")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Importer les 3 lignes").click()
    expect(page.get_by_role("heading", name="Compte rendu de l'import")).to_be_visible()
    assert_accessible(page)
    assert Youth.objects.count() == before + 3


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the worker is another process, which cannot open the in-memory SQLite database the live "
    "server shares with its threads: this journey runs on PostgreSQL (tests/registry/test_worker.py "
    "runs the worker on both)",
)
def test_a_large_list_is_checked_and_imported_in_the_background_with_progress(page, live_server, demo, db_worker):
    """Beyond worker.INLINE_ROWS lines the work leaves the request for the real worker
    (`manage.py db_worker`, started by the fixture on the test database): the page shows its
    progress and reloads with the report when it is done."""
    login(page, live_server, COUNSELLOR, DEMO_PASSWORD)
    fake = Faker("fr_FR")
    fake.seed_instance(4)
    people = sorted({(fake.last_name(), fake.first_name()) for _n in range(worker.INLINE_ROWS + 200)})
    lines = [
        f"{last};{first};{n % 28 + 1:02d}/{n % 12 + 1:02d}/2008;;Strasbourg;"
        for n, (last, first) in enumerate(people[: worker.INLINE_ROWS + 50])
    ]
    before = Youth.objects.count()
    _upload(page, live_server, "grande-liste.csv", lines)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_text("lignes sur 350").or_(page.get_by_role("row", name="Nouveau dossier"))).to_be_visible()
    expect(page.get_by_role("button", name="Importer les 350 lignes")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Importer les 350 lignes").click()
    expect(page.get_by_role("heading", name="Compte rendu de l'import")).to_be_visible(timeout=60_000)
    assert Youth.objects.count() > before + 300
