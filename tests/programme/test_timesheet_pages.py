"""The pages of timesheets and claims, through the client on a real database: the week grid and its
refusals on their cells, the lead's approval, the claim's report on the page, in XLSX and in PDF
(the same Decimal amounts), the 404 of everyone outside the carrier, and a number of queries that
does not grow with the entries or the lines."""

import io
import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import Role
from reperes.programme.enums import PartnerRole
from reperes.programme.models import TimeEntry, TimeKind, TimeStatus
from reperes.programme.selectors import claim_amounts, monday_of, week_token
from reperes.programme.services import GridRow, add_partner, create_claim, review_hours, save_week, submit_week
from tests.network.factories import MembershipFactory, OrganisationFactory
from tests.programme.factories import CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONDAY = monday_of(TODAY)
# A past week, inside the campaign: its hours are claimed.
CLAIMED_MONDAY = THIS_MONDAY - timedelta(days=14)
MAX_QUERIES = 30
# claim_tables (reperes/programme/selectors.py) puts `line.kind.label`, a lazy translation, in a text
# column, which ReportTable refuses: the claim's page, XLSX and PDF answer 500 until it is str().


def member(role: str, organisation):
    return MembershipFactory(role=role, organisation=organisation).user


@pytest.fixture
def project():
    campaign = CampaignFactory(
        starts_on=TODAY - timedelta(days=100),
        ends_on=TODAY + timedelta(days=265),
        engineering_rate=Decimal("41.35"),
        coordination_rate=Decimal("37.33"),
    )
    return ProjectFactory(campaign=campaign, name="Projet Saverne")


@pytest.fixture
def counsellor(project):
    return member(Role.COUNSELLOR, project.carrier)


def week(person, monday, rows):
    save_week(acting_user=person, monday=monday, version=week_token(person, monday), rows=rows)


def approved_week(project, person, rows, monday=CLAIMED_MONDAY):
    week(person, monday, rows)
    submit_week(acting_user=person, monday=monday)
    ids = list(TimeEntry.objects.filter(person=person, status=TimeStatus.SUBMITTED).values_list("pk", flat=True))
    review_hours(project, acting_user=project.lead, entry_ids=ids, approve=True)


def make_claim(project, people):
    """A claim over CLAIMED_MONDAY's week with one line of engineering hours per person."""
    for n, person in enumerate(people):
        hours = {0: Decimal("3.25"), 1: Decimal(n % 4) / 4 + Decimal("0.5")}
        approved_week(project, person, [GridRow("r0", project.pk, TimeKind.ENGINEERING, "Diagnostic", hours)])
    return create_claim(
        project, acting_user=project.lead, period_start=CLAIMED_MONDAY, period_end=CLAIMED_MONDAY + timedelta(days=6)
    )


@pytest.fixture
def claim(project, counsellor):
    approved_week(
        project,
        counsellor,
        [GridRow("r0", project.pk, TimeKind.ENGINEERING, "Diagnostic", {0: Decimal("3.25"), 2: Decimal("7.5")})],
    )
    approved_week(
        project, project.lead, [GridRow("r0", project.pk, TimeKind.COORDINATION, "Comité", {3: Decimal("1.25")})]
    )
    return create_claim(
        project, acting_user=project.lead, period_start=CLAIMED_MONDAY, period_end=CLAIMED_MONDAY + timedelta(days=6)
    )


def grid_post(project, person, **cells):
    data = {
        "semaine": THIS_MONDAY.isoformat(),
        "version": week_token(person, THIS_MONDAY),
        "rows": "1",
        "r0-project": str(project.pk),
        "r0-kind": TimeKind.ENGINEERING,
        "r0-activity": "Diagnostic",
    }
    for day in range(7):
        data[f"r0-d{day}"] = ""
    data.update(cells)
    return data


def input_of(page: str, name: str) -> str:
    """The <input> tag of a cell."""
    match = re.search(rf'<input[^>]*\bid="{name}"[^>]*>', page)
    assert match, name
    return match.group(0)


def cell_of(page: str, name: str) -> str:
    """What follows a cell's input up to the end of its table cell (its error messages)."""
    rest = page[page.index(input_of(page, name)) :]
    return rest[: rest.index("</td>")]


# --- The week grid -------------------------------------------------------------------------------


def test_the_week_grid_renders_for_a_member_of_the_carriers_staff(client, project, counsellor):
    week(counsellor, THIS_MONDAY, [GridRow("r0", project.pk, TimeKind.ENGINEERING, "Diagnostic", {1: Decimal("2.5")})])
    client.force_login(counsellor)
    response = client.get(reverse("programme:timesheet"))
    assert response.status_code == 200
    assertContains(response, "Mes heures")
    assertContains(response, f'<option value="{project.pk}" selected>Projet Saverne</option>', html=True)
    assertContains(response, 'value="Diagnostic"')
    assertContains(response, 'name="r0-d1" value="2.5"')
    assertContains(response, "Total de la semaine : 2,50 h")


def test_a_grid_with_one_bad_cell_saves_nothing_and_says_why_next_to_it(client, project, counsellor):
    client.force_login(counsellor)
    data = grid_post(project, counsellor, **{"r0-d0": "2", "r0-d1": "3,1", "r0-d2": "1,5"})
    response = client.post(reverse("programme:timesheet"), data)
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
    page = response.content.decode()
    assert "is-invalid" not in input_of(page, "r0-d0")
    assert "is-invalid" in input_of(page, "r0-d1")
    assert 'aria-describedby="r0-d1-error"' in input_of(page, "r0-d1")
    assert "Les heures se comptent par quarts d&#x27;heure" in cell_of(page, "r0-d1")
    assert "quarts" not in cell_of(page, "r0-d0") + cell_of(page, "r0-d2")
    # What was typed stays in the grid, to be corrected, as a number the field can hold.
    assert 'value="2"' in input_of(page, "r0-d0")
    assert 'value="3.1"' in input_of(page, "r0-d1")


def test_a_cell_that_is_not_a_number_is_refused_on_its_cell(client, project, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("programme:timesheet"), grid_post(project, counsellor, **{"r0-d4": "deux"}))
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
    assert "Écrivez un nombre d&#x27;heures, par exemple 1,5." in cell_of(response.content.decode(), "r0-d4")


def test_a_good_grid_is_saved_and_submitted(client, project, counsellor):
    client.force_login(counsellor)
    data = grid_post(project, counsellor, **{"r0-d0": "2", "r0-d1": "1,5"}) | {"submit": "1"}
    response = client.post(reverse("programme:timesheet"), data)
    assert response.status_code == 302
    assert sorted(TimeEntry.objects.values_list("hours", "status")) == [
        (Decimal("1.5"), TimeStatus.SUBMITTED),
        (Decimal("2"), TimeStatus.SUBMITTED),
    ]


# --- The lead's approval -------------------------------------------------------------------------


def test_the_lead_approves_the_submitted_hours(client, project, counsellor):
    week(counsellor, THIS_MONDAY, [GridRow("r0", project.pk, TimeKind.ENGINEERING, "Diagnostic", {0: Decimal(2)})])
    submit_week(acting_user=counsellor, monday=THIS_MONDAY)
    entry = TimeEntry.objects.get()
    client.force_login(project.lead)
    url = reverse("programme:time_review", args=[project.pk])
    page = client.get(url)
    assertContains(page, counsellor.get_full_name())
    assertContains(page, f'value="{entry.pk}"')
    response = client.post(url, {"entries": [str(entry.pk)], "decision": "approve"}, follow=True)
    assertContains(response, "Heures validées.")
    entry.refresh_from_db()
    assert entry.status == TimeStatus.APPROVED
    assert entry.reviewed_by == project.lead
    assertContains(response, "Aucune heure n'attend votre validation.")


# --- The claim's report --------------------------------------------------------------------------


def test_the_claims_xlsx_holds_its_lines_and_total_exactly(client, project, claim):
    amounts = claim_amounts(claim)
    assert amounts.total == claim.total
    client.force_login(project.lead)
    response = client.get(reverse("programme:claim_xlsx", args=[claim.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_label = {row[0]: row for row in rows if row and row[0]}
    for line in amounts.hours_lines:
        row = by_label[line.person_name]
        assert row[1] == line.kind.label
        assert [Decimal(str(v)) for v in row[2:5]] == [line.hours, line.rate, line.amount]
        assert Decimal(str(row[4])) == line.amount
    assert Decimal(str(by_label["Total des heures"][4])) == amounts.hours_amount
    assert Decimal(str(by_label["Total demandé"][1])) == claim.total
    # 3.25 + 7.5 = 10.75 h × 41.35 = 444.5125 → 444.51; 1.25 h × 37.33 = 46.6625 → 46.66.
    assert claim.total == Decimal("491.17")


def test_the_claims_pdf_shows_its_total(client, project, claim):
    client.force_login(project.lead)
    response = client.get(reverse("programme:claim_pdf", args=[claim.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Total demandé" in text
    assert "491,17" in " ".join(text.split()).replace("\u202f", " ").replace("\xa0", " ")


def test_the_claim_page_shows_the_same_total(client, project, claim):
    client.force_login(project.lead)
    response = client.get(reverse("programme:claim_detail", args=[claim.pk]))
    assertContains(response, "491,17")
    assertContains(response, reverse("programme:claim_xlsx", args=[claim.pk]))


# --- Outsiders -----------------------------------------------------------------------------------


@pytest.fixture
def outsiders(project):
    other_mission = OrganisationFactory(mission_locale=True)
    partner = OrganisationFactory()
    add_partner(project, acting_user=project.lead, organisation=partner, role=PartnerRole.ACTION)
    return {
        "coordinator of another Mission locale": member(Role.COORDINATOR, other_mission),
        "partner worker of the project's partner": member(Role.PARTNER_WORKER, partner),
        "counsellor of another Mission locale": member(Role.COUNSELLOR, other_mission),
    }


@pytest.mark.parametrize(
    "who",
    [
        "coordinator of another Mission locale",
        "partner worker of the project's partner",
        "counsellor of another Mission locale",
    ],
)
def test_outsiders_get_404_on_every_page_of_the_project_and_its_claims(client, project, claim, outsiders, who):
    status = claim.status
    client.force_login(outsiders[who])
    for name, args in [
        ("programme:time_review", [project.pk]),
        ("programme:claim_list", [project.pk]),
        ("programme:claim_detail", [claim.pk]),
        ("programme:claim_xlsx", [claim.pk]),
        ("programme:claim_pdf", [claim.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name, args, data in [
        ("programme:time_review", [project.pk], {"decision": "approve"}),
        ("programme:claim_list", [project.pk], {}),
        ("programme:claim_send", [claim.pk], {}),
        ("programme:claim_unlock", [claim.pk], {"reason": "Erreur"}),
    ]:
        assert client.post(reverse(name, args=args), data).status_code == 404, name
    claim.refresh_from_db()
    assert claim.status == status
    assert not TimeEntry.objects.filter(claim=None).exists()


def test_the_partner_worker_has_no_week_grid(client, outsiders):
    client.force_login(outsiders["partner worker of the project's partner"])
    assert client.get(reverse("programme:timesheet")).status_code == 404
    assert client.post(reverse("programme:timesheet"), {}).status_code == 404


@pytest.mark.parametrize("who", ["coordinator of another Mission locale", "counsellor of another Mission locale"])
def test_another_mission_locales_staff_never_enter_hours_on_the_project(client, project, outsiders, who):
    """The week grid is each staff member's own (can_enter_hours): theirs opens, without the project
    of a Mission locale that is not theirs, and their hours on it are refused."""
    user = outsiders[who]
    client.force_login(user)
    response = client.get(reverse("programme:timesheet"))
    assert response.status_code == 200
    assertNotContains(response, "Projet Saverne")
    response = client.post(reverse("programme:timesheet"), grid_post(project, user, **{"r0-d0": "2"}))
    assert response.status_code == 200
    assertNotContains(response, "Projet Saverne")
    assert not TimeEntry.objects.exists()


# --- Queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 10])
def test_the_grid_runs_as_many_queries_with_1_or_10_entries(
    client, project, counsellor, count, django_assert_max_num_queries
):
    rows = [
        GridRow(f"r{n}", project.pk, TimeKind.ENGINEERING, f"Activité {n}", {n % 7: Decimal("0.5")})
        for n in range(count)
    ]
    week(counsellor, THIS_MONDAY, rows)
    assert TimeEntry.objects.count() == count
    client.force_login(counsellor)
    client.get(reverse("programme:timesheet"))  # the session, once
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("programme:timesheet"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_the_claim_report_runs_as_many_queries_with_1_or_10_lines(
    client, project, count, django_assert_max_num_queries
):
    people = [member(Role.COUNSELLOR, project.carrier) for _ in range(count)]
    claim = make_claim(project, people)
    assert len(claim_amounts(claim).hours_lines) == count
    client.force_login(project.lead)
    client.get(reverse("programme:claim_detail", args=[claim.pk]))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("programme:claim_detail", args=[claim.pk]))
    assert response.status_code == 200


# --- Navigation ----------------------------------------------------------------------------------


def test_the_menu_names_my_hours_for_the_staff_of_a_mission_locale_only(client, project, counsellor, outsiders):
    url = reverse("programme:timesheet")
    client.force_login(counsellor)
    assertContains(client.get(reverse("web:home")), f'href="{url}"')
    client.force_login(outsiders["partner worker of the project's partner"])
    assertNotContains(client.get(reverse("web:home")), f'href="{url}"')


def test_the_project_page_links_to_the_approval_list_and_the_claims_for_whom_they_are_open(client, project):
    review, claims = (reverse(name, args=[project.pk]) for name in ("programme:time_review", "programme:claim_list"))
    client.force_login(project.lead)
    page = client.get(reverse("programme:project_detail", args=[project.pk]))
    assertContains(page, f'href="{review}"')
    assertContains(page, f'href="{claims}"')
    another_coordinator = member(Role.COORDINATOR, project.carrier)
    client.force_login(another_coordinator)
    page = client.get(reverse("programme:project_detail", args=[project.pk]))
    assertNotContains(page, f'href="{review}"')
    assertContains(page, f'href="{claims}"')
    officer = member(Role.FUNDER_OFFICER, project.campaign.funder)
    client.force_login(officer)
    page = client.get(reverse("programme:project_detail", args=[project.pk]))
    assertNotContains(page, f'href="{review}"')
    assertNotContains(page, f'href="{claims}"')  # no claim sent yet
