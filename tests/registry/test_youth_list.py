"""The caseload list: sorted by name, or with the files opened lately first."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from reperes.registry.models import Youth
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db


def _order(response) -> list[str]:
    page = response.content.decode()
    return sorted((name for name in ("Zoé ARNOLD", "Adam ZIMMER") if name in page), key=page.index)


def test_the_files_opened_lately_come_first_when_asked_even_against_the_alphabet(client, mission, counsellor):
    report("Zoé", "Arnold", birth_date=date(2007, 5, 6))
    newer = report("Adam", "Zimmer", birth_date=date(2006, 1, 2)).youth
    # Arnold's file was opened during a past campaign.
    Youth.objects.exclude(pk=newer.pk).update(created_at=timezone.now() - timedelta(days=400))
    client.force_login(counsellor)
    url = reverse("registry:youth_list")
    assert _order(client.post(url, {"sort": "name"})) == ["Zoé ARNOLD", "Adam ZIMMER"]
    assert _order(client.get(url)) == ["Zoé ARNOLD", "Adam ZIMMER"]  # by name unless asked
    recent = client.post(url, {"sort": "recent"})
    assert _order(recent) == ["Adam ZIMMER", "Zoé ARNOLD"]
    page = recent.content.decode()
    row = page[page.index("Adam ZIMMER") : page.index("</tr>", page.index("Adam ZIMMER"))]
    assert "Dossier ouvert le" in page
    assert f"<td>{date_format(timezone.localtime(newer.created_at), 'j F Y')}</td>" in row


def test_the_caseload_sorts_names_in_french_order_whatever_the_accents(client, counsellor):
    for last_name in ("Brunet", "Bègue", "ébert", "Eckert", "Zimmer", "Œuvray"):
        report("Jules", last_name)
    client.force_login(counsellor)
    page = client.get(reverse("registry:youth_list")).content.decode()
    names = ["BÈGUE", "BRUNET", "ÉBERT", "ECKERT", "ŒUVRAY", "ZIMMER"]
    positions = [page.index(f"Jules {name}") for name in names]
    assert positions == sorted(positions)
