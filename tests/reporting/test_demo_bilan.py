"""The demo's bilans (issue 13's « done when »): the funder opens the first campaign's bilan, which
stands for the seed's 2013–2014, sees its youths across its seven projects with the funnel chart,
and no name anywhere — page, CSV, XLSX, PDF."""

import pytest
from django.urls import reverse

from reperes.demo import campaigns
from reperes.demo.accounts import ACCOUNTS
from reperes.exports.enums import ExportStatus
from reperes.exports.models import ExportJob
from reperes.exports.services import run_job
from reperes.network.enums import Role
from reperes.network.models import User
from reperes.programme.selectors import youths_identified_in, youths_of
from reperes.registry.models import Youth
from reperes.reporting.bilan import campaign_bilan
from reperes.reporting.enums import AssessmentCategory
from reperes.reporting.models import ProjectAssessment
from reperes.reporting.selectors import campaign_counts
from tests.reporting.test_pages import main, pdf_text, xlsx_text

pytestmark = pytest.mark.django_db


def officer() -> User:
    return User.objects.get(email=next(a["email"] for a in ACCOUNTS if a["role"] == Role.FUNDER_OFFICER))


def demo_names() -> set[str]:
    found: set[str] = set()
    for first_names, last_name, usage_name in Youth.objects.values_list("first_names", "last_name", "usage_name"):
        found.update(word for word in first_names.split() if len(word) > 2)
        found.update(name for name in (last_name, usage_name) if len(name) > 2)
    return found


def names_in(text: str, names: set[str]) -> list[str]:
    import re

    words = set(re.findall(r"[\w'-]+", text))
    return sorted(name for name in names if name in words)


def test_the_first_campaigns_bilan_counts_its_projects_youths_and_seven_projects(demo):
    first, second, third = campaigns.demo_campaigns()
    counts = campaign_counts(first)
    assert len(counts.projects) == 7
    assert counts.identified == sum(youths_of(p).count() for p in counts.projects)
    bilan = campaign_bilan(first)
    (identified, _kind) = bilan.key_figures[0][1:]
    assert identified.value == counts.identified
    assert len(campaign_counts(second).projects) == 9
    third_counts = campaign_counts(third)
    assert third_counts.reference_date is not None and third_counts.reference_date < third.ends_on


def test_the_bilans_read_the_seeds_233_then_280_youths_all_in_projects(demo):
    first, second, _current = campaigns.demo_campaigns()
    assert youths_identified_in(first).count() == 233
    assert campaign_counts(first).identified == 233
    assert campaign_counts(second).identified == 280


def test_the_funder_reads_the_first_bilan_with_its_funnel_and_no_name_in_any_file(demo, client, tmp_path):
    first = campaigns.demo_campaigns()[0]
    names = demo_names()
    client.force_login(officer())
    page = client.get(reverse("reporting:campaign", args=[first.pk])).content.decode()
    assert "Entonnoir du parcours" in page and "Perdus de vue" in page
    assert not names_in(main(page), names)
    url = reverse("reporting:campaign_export", args=[first.pk])
    assert not names_in(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"), names)
    assert not names_in(xlsx_text(client.get(url, {"format": "xlsx"}).content), names)
    client.post(reverse("reporting:campaign_pdf", args=[first.pk]))
    job = ExportJob.objects.latest("pk")
    assert run_job(job.pk) == ExportStatus.DONE
    job.refresh_from_db()
    text = pdf_text(bytes(job.content), tmp_path)
    assert "Bilan qualitatif du partenariat" in text
    assert not names_in(text, names)


def test_the_demo_projects_have_their_strengths_and_difficulties_in_every_category(demo):
    first = campaigns.demo_campaigns()[0]
    written = ProjectAssessment.objects.filter(project__campaign=first)
    assert set(written.values_list("category", flat=True)) == set(AssessmentCategory.values)
    assert written.values("project").distinct().count() == 7
