"""The right of access (GDPR art. 15, issue 14): the référent hands the youth everything the
platform holds about them, as a PDF to read and a JSON to reuse; nobody else can, and the export is
in the access log."""

import json

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import Role
from reperes.pathways import services as pathways
from reperes.pathways.enums import BarrierStatus, Channel, ContactOutcome, NoteScope
from reperes.privacy import audit
from reperes.privacy.enums import AccessAction, Section
from reperes.privacy.models import AccessLog
from reperes.registry.enums import Barrier
from tests.network.factories import MembershipFactory
from tests.registry.factories import ConsentFactory, YouthFactory, mission_locale, partner_worker, staff_of
from tests.reporting.test_pages import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def file():
    mission = mission_locale("Mission locale de Saverne", "67437")
    referent = staff_of(mission)
    partner = partner_worker(name="Prévention spécialisée de Saverne")
    youth = YouthFactory(
        mission_locale=mission,
        first_names="Lina",
        last_name="Schaeffer",
        phone="0611223344",
        referent=referent,
        reported_by=partner,
    )
    ConsentFactory(youth=youth, share_with=[partner.organisation], acting_user=referent)
    pathways.record_contact(
        youth,
        acting_user=referent,
        channel=Channel.PHONE,
        outcome=ContactOutcome.MET,
        happened_on=youth.created_at.date(),
    )
    pathways.set_barrier(
        youth, acting_user=referent, kind=Barrier.HOUSING, status=BarrierStatus.IDENTIFIED, detail="Dort chez une amie"
    )
    # A partner's note kept in its organisation: the youth is owed it all the same.
    pathways.add_note(youth, acting_user=partner, text="Vu au city-stade mardi", scope=NoteScope.ORGANISATION)
    audit.record_read(partner, youth.pk, sections=(Section.IDENTITY,), reason="dossier")
    return youth, referent, partner


def url(youth, fmt=""):
    base = reverse("registry:youth_subject_access", args=[youth.pk])
    return f"{base}?format={fmt}" if fmt else base


def test_the_referent_hands_over_everything_as_json(client, file):
    youth, referent, partner = file
    client.force_login(referent)
    response = client.get(url(youth, "json"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "Schaeffer" not in response["Content-Disposition"]  # no name in the file's name
    data = json.loads(response.content)
    parts = data["parties"]
    identity = parts["identity"]["lignes"][0]
    assert identity["nom de naissance"] == "Schaeffer" and identity["téléphone"] == "0611223344"
    assert parts["barriers"]["lignes"][0]["précisions"] == "Dort chez une amie"
    assert [n["note"] for n in parts["notes"]["lignes"]] == ["Vu au city-stade mardi"]
    assert parts["consents"]["lignes"][0]["partage avec"] == partner.organisation.name
    assert parts["contact_attempts"]["lignes"][0]["résultat"] == "rencontré·e : entretien réalisé"
    assert parts["signals"]["lignes"] and parts["pathways"]["lignes"]
    # Who read the file, by organisation; staff are never named.
    assert partner.organisation.name in {r["structure"] for r in parts["reads"]["lignes"]}
    assert partner.last_name not in response.content.decode() and referent.last_name not in response.content.decode()
    exported = AccessLog.objects.get(youth_id=youth.pk, user=referent)
    assert exported.action == AccessAction.EXPORT and set(exported.sections.split(",")) == set(Section.values)


def test_the_referent_gets_a_readable_pdf_and_the_file_offers_it_to_them_only(client, file, tmp_path):
    youth, referent, partner = file
    client.force_login(referent)
    assertContains(client.get(reverse("registry:youth_detail", args=[youth.pk])), "tout son dossier en PDF")
    response = client.get(url(youth))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Vos données dans Repères" in text and "Lina SCHAEFFER" in text
    assert "Dort chez une amie" in text and "Vu au city-stade mardi" in text and "Consultations du dossier" in text
    colleague = MembershipFactory(role=Role.COUNSELLOR, organisation=youth.mission_locale).user
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=youth.mission_locale).user
    for other in (colleague, coordinator, partner):
        client.force_login(other)
        assertNotContains(client.get(reverse("registry:youth_detail", args=[youth.pk])), "tout son dossier en PDF")
        assert client.get(url(youth, "json")).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exclude(user=referent).exists()
