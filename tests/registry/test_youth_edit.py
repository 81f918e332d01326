"""Keeping a youth's record up to date: history, concurrent edits, a move to another territory."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reperes.network.enums import Role
from reperes.privacy.models import WriteRecord
from reperes.registry.services import assign_referent, update_youth
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.helpers import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def missions():
    saverne = area("Saverne", "67437")
    strasbourg = area("Strasbourg", "67482")
    return (
        OrganisationFactory(mission_locale=True, territory=saverne),
        OrganisationFactory(mission_locale=True, territory=strasbourg),
    )


def inès(youth, **changes):
    """The edit form of the `youth` fixture as she is, with `changes`."""
    data = {
        "first_names": "Inès",
        "last_name": "Keller",
        "birth_date": "2008-03-14",
        "birth_precision": "day",
        "commune": "67437",
        "version": youth.updated_at.isoformat(),
    }
    return data | changes


@pytest.fixture
def youth(missions):
    signal = report("Inès", "Keller", birth_date=date(2008, 3, 14))
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=missions[0]).user
    return assign_referent(signal, referent=counsellor, acting_user=counsellor)


def test_a_change_is_recorded_with_before_and_after(youth):
    update_youth(youth, acting_user=youth.referent, version=youth.updated_at.isoformat(), phone="0612345678")
    record = WriteRecord.objects.filter(model="registry.youth", object_id=youth.pk).latest("pk")
    assert record.before == {"phone": ""} and record.after == {"phone": "0612345678"}


def test_a_concurrent_edit_is_refused(youth):
    version = youth.updated_at.isoformat()
    update_youth(youth, acting_user=youth.referent, version=version, phone="0612345678")
    with pytest.raises(ValidationError, match="modifiée par quelqu'un d'autre"):
        update_youth(youth, acting_user=youth.referent, version=version, email="ines@example.org")


def test_a_move_hands_the_file_to_the_mission_locale_of_the_new_commune(youth, missions):
    moved = update_youth(
        youth,
        acting_user=youth.referent,
        version=youth.updated_at.isoformat(),
        commune=Commune.objects.get(code="67482"),
    )
    assert moved.mission_locale == missions[1] and moved.referent is None


def test_signals_still_to_triage_follow_a_youth_who_moves(missions):
    signal = report("Noé", "Ostermann", birth_date=date(2007, 5, 2))
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=missions[0]).user
    youth = signal.youth
    update_youth(
        youth, acting_user=counsellor, version=youth.updated_at.isoformat(), commune=Commune.objects.get(code="67482")
    )
    signal.refresh_from_db()
    assert signal.mission_locale == missions[1]  # in the new Mission locale's triage queue


def test_an_impossible_birth_date_is_refused(youth):
    with pytest.raises(ValidationError, match="futur"):
        update_youth(
            youth, acting_user=youth.referent, version=youth.updated_at.isoformat(), birth_date=date(2030, 1, 1)
        )


def test_the_edit_page_saves_and_reports_a_concurrent_edit(client, youth):
    client.force_login(youth.referent)
    url = reverse("registry:youth_edit", args=[youth.pk])
    page = client.get(url).content.decode()
    assert 'value="Keller"' in page
    data = inès(youth, phone="06 12 34 56 78")
    assert client.post(url, data)["Location"] == reverse("registry:youth_detail", args=[youth.pk])
    response = client.post(url, data | {"phone": "07 00 00 00 00"})
    assert response.status_code == 200 and "modifiée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    assert f'href="{url}">Recharger le dossier tel qu' in response.content.decode()
    youth.refresh_from_db()
    assert youth.phone == "06 12 34 56 78"  # the first save is kept
    response = client.post(url, data | {"version": youth.updated_at.isoformat(), "ine": "12345"})
    assert "11 caractères" in response.content.decode()


def test_a_youth_without_a_referent_gets_one_from_the_edit_page(client, missions):
    # A youth who came from a list or another Mission locale has no signal to take in.
    youth = report("Noé", "Ostermann", birth_date=date(2007, 5, 2)).youth
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=missions[0]).user
    client.force_login(counsellor)
    url = reverse("registry:youth_edit", args=[youth.pk])
    assert "— à désigner —" in client.get(url).content.decode()
    data = {
        "first_names": "Noé",
        "last_name": "Ostermann",
        "birth_date": "2007-05-02",
        "birth_precision": "day",
        "commune": "67437",
        "referent": counsellor.pk,
        "version": youth.updated_at.isoformat(),
    }
    assert client.post(url, data)["Location"] == reverse("registry:youth_detail", args=[youth.pk])
    youth.refresh_from_db()
    assert youth.referent == counsellor
    record = WriteRecord.objects.filter(model="registry.youth", object_id=youth.pk).latest("pk")
    assert record.before == {"referent": None} and record.after == {"referent": counsellor.pk}


def test_a_referent_of_another_mission_locale_is_refused(youth, missions):
    stranger = MembershipFactory(role=Role.COUNSELLOR, organisation=missions[1]).user
    with pytest.raises(ValidationError, match="doit appartenir à la Mission locale du jeune"):
        update_youth(youth, acting_user=youth.referent, version=youth.updated_at.isoformat(), referent=stranger)


def test_a_move_out_of_the_territory_is_confirmed_before_the_file_is_handed_over(client, youth, missions):
    client.force_login(youth.referent)
    url = reverse("registry:youth_edit", args=[youth.pk])
    data = inès(youth, commune="67482", referent=youth.referent.pk)  # Strasbourg: another Mission locale
    page = client.post(url, data)
    assert page.status_code == 200
    assert "le dossier lui est transmis" in page.content.decode()
    youth.refresh_from_db()
    assert youth.mission_locale == missions[0]  # nothing changed yet
    assert client.post(url, data | {"confirm_handover": str(missions[1].pk)})["Location"] == reverse(
        "registry:youth_list"
    )
    youth.refresh_from_db()
    assert youth.mission_locale == missions[1] and youth.referent is None


def test_an_implausible_birth_date_is_reported_with_the_other_errors_at_once(client, youth):
    client.force_login(youth.referent)
    url = reverse("registry:youth_edit", args=[youth.pk])
    form = client.post(url, inès(youth, birth_date="1980-03-14", ine="12345")).context["form"]
    assert "11 caractères" in " ".join(form.errors["ine"])
    assert re.search(r"Cette date donne \d+ ans", " ".join(form.errors["birth_date"]))


def test_only_the_referent_or_a_coordinator_hands_a_followed_file_to_someone_else(client, youth, missions):
    colleague = MembershipFactory(role=Role.COUNSELLOR, organisation=missions[0]).user
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=missions[0]).user
    # A colleague cannot make themselves référent (and so reader of the sensitive sections).
    with pytest.raises(ValidationError, match="Seul·e le ou la référent·e actuel·le"):
        update_youth(youth, acting_user=colleague, version=youth.updated_at.isoformat(), referent=colleague)
    client.force_login(colleague)
    page = client.get(reverse("registry:youth_edit", args=[youth.pk])).content.decode()
    assert re.search(r'<select name="referent"[^>]*disabled', page)
    # Their other changes are saved, and the référent stays.
    client.post(reverse("registry:youth_edit", args=[youth.pk]), inès(youth, phone="0611111111"))
    youth.refresh_from_db()
    assert youth.phone == "0611111111" and youth.referent != colleague
    moved = update_youth(youth, acting_user=coordinator, version=youth.updated_at.isoformat(), referent=colleague)
    assert moved.referent == colleague


def test_a_referent_who_left_stays_on_the_file_until_someone_chooses_another(client, youth):
    referent = youth.referent
    referent.memberships.update(is_active=False)
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=youth.mission_locale).user
    client.force_login(coordinator)
    url = reverse("registry:youth_edit", args=[youth.pk])
    assert f'<option value="{referent.pk}" selected>' in client.get(url).content.decode()
    client.post(url, inès(youth, phone="0622222222", referent=referent.pk))
    youth.refresh_from_db()
    assert youth.phone == "0622222222" and youth.referent == referent


def test_nobody_said_is_not_no_until_the_counsellor_answers(client, youth):
    """« Sans diplôme » and « pas accompagné·e ailleurs » are « à vérifier » until someone answers."""
    client.force_login(youth.referent)
    detail = reverse("registry:youth_detail", args=[youth.pk])
    eligibility = client.get(detail).content.decode().split("Public du programme")[1].split("</ul>")[0]
    assert eligibility.count("à vérifier") == 3  # left school, diploma, followed elsewhere
    url = reverse("registry:youth_edit", args=[youth.pk])
    assert re.search(r'value="unknown"\s+id="id_has_diploma_0"\s+checked', client.get(url).content.decode())
    client.post(url, inès(youth, has_diploma="false", followed_elsewhere="true"))
    youth.refresh_from_db()
    assert youth.has_diploma is False and youth.followed_elsewhere is True
    assert (False, "n'est pas accompagné·e ailleurs") in youth.eligibility()  # out of the programme's public
    client.post(url, inès(youth, has_diploma="unknown", followed_elsewhere="false"))
    youth.refresh_from_db()
    assert youth.has_diploma is None and youth.followed_elsewhere is False
