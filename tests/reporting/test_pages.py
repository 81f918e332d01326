"""The bilans' pages and files: who reads them, that they show no youth's name, that the carrier's
coordinator reads exact figures on the page and protected ones in every file, and the
qualitative part with its history and its stale-form refusal."""

import io
import re
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reperes.exports.enums import ExportStatus
from reperes.exports.models import ExportJob
from reperes.exports.services import run_job
from reperes.network.enums import Role
from reperes.pathways.enums import ExitReason
from reperes.privacy.models import WriteRecord
from reperes.registry.models import Youth
from reperes.reporting.enums import AssessmentCategory, AssessmentKind
from reperes.reporting.models import ProjectAssessment
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.reporting.factories import action, bilan_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = bilan_world()
    for k in range(30):
        project = world.project_a if k % 3 else world.project_b
        world.identify(
            project,
            kind=("prevention_specialisee", "pjj", "centre_social")[k % 3],
            sex="fm"[k % 2],
            age=16 + k % 9,
            stage=1 + k % 5,
            exit=ExitReason.LOST_AGAIN if k % 7 == 0 else "",
            day=5 + k,
        )
    action(world.project_a, partner=world.partners[f"pjj:{world.mission_a.pk}"], youths=world.youths[:12])
    return world


def names(world) -> list[str]:
    """Every first and last name of the world's youths (the words a page must never hold)."""
    found = set()
    for youth in Youth.objects.filter(pk__in=[y.pk for y in world.youths]):
        found.add(youth.last_name)
        found.update(youth.first_names.split())
    return sorted(found)


def main(html: str) -> str:
    """The page's content, without the header that names the person logged in (whose first name may
    be a youth's too)."""
    return html.split('<main id="contenu"', 1)[1].split("</main>", 1)[0] if "<main" in html else html


def assert_no_name(text: str, world) -> None:
    text = main(text)
    shown = [name for name in names(world) if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE)]
    assert not shown, shown


def page(client, user, name, *args, status=200, **query):
    client.force_login(user)
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == status, response.status_code
    return response


def test_the_funder_opens_its_campaigns_bilan_with_the_funnel_and_no_name(client, world, settings):
    settings.REPERES_SMALL_CELL_THRESHOLD = 3  # a small world: most figures published
    response = page(client, world.officer, "reporting:campaign", world.campaign.pk)
    html = response.content.decode()
    assert "Bilan — Campagne passée" in html and 'role="img"' in html  # the funnel chart
    assert "Entonnoir du parcours" in html and world.project_a.name in html
    assert '<span class="d-block fs-3 fw-bold">30</span> <span class="small">jeunes repérés</span>' in html
    assert_no_name(html, world)
    assert "/jeunes/" not in html  # no link to a file


def test_every_page_of_the_funder_holds_no_name(client, world):
    for name, args in (
        ("reporting:index", ()),
        ("reporting:campaign", (world.campaign.pk,)),
        ("reporting:project", (world.project_a.pk,)),
        ("reporting:project", (world.project_b.pk,)),
        ("reporting:funder", ()),
    ):
        assert_no_name(page(client, world.officer, name, *args).content.decode(), world)


def test_another_funders_officer_a_counsellor_and_a_partner_get_404(client, world):
    other = MembershipFactory(role=Role.FUNDER_OFFICER, organisation=OrganisationFactory(funder=True)).user
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=world.mission_a).user
    partner = MembershipFactory(role=Role.PARTNER_WORKER).user
    for user in (other, counsellor, partner):
        page(client, user, "reporting:campaign", world.campaign.pk, status=404)
        page(client, user, "reporting:project", world.project_a.pk, status=404)
        page(client, user, "reporting:campaign_export", world.campaign.pk, status=404)
    for user in (counsellor, partner):
        page(client, user, "reporting:index", status=404)
        page(client, user, "reporting:funder", status=404)
    # The other Région reads its own (empty) bilan across campaigns, not this one.
    assert "Région Alsace" not in page(client, other, "reporting:funder").content.decode()


def test_a_coordinator_reads_their_projects_exact_figures_and_not_the_other_project(client, world):
    exact = page(client, world.coordinator_a, "reporting:project", world.project_a.pk).content.decode()
    assert "Chiffres exacts" in exact and "secret" not in exact.split("Chiffres clés")[1].split("</ul>")[0]
    protected = page(client, world.coordinator_a, "reporting:project", world.project_a.pk, version="protegee")
    assert "Version protégée" in protected.content.decode()
    page(client, world.coordinator_a, "reporting:project", world.project_b.pk, status=404)
    campaign = page(client, world.coordinator_a, "reporting:campaign", world.campaign.pk).content.decode()
    assert "Version protégée" in campaign
    assert_no_name(exact + campaign, world)


def test_the_funders_home_links_to_its_bilans(client, world):
    client.force_login(world.officer)
    html = client.get(reverse("web:home")).content.decode()
    assert reverse("reporting:index") in html


# --- Files --------------------------------------------------------------------------------------


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "bilan.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout


def make_pdf(client, user, name, *args, query="") -> bytes:
    client.force_login(user)
    response = client.post(reverse(name, args=args) + query)
    assert response.status_code == 302
    job = ExportJob.objects.filter(requested_by=user).latest("pk")
    assert response["Location"] == reverse("exports:job_detail", args=[job.pk])
    assert run_job(job.pk) == ExportStatus.DONE
    job.refresh_from_db()
    assert job.content is not None
    return bytes(job.content)


def test_every_file_is_protected_and_holds_no_name(client, world, tmp_path):
    coordinator = world.coordinator_a
    for user, name, args, _query in (
        (world.officer, "reporting:campaign", (world.campaign.pk,), ""),
        (coordinator, "reporting:project", (world.project_a.pk,), ""),
        (world.officer, "reporting:funder", (), ""),
    ):
        export = name + "_export"
        client.force_login(user)
        xlsx = client.get(reverse(export, args=args), {"format": "xlsx"})
        csv = client.get(reverse(export, args=args), {"format": "csv"})
        assert xlsx.status_code == csv.status_code == 200
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        texts = [xlsx_text(xlsx.content), csv.content.decode("utf-8-sig")]
        texts.append(pdf_text(make_pdf(client, user, name + "_pdf", *args), tmp_path))
        for text in texts:
            assert_no_name(text, world)
            assert "secret" in text  # the coordinator's files too: always protected
    assert "tableau;ligne;colonne;valeur" in csv.content.decode("utf-8-sig")


def test_the_pdf_bilan_has_a_cover_key_figures_the_funnel_tables_and_the_qualitative_part(client, world, tmp_path):
    ProjectAssessment.objects.create(
        project=world.project_a,
        category=AssessmentCategory.MOBILITY,
        kind=AssessmentKind.DIFFICULTY,
        text="Les bus ne passent pas le samedi.",
        author=world.coordinator_a,
    )
    text = pdf_text(make_pdf(client, world.officer, "reporting:campaign_pdf", world.campaign.pk), tmp_path)
    pages = text.split("\f")
    assert "Bilan — Campagne passée" in pages[0] and "Page" not in pages[0]
    body = "\n".join(pages[1:])
    for expected in (
        "Chiffres clés",
        "Les jeunes à chaque étape du parcours",
        "Ce que sont devenus les jeunes",
        "Bilan qualitatif",
    ):
        assert expected in body, expected
    assert "Les bus ne passent pas le samedi." in body


def test_a_pdf_of_a_bilan_out_of_reach_fails_and_nothing_is_started_for_a_stranger(client, world):
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=world.mission_a).user
    client.force_login(counsellor)
    assert client.post(reverse("reporting:campaign_pdf", args=[world.campaign.pk])).status_code == 404
    assert not ExportJob.objects.filter(requested_by=counsellor).exists()


# --- The qualitative part -----------------------------------------------------------------------


def test_the_coordinator_writes_a_strength_with_its_history_and_a_stale_form_is_refused(client, world):
    url = reverse("reporting:assessment", args=[world.project_a.pk])
    client.force_login(world.coordinator_a)
    form = client.get(url).content.decode()
    assert "jamais d'un jeune" in form  # the reminder not to name young people
    data = {"category": AssessmentCategory.ARTICULATION, "kind": AssessmentKind.STRENGTH, "version": ""}
    response = client.post(url, data | {"text": "Les éducateurs et la Mission locale tiennent un discours commun."})
    assert response.status_code == 302
    entry = ProjectAssessment.objects.get()
    stale = entry.updated_at.isoformat()
    client.post(url, data | {"text": "Réécrit.", "version": stale})
    entry.refresh_from_db()
    assert entry.text == "Réécrit."
    refused = client.post(url, data | {"text": "D'un onglet resté ouvert.", "version": stale})
    assert refused.status_code == 200 and "a été modifiée par quelqu" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.text == "Réécrit."
    client.post(url, data | {"text": "", "version": entry.updated_at.isoformat()})
    assert not ProjectAssessment.objects.exists()
    records = WriteRecord.objects.filter(model="reporting.projectassessment", object_id=entry.pk).order_by("pk")
    assert [r.action for r in records] == ["create", "update", "update"]
    assert records.last().after == {"deleted": True}
    shown = page(client, world.officer, "reporting:project", world.project_a.pk).content.decode()
    assert "Bilan qualitatif du partenariat" in shown


def test_only_the_carriers_coordinator_writes_the_qualitative_part(client, world):
    url = reverse("reporting:assessment", args=[world.project_a.pk])
    admin = MembershipFactory(role=Role.ADMIN, organisation=OrganisationFactory(operator=True)).user
    for user in (world.officer, world.coordinator_b, admin):
        client.force_login(user)
        assert client.get(url).status_code == 404
        data = {"category": "mobility", "kind": "strength", "text": "x", "version": ""}
        assert client.post(url, data).status_code == 404
    assert not ProjectAssessment.objects.exists()


def test_a_campaign_page_shows_its_projects_assessments_to_the_funder(client, world):
    for project, author in ((world.project_a, world.coordinator_a), (world.project_b, world.coordinator_b)):
        ProjectAssessment.objects.create(
            project=project, category="rural", kind="difficulty", text=f"Texte de {project.name}", author=author
        )
    html = page(client, world.officer, "reporting:campaign", world.campaign.pk).content.decode()
    assert "Texte de Projet Saverne" in html and "Texte de Projet Strasbourg" in html
    own = page(client, world.coordinator_a, "reporting:campaign", world.campaign.pk).content.decode()
    assert "Texte de Projet Saverne" in own and "Texte de Projet Strasbourg" not in own


def test_the_page_does_not_run_more_queries_with_more_youths(client, world, django_assert_max_num_queries):
    client.force_login(world.officer)
    url = reverse("reporting:campaign", args=[world.campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        client.get(url)


def test_a_campaign_in_its_first_month_reads_its_first_figures_next_month(client):
    from reperes.reporting.selectors import reference_date
    from tests.reporting.factories import TODAY

    young = bilan_world(starts_on=TODAY.replace(day=1), ends_on=TODAY.replace(day=1) + timedelta(days=360))
    young.identify(young.project_a, day=0)
    assert reference_date(young.campaign) is None
    html = page(client, young.officer, "reporting:campaign", young.campaign.pk).content.decode()
    assert "Premiers chiffres à la fin du premier mois de la campagne." in html
    assert_no_name(html, young)
