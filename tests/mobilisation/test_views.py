import pytest
from django.urls import reverse

from reperes.mobilisation.models import Attendance
from reperes.mobilisation.services import enrol_youth
from reperes.privacy.enums import AccessAction
from reperes.privacy.models import AccessLog
from tests.mobilisation.factories import mobilisation_world, new_action, past_session
from tests.registry.factories import YouthFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return mobilisation_world()


def test_a_partner_running_the_action_records_attendance_on_a_sheet_of_short_names(client, world):
    action = new_action(world.counsellor, partners=[world.partner])
    session = past_session(action)
    youth = YouthFactory(mission_locale=world.mission, first_names="Nadia", last_name="Zimmerlin")
    enrolment = enrol_youth(action, youth=youth, acting_user=world.counsellor)
    client.force_login(world.worker)
    url = reverse("mobilisation:attendance_sheet", kwargs={"session_id": session.pk})

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nadia Z." in text and "Zimmerlin" not in text.replace("ZIMMERLIN", "") and "ZIMMERLIN" not in text
    assert (
        AccessLog.objects.filter(
            user=world.worker, youth_id=youth.pk, action=AccessAction.LIST, reason="presences"
        ).count()
        == 1
    )

    response = client.post(url, {f"status-{enrolment.pk}": "present"})
    assert response.status_code == 302 and response["Location"] == url
    assert Attendance.objects.get(enrolment=enrolment).status == "present"
    assert "Présences enregistrées." in client.get(url).content.decode()


def test_a_partner_of_another_organisation_gets_404(client, world):
    action = new_action(world.counsellor, partners=[world.partner])
    session = past_session(action)
    enrolment = enrol_youth(action, youth=YouthFactory(mission_locale=world.mission), acting_user=world.counsellor)
    client.force_login(world.other_worker)
    url = reverse("mobilisation:attendance_sheet", kwargs={"session_id": session.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {f"status-{enrolment.pk}": "present"}).status_code == 404
    assert client.get(reverse("mobilisation:action_detail", kwargs={"action_id": action.pk})).status_code == 404
    assert not Attendance.objects.exists()


def test_a_sheet_naming_a_youth_not_enrolled_is_refused_with_a_message(client, world):
    action = new_action(world.counsellor, partners=[world.partner])
    session = past_session(action)
    client.force_login(world.worker)
    url = reverse("mobilisation:attendance_sheet", kwargs={"session_id": session.pk})
    response = client.post(url, {"status-123456": "present"}, follow=True)
    assert "pas inscrit à cette action" in response.content.decode()
    assert client.get(reverse("mobilisation:attendance_sheet", kwargs={"session_id": 10**9})).status_code == 404


def test_the_counsellor_creates_an_action_and_enrols_a_youth(client, world):
    client.force_login(world.counsellor)
    response = client.post(
        reverse("mobilisation:action_create"),
        {
            "title": "Sortie escalade",
            "kind": "sport",
            "format": "collective",
            "objectives": "Se dépasser en groupe.",
            "partners": [world.partner.pk],
            "commune": "67437",
            "starts_on": "2026-01-10",
            "ends_on": "2030-01-10",
            "capacity": "1",
            "cost": "500",
            "cofinancing_requested": "250.50",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    action_url = response["Location"]
    action_id = int(action_url.rstrip("/").split("/")[-1])
    first, second = YouthFactory(mission_locale=world.mission), YouthFactory(mission_locale=world.mission)
    enrol_url = reverse("mobilisation:enrol", kwargs={"action_id": action_id})
    assert "est inscrit·e" in client.post(enrol_url, {"youth": first.pk}, follow=True).content.decode()
    assert "déjà inscrit·e" in client.post(enrol_url, {"youth": first.pk}, follow=True).content.decode()
    assert "L&#x27;action est complète" in client.post(enrol_url, {"youth": second.pk}, follow=True).content.decode()
    page = client.get(action_url).content.decode()
    assert first.display_name in page and "1 / 1" in page


def test_a_stale_edit_form_says_who_changed_the_action(client, world):
    action = new_action(world.counsellor, partners=[world.partner])
    client.force_login(world.counsellor)
    url = reverse("mobilisation:action_edit", kwargs={"action_id": action.pk})
    data = {
        "version": str(action.version),
        "title": "Atelier théâtre",
        "kind": action.kind,
        "format": action.format,
        "objectives": action.objectives,
        "partners": [world.partner.pk],
        "commune": "67437",
        "starts_on": action.starts_on.isoformat(),
        "ends_on": action.ends_on.isoformat(),
        "capacity": "9",
        "cost": "2400",
        "cofinancing_requested": "0",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "capacity": "10"})
    assert response.status_code == 200
    assert "modifiée entre-temps par" in response.content.decode()
    action.refresh_from_db()
    assert action.capacity == 9
