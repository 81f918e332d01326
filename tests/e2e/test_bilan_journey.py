"""Issue 13's « done when » in a browser: the coordinator of the Pays de Saverne enters a week of
hours, approves it as the project's lead (the demo gives them both roles), claims it from the
Région and downloads the claim as XLSX and PDF, whose figures are the page's; then the Région's
officer opens the first campaign's bilan (the seed's 2013–2014): 233 youths across 7 projects,
the funnel chart, and no youth's name on any of the funder's pages nor in any file they download.
Screenshots of the key screens go to /tmp/bilan-shots/."""

import csv
import io
import re
import subprocess
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Download, Page, expect

from reperes.demo import campaigns
from reperes.demo.accounts import DEMO_PASSWORD
from reperes.network.models import Organisation, User
from reperes.programme.models import Campaign, Claim, ClaimStatus, Project, TimeEntry, TimeKind, TimeStatus
from reperes.registry.models import Youth
from tests.e2e.helpers import assert_accessible, login, logout, overflows

COORDINATOR = "coordinateur@reperes.example"
FUNDER = "region@reperes.example"
CARRIER = "Mission locale du Pays de Saverne"
PROJECT = "Perdus de vue — Pays de Saverne"
SHOTS = Path(tempfile.gettempdir(), "bilan-shots")  # /tmp/bilan-shots: looked at, not compared
DPI = 60

# The week typed into the grid: (kind's label, activity, hours by day, Monday first).
WEEK = [
    ("ingénierie de projet", "Préparation du comité de pilotage", ["2.5", "1.75", "", "", "", "", ""]),
    ("coordination", "Réunion des partenaires repéreurs", ["1", "", "3.25", "0.5", "", "", ""]),
]
HOURS = {
    TimeKind.ENGINEERING: Decimal("4.25"),
    TimeKind.COORDINATION: Decimal("4.75"),
}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def number(text: str) -> Decimal:
    """« 1 234,50 € », « 4,25 » → Decimal (French format, any kind of space)."""
    cleaned = re.sub(r"[^\d,\-]", "", text).replace(",", ".")
    assert cleaned, text
    return Decimal(cleaned)


def french(value: Decimal) -> str:
    """What a page or a file prints: « 153,00 »."""
    return f"{value:.2f}".replace(".", ",")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def save(download: Download, folder: Path) -> Path:
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path, name: str) -> list[Path]:
    """Every page of the PDF rendered at 60 dpi into SHOTS, each checked to be a drawn page: some
    ink on paper, neither blank nor black."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), path, SHOTS / name], check=True)
    pages = sorted(SHOTS.glob(f"{name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert pages, path
    for png in pages:
        with Image.open(png) as image:
            grey = image.convert("L")
            assert grey.width > 300 and grey.height > 300, grey.size
            low, high = grey.getextrema()
            assert high - low > 100, (png, low, high)  # text on paper, not one flat colour
            dark = sum(grey.histogram()[:128]) / (grey.width * grey.height)
            assert 0.001 < dark < 0.5, (png, dark)
    return pages


def assert_drawn(path: Path, pages: list[Path], figures: list[str]) -> None:
    """Each figure is drawn where the PDF puts it: poppler gives each word's box (pdftotext
    -bbox), and the same box of the rendered page holds ink, so the figure is on the image, not
    only in the text layer (white on white, clipped, off the page)."""
    html = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for number_, page_html in enumerate(html.split("<page ")[1:], start=1):
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page_html
        ):
            words.append((number_, word, [float(v) * DPI / 72 for v in (x0, y0, x1, y1)]))
    for figure in figures:
        found = [(n, box) for n, word, box in words if word.startswith(figure)]
        assert found, f"{figure} is in no word of {path.name}"
        n, (x0, y0, x1, y1) = found[0]
        with Image.open(pages[n - 1]) as image:
            box = image.convert("L").crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
            assert box.getextrema()[0] < 128, f"{figure} is not drawn on page {n} of {path.name}"


def xlsx_cells(path: Path) -> list[list[object]]:
    book = load_workbook(path)
    return [[cell.value for cell in row] for sheet in book.worksheets for row in sheet.iter_rows()]


def xlsx_text(path: Path) -> str:
    return "\n".join(str(value) for row in xlsx_cells(path) for value in row if value is not None)


def table_rows(page: Page, caption: str) -> list[list[str]]:
    """The body rows then the total row of the report table with this caption, as texts."""
    table = page.locator("table", has=page.locator("caption", has_text=caption)).first
    return table.evaluate(
        """t => [...t.querySelectorAll('tbody tr, tfoot tr')].map(
               tr => [...tr.children].map(c => c.textContent.trim()))"""
    )


# --- Hours, approval, claim --------------------------------------------------------------------


def _open_empty_week(page: Page, project: Project) -> date:
    """The current week, or the next one still empty (another journey or the demo may fill it)."""
    monday = monday_of(timezone.localdate())
    coordinator = User.objects.get(email=COORDINATOR)
    for _attempt in range(4):
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mes heures — semaine du")
        taken = TimeEntry.objects.filter(project=project, day__gte=monday, day__lte=monday + timedelta(days=6))
        if not taken.exists() and monday + timedelta(days=6) <= project.campaign.ends_on:
            expect(page.locator("tfoot")).to_contain_text("Total de la semaine : 0 h")
            return monday
        page.get_by_role("link", name="Semaine suivante").click()
        monday += timedelta(days=7)
    raise AssertionError(f"no empty week for {coordinator} after four tries")


def test_a_week_of_hours_is_approved_claimed_and_exported(page: Page, live_server, demo, tmp_path):
    current = campaigns.demo_campaigns()[-1]
    project = Project.objects.select_related("campaign").get(campaign=current, carrier__name=CARRIER)
    coordinator = User.objects.get(email=COORDINATOR)
    assert project.lead == coordinator  # the demo's coordinator leads their Mission locale's project

    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.get_by_role("link", name="Mes heures").click()
    monday = _open_empty_week(page, project)
    sunday = monday + timedelta(days=6)
    assert_accessible(page)

    # The week typed with the keyboard: the project and the kind chosen, then Tab from cell to cell.
    for index, (kind, activity, days) in enumerate(WEEK):
        row = f"r{index}"
        page.locator(f"#{row}-project").select_option(value=str(project.pk))
        page.locator(f"#{row}-kind").select_option(label=kind)
        page.locator(f"#{row}-activity").click()
        page.keyboard.type(activity)
        for hours in days:
            page.keyboard.press("Tab")
            if hours:
                page.keyboard.type(hours)
    expect(page.locator("#r0-d1")).to_have_value("1.75")
    expect(page.locator("#r1-d2")).to_have_value("3.25")
    shot(page, "01-week-typed")
    page.get_by_role("button", name="Enregistrer et soumettre la semaine").click()
    expect(page.get_by_text("Semaine soumise au ou à la responsable du projet.")).to_be_visible()
    expect(page.locator("tfoot")).to_contain_text("Total de la semaine : 9 h")
    expect(page.locator("#r0-d0")).to_have_attribute("readonly", "")
    assert TimeEntry.objects.filter(person=coordinator, status=TimeStatus.SUBMITTED, day__gte=monday).count() == 5
    shot(page, "02-week-submitted")
    assert_accessible(page)

    # The lead (the same person here) reviews the project's hours: only this week's are approved.
    page.get_by_role("link", name="Repères").click()
    page.get_by_role("link", name="Campagnes et projets").click()
    page.get_by_role("link", name=PROJECT).first.click()  # the campaign in progress comes first
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    assert page.url.rstrip("/").endswith(f"/projets/{project.pk}")
    page.get_by_role("link", name="Heures à valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Heures à valider — {PROJECT}")
    mine = {e.pk for e in TimeEntry.objects.filter(project=project, status=TimeStatus.SUBMITTED, day__gte=monday)}
    assert len(mine) == 5
    boxes = page.locator("input[name=entries]")
    for k in range(boxes.count()):
        box = boxes.nth(k)
        if int(box.get_attribute("value")) not in mine:
            box.uncheck()  # the others' weeks wait for another review
    shot(page, "03-review")
    assert_accessible(page)
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_text("Heures validées.")).to_be_visible()
    assert (
        set(
            TimeEntry.objects.filter(project=project, status=TimeStatus.APPROVED, day__gte=monday).values_list(
                "pk", flat=True
            )
        )
        == mine
    )

    # The claim over the week: its hours at the campaign's rates, plus the actions starting in it.
    page.get_by_role("link", name="Repères").click()
    page.get_by_role("link", name="Campagnes et projets").click()
    page.get_by_role("link", name=PROJECT).first.click()
    page.get_by_role("link", name="Demandes de financement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demandes de financement — {PROJECT}")
    assert_accessible(page)
    page.get_by_label("Du").fill(monday.isoformat())
    page.get_by_label("Au").fill(sunday.isoformat())
    page.get_by_role("button", name="Préparer la demande").click()
    expect(page.get_by_text("Demande préparée : vérifiez-la, puis envoyez-la au financeur.")).to_be_visible()
    period = f"du {monday:%-d/%m/%Y} au {sunday:%-d/%m/%Y}"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande de financement — {PROJECT}, {period}")
    claim = Claim.objects.get(project=project, period_start=monday, period_end=sunday)
    assert claim.entries.count() == 5

    hours_rows = table_rows(page, "Heures d'ingénierie et de coordination")
    *lines, hours_total = hours_rows
    rates = {TimeKind.ENGINEERING: current.engineering_rate, TimeKind.COORDINATION: current.coordination_rate}
    labels = {kind: str(kind.label) for kind in HOURS}
    expected_hours_amount = Decimal(0)
    assert len(lines) == 2, lines
    for kind, hours in HOURS.items():
        (line,) = [row for row in lines if row[1] == labels[kind]]
        person, _kind, shown_hours, shown_rate, shown_amount = line
        assert person == coordinator.get_full_name()
        assert number(shown_hours) == hours
        assert number(shown_rate) == rates[kind]
        assert number(shown_amount) == hours * number(shown_rate)
        expected_hours_amount += hours * rates[kind]
    assert hours_total[0] == "Total des heures"
    assert number(hours_total[2]) == sum(HOURS.values()) == Decimal(9)
    assert number(hours_total[4]) == expected_hours_amount
    action_rows = table_rows(page, "Cofinancement des actions de mobilisation")
    actions_amount = number(action_rows[-1][-1]) if action_rows else Decimal(0)
    totals = dict((row[0], row[1]) for row in table_rows(page, "Total de la demande"))
    assert number(totals["Heures"]) == expected_hours_amount
    assert number(totals["Actions de mobilisation"]) == actions_amount
    expected_total = expected_hours_amount + actions_amount
    assert number(totals["Total demandé"]) == expected_total == claim.total
    shot(page, "04-claim")
    assert_accessible(page)

    # The XLSX: the same lines, numbers that add up.
    with page.expect_download() as got:
        page.get_by_role("link", name="Télécharger (XLSX)").click()
    xlsx = save(got.value, tmp_path)
    assert xlsx.name == f"demande-{claim.pk}.xlsx"
    cells = xlsx_cells(xlsx)
    by_label = {row[0]: row for row in cells if row and isinstance(row[0], str)}
    for kind, hours in HOURS.items():
        (line,) = [row for row in cells if row[:2] == [coordinator.get_full_name(), labels[kind]]]
        assert Decimal(str(line[2])) == hours
        assert Decimal(str(line[3])) == rates[kind]
        assert Decimal(str(line[4])) == hours * rates[kind]
    assert Decimal(str(by_label["Total des heures"][2])) == Decimal(9)
    assert Decimal(str(by_label["Total des heures"][4])) == expected_hours_amount
    assert Decimal(str(by_label["Total demandé"][1])) == expected_total

    # The PDF: the key figures in its text, and a page that renders.
    with page.expect_download() as got:
        page.get_by_role("link", name="Télécharger (PDF)").click()
    pdf = save(got.value, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    assert "Demande de financement" in text and PROJECT in text, text[:500]
    assert f"{monday:%-d/%m/%Y}" in text and f"{sunday:%-d/%m/%Y}" in text
    assert current.name in text and coordinator.get_full_name() in text
    for kind, hours in HOURS.items():
        assert french(hours) in text and french(hours * rates[kind]) in text, kind
    assert french(expected_hours_amount) in text and french(expected_total) in text
    pages = pdf_pages(pdf, "05-claim-pdf")
    amounts = [french(hours * rates[kind]) for kind, hours in HOURS.items()]
    assert_drawn(pdf, pages, [*amounts, french(expected_hours_amount), french(expected_total)])

    # Sent to the funder, it is no longer a draft.
    page.get_by_role("button", name="Envoyer au financeur").click()
    expect(page.get_by_text("Demande envoyée au financeur.")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SENT
    logout(page)


# --- The funder's bilans, and no name anywhere -------------------------------------------------


def youth_names() -> tuple[set[str], set[str]]:
    """Every demo youth's last names (birth and usage), and their « first last » and « last first »
    combinations, as the test process reads them from the database the live server shares."""
    last_names: set[str] = set()
    full_names: set[str] = set()
    for first_names, last_name, usage_name in Youth.objects.values_list("first_names", "last_name", "usage_name"):
        firsts = [first_names, *first_names.split()]
        for last in {last_name, usage_name} - {""}:
            last_names.add(last)
            for first in firsts:
                full_names.update({f"{first} {last}", f"{last} {first}"})
    # A surname that is also a word of a public name (« Vallée », of « vallée de la Bruche ») is
    # looked for with a first name only: the funder reads the projects' names.
    public = {
        word
        for names in (
            Organisation.objects.values_list("name", flat=True),
            Project.objects.values_list("name", flat=True),
            Campaign.objects.values_list("name", flat=True),
        )
        for name in names
        for word in re.findall(r"[\w'-]+", name.casefold())
    }
    shared = {name for name in last_names if name.casefold() in public}
    assert len(shared) < 10, shared  # a handful, so the search by surname still means something
    return last_names - shared, full_names


def names_in(text: str, last_names: set[str], full_names: set[str]) -> list[str]:
    words = set(re.findall(r"[\w'-]+", text.casefold()))
    flat = " ".join(text.casefold().split())
    found = [name for name in last_names if name.casefold() in words]
    found += [name for name in full_names if " ".join(name.casefold().split()) in flat]
    return sorted(found)


def main_text(page: Page) -> str:
    """The page's content, the chart's title and description included, not the header that names
    the person logged in (whose name is no youth's business)."""
    return page.locator("main").evaluate("m => m.textContent")


def test_the_funder_reads_the_first_bilan_and_no_youths_name_anywhere(page: Page, live_server, demo, tmp_path):
    first = campaigns.demo_campaigns()[0]
    assert "Reprend la campagne 2013–2014" in first.description
    last_names, full_names = youth_names()
    assert len(last_names) > 100 and Youth.objects.count() > 233
    somebody = sorted(full_names)[0]  # the search finds a name where there is one
    assert names_in(f"Dossier de {somebody.upper()}, suivi·e", last_names, full_names)
    read: dict[str, str] = {}  # what the funder read: page or file → its text

    login(page, live_server, FUNDER, DEMO_PASSWORD)
    read["accueil"] = main_text(page)
    page.get_by_role("link", name="Bilans de vos campagnes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilans")
    read["bilans"] = main_text(page)
    assert_accessible(page)

    page.get_by_role("link", name=first.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bilan — {first.name}")
    key = page.locator("#key-title + ul > li").first
    expect(key).to_contain_text("233")
    expect(key).to_contain_text("jeunes repérés")
    projects = page.locator("#projects-title + ul > li")
    expect(projects).to_have_count(7)
    # The funnel: an inline SVG image named by its title and described by its values, with the
    # table of the same figures beside it.
    funnel = page.locator("#parcours figure.chart")
    expect(funnel).to_have_count(1)
    expect(funnel.locator("figcaption")).to_have_text("Les jeunes à chaque étape du parcours")
    svg = funnel.locator("svg[role=img]")
    expect(svg).to_be_visible()
    expect(svg).to_have_accessible_name(re.compile(r"^Entonnoir du parcours Nombre de jeunes .*233"))
    labelled = svg.get_attribute("aria-labelledby")
    assert labelled and len(labelled.split()) == 2
    title_id, desc_id = labelled.split()
    assert svg.locator(f"[id='{title_id}']").text_content() == "Entonnoir du parcours"
    assert "233" in (svg.locator(f"[id='{desc_id}']").text_content() or "")
    stages = table_rows(page, "Les jeunes à chaque étape du parcours")
    assert number(stages[0][1]) == 233 and number(stages[0][2]) == 100, stages
    assert all(number(row[1]) <= 233 for row in stages[1:]), stages  # each stage a part of the first
    assert len(svg.locator("rect, path").all()) > len(stages)  # drawn bars, not an empty box
    by_project = table_rows(page, "Par projet")
    assert len(by_project) == 8, by_project  # seven projects and their total
    assert number(by_project[-1][1]) == 233
    read["bilan de campagne"] = main_text(page)
    shot(page, "06-funder-campaign-bilan")
    assert_accessible(page)

    read.update(_downloads(page, tmp_path, "campagne"))

    for k in range(7):  # each project's bilan, from the campaign's list, back by the breadcrumb
        link = page.locator("#projects-title + ul > li a").nth(k)
        name = link.text_content()
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Bilan — {name}")
        read[f"bilan de {name}"] = main_text(page)
        if k == 0:
            shot(page, "07-funder-project-bilan")
            assert_accessible(page)
        page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name=first.name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Bilan — {first.name}")

    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Bilans").click()
    page.get_by_role("link", name="Toutes les campagnes — Région Alsace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan de toutes les campagnes — Région Alsace")
    expect(page.locator("figure.chart svg[role=img]").first).to_be_visible()
    read["bilan du financeur"] = main_text(page)
    shot(page, "09-funder-all-campaigns")
    # axe runs on this page in its own test below (a table that scrolls without keyboard access).
    read.update(_downloads(page, tmp_path, "financeur"))

    leaks = {where: found for where, text in read.items() if (found := names_in(text, last_names, full_names))}
    assert leaks == {}, leaks
    assert len(read) == 2 + 1 + 3 + 7 + 1 + 3


def _downloads(page: Page, folder: Path, scope: str) -> dict[str, str]:
    """The bilan's three files, downloaded from the page it is on; each as text."""
    back = page.url
    texts: dict[str, str] = {}
    with page.expect_download() as got:
        page.get_by_role("link", name="Tableur (XLSX)").click()
    xlsx = save(got.value, folder)
    texts[f"{scope} XLSX"] = xlsx_text(xlsx)
    assert "233" in texts[f"{scope} XLSX"] or scope != "campagne"
    with page.expect_download() as got:
        page.get_by_role("link", name="Données (CSV)").click()
    csv_path = save(got.value, folder)
    raw = csv_path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";" if raw.count(";") > raw.count(",") else ","))
    assert len(rows) > 10
    texts[f"{scope} CSV"] = raw
    page.get_by_role("button", name="Bilan en PDF").click()
    expect(page.get_by_text("Votre fichier est prêt.")).to_be_visible(timeout=60_000)
    with page.expect_download() as got:
        page.get_by_role("link", name=re.compile(r"^Télécharger .*\.pdf$")).click()
    pdf = save(got.value, folder)
    text = pdf_text(pdf)
    texts[f"{scope} PDF"] = text
    caption = "Les jeunes à chaque étape du parcours" if scope == "campagne" else "Entonnoir du parcours, toutes"
    assert caption in text, text[:2000]
    pages = pdf_pages(pdf, f"08-{scope}-pdf")
    if scope == "campagne":
        assert_drawn(pdf, pages, ["233", "repérés"])
    page.goto(back)
    return texts


def test_the_funders_bilan_across_campaigns_is_accessible(page: Page, live_server, demo):
    login(page, live_server, FUNDER, DEMO_PASSWORD)
    page.get_by_role("link", name="Bilans de vos campagnes").click()
    page.get_by_role("link", name="Toutes les campagnes — Région Alsace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan de toutes les campagnes — Région Alsace")
    assert overflows(page, tables_only=True) == []
    assert_accessible(page)
