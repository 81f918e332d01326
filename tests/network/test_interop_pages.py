import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from reperes.network.models import Organisation, Service

pytestmark = pytest.mark.django_db


def upload(document, name="annuaire.json"):
    return SimpleUploadedFile(name, json.dumps(document).encode(), content_type="application/json")


def test_every_member_downloads_the_directory_as_data_inclusion(client, partner_worker, demo):
    client.force_login(partner_worker)
    response = client.get(reverse("network:directory_export"))
    document = json.loads(response.content)
    assert "attachment" in response["Content-Disposition"]
    assert len(document["structures"]) == Organisation.objects.partners().count()
    assert len(document["services"]) == Service.objects.count()


def test_only_administrators_import(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("network:directory_import")).status_code == 404


def test_check_then_import_a_file_in_the_browser(client, admin_user, demo):
    client.force_login(admin_user)
    document = json.loads(client.get(reverse("network:directory_export")).content)
    document["structures"][0]["description"] = "Description venue d'un autre annuaire."
    url = reverse("network:directory_import")
    checked = client.post(url, {"file": upload(document), "check": ""})
    assertContains(checked, "Simulation : rien n&#x27;a été enregistré.")
    assertContains(checked, "mises à jour : 1")
    assert not Organisation.objects.filter(description="Description venue d'un autre annuaire.").exists()
    imported = client.post(url, {"file": upload(document), "import": ""})
    assertContains(imported, "mises à jour : 1")
    assert Organisation.objects.filter(description="Description venue d'un autre annuaire.").exists()


def test_a_bad_file_is_refused_with_every_error_and_nothing_changes(client, admin_user, demo):
    client.force_login(admin_user)
    before = (Organisation.objects.count(), Service.objects.count())
    document = {
        "structures": [{"source": "x", "id": "x--1", "date_maj": "2026-01-01"}],
        "services": [{"source": "x", "id": "s1", "structure_id": "x--absent", "nom": "Service", "thematiques": []}],
    }
    response = client.post(
        reverse("network:directory_import"), {"file": upload(document), "import": ""}, headers={"HX-Request": "true"}
    )
    assertContains(response, "rien n'a été importé")
    assertContains(response, "structures[0]")
    assertContains(response, "services[0]")
    assert (Organisation.objects.count(), Service.objects.count()) == before


def test_a_file_that_is_not_json_is_explained(client, admin_user):
    client.force_login(admin_user)
    bad = SimpleUploadedFile("annuaire.json", b"{pas du json", content_type="application/json")
    response = client.post(reverse("network:directory_import"), {"file": bad, "check": ""})
    assertContains(response, "Le fichier n&#x27;est pas un JSON valide")
