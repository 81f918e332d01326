"""A signal closes with its real outcome — unreachable, declined, referred or followed elsewhere, out
of the public — each with its history record, told to the sending partner in words that reveal
nothing sensitive; and the barriers a partner ticked show on triage « signalés, à confirmer »,
sensitive ones only to those who hold their section."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reperes.network.enums import OrganisationKind, Role
from reperes.privacy.models import WriteRecord
from reperes.registry.enums import PARTNER_OUTCOME, SignalStatus, YouthStatus
from reperes.registry.models import Signal, Youth
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import SignalFactory, YouthFactory, mission_locale

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission():
    return mission_locale("Mission locale de Saverne", "67437", "67300")


@pytest.fixture
def counsellor(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def educator():
    """A street educator who reports the youths she meets in Saverne."""
    partner = OrganisationFactory(name="Prévention Saverne", territory=area("P", "67437"), commune_id="67437")
    return MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user


@pytest.fixture
def signal(educator):
    return SignalFactory(author=educator, first_name="Inès", last_name="Kessler", barriers=["mobility", "health"])


def barriers_shown(response) -> list[str]:
    """The lines « … à confirmer … » of a page: the barriers signalled as the reader sees them."""
    return re.findall(r'<span class="d-block small">([^<]*à confirmer[^<]*)</span>', response.content.decode())


def close(client, signal, **data):
    return client.post(reverse("registry:signal_dismiss", args=[signal.pk]), data, follow=True)


def history(signal):
    return WriteRecord.objects.filter(model="registry.signal", object_id=signal.pk).order_by("pk").last()


def sent_page(client, educator):
    client.force_login(educator)
    return client.get(reverse("registry:signal_list"))


def test_the_triage_page_offers_each_closure_behind_a_step_that_opens_first(client, counsellor, signal):
    client.force_login(counsellor)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    for summary in ("Injoignable", "A décliné", "Orienté·e ailleurs / déjà suivi·e ailleurs"):
        assertContains(page, f'<summary class="card-header">{summary}</summary>', html=False)
    assertContains(page, "Hors public (âge, diplôme…)")
    for status in ("unreachable", "declined", "elsewhere", "ineligible"):
        assertContains(page, f'name="status" value="{status}"')


def test_unreachable_closes_the_signal_and_the_record_it_opened_with_its_history(client, counsellor, educator, signal):
    client.force_login(counsellor)
    response = close(client, signal, status="unreachable")
    assertRedirects(response, reverse("registry:signal_list"))
    assertContains(response, "Signalement classé : injoignable.")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.UNREACHABLE and signal.handled_by == counsellor
    record = history(signal)
    assert record.user == counsellor
    assert record.before == {"status": "new"} and record.after == {"status": "unreachable"}
    # Nobody follows the record this signal opened alone: closed with it (data minimisation).
    assert Youth.objects.get(pk=signal.youth_id).status == YouthStatus.CLOSED
    assertContains(sent_page(client, educator), "la Mission locale n&#x27;a pas réussi à joindre le jeune")


def test_declined_keeps_its_reason_for_the_mission_locale_and_tells_the_partner_when_to_bring_it_up_again(
    client, counsellor, educator, signal
):
    later = timezone.localdate() + timedelta(days=60)
    client.force_login(counsellor)
    close(client, signal, status="declined", decline_reason="distrust", reapproach_on=later.isoformat())
    signal.refresh_from_db()
    assert signal.status == SignalStatus.DECLINED
    assert (signal.decline_reason, signal.reapproach_on) == ("distrust", later)
    assert history(signal).after == {
        "status": "declined",
        "decline_reason": "distrust",
        "reapproach_on": later.isoformat(),
    }
    detail = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertContains(detail, "méfiance envers les institutions")
    sent = sent_page(client, educator)
    assertContains(sent, "le jeune ne souhaite pas être accompagné par la Mission locale pour l&#x27;instant")
    assertContains(sent, "Vous pouvez lui en reparler à partir du")
    assertNotContains(sent, "méfiance")


def test_referred_elsewhere_names_where_to_the_mission_locale_only(client, counsellor, educator, signal):
    school = OrganisationFactory(name="École de la 2e chance de Saverne", kind=OrganisationKind.E2C)
    client.force_login(counsellor)
    close(client, signal, status="elsewhere", referred_to=school.pk)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ELSEWHERE and signal.referred_to == school
    assert history(signal).after == {"status": "elsewhere", "referred_to": school.pk}
    assertContains(client.get(reverse("registry:signal_detail", args=[signal.pk])), school.name)
    sent = sent_page(client, educator)
    assertContains(sent, str(PARTNER_OUTCOME[SignalStatus.ELSEWHERE]))
    assertNotContains(sent, school.name)


def test_referred_elsewhere_outside_the_directory_is_told_in_a_hundred_characters(client, counsellor, signal):
    client.force_login(counsellor)
    response = close(client, signal, status="elsewhere", referred_to_text="x" * 101)
    assertContains(response, "Assurez-vous que cette valeur comporte au plus 100 caractères")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW
    close(client, signal, status="elsewhere", referred_to_text="  suivi par l'AFPA de Strasbourg ")
    signal.refresh_from_db()
    assert (signal.status, signal.referred_to_text) == (SignalStatus.ELSEWHERE, "suivi par l'AFPA de Strasbourg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "declined"}, "Indiquez pourquoi le jeune décline."),
        (
            {"status": "declined", "decline_reason": "not_now", "reapproach_on": "2020-01-01"},
            "choisissez une date à venir",
        ),
        ({"status": "elsewhere"}, "Indiquez vers quelle structure le jeune est orienté"),
        ({"status": "duplicate"}, "utilisez « Fusionner avec ce dossier »"),
        ({"status": "assigned"}, "Choisissez comment classer ce signalement."),
    ],
)
def test_a_closure_without_what_it_needs_is_refused_and_changes_nothing(client, counsellor, signal, data, message):
    records = WriteRecord.objects.count()
    client.force_login(counsellor)
    response = close(client, signal, **data)
    assertContains(response, message)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW and signal.handled_at is None
    assert WriteRecord.objects.count() == records


def test_an_already_closed_signal_is_not_closed_again(client, counsellor, signal):
    client.force_login(counsellor)
    close(client, signal, status="unreachable")
    signal.refresh_from_db()
    handled_at, records = signal.handled_at, WriteRecord.objects.count()
    response = close(client, signal, status="declined", decline_reason="not_now")
    assertContains(
        response, "Ce signalement a déjà été traité. Il est classé « injoignable » : rien n&#x27;a été changé."
    )
    signal.refresh_from_db()
    assert (signal.status, signal.decline_reason, signal.handled_at) == (SignalStatus.UNREACHABLE, "", handled_at)
    assert WriteRecord.objects.count() == records
    # The closed signal offers no closure any more.
    assertNotContains(client.get(reverse("registry:signal_detail", args=[signal.pk])), 'name="status"')


def test_a_closure_keeps_the_file_the_signal_joined(client, counsellor, educator, mission):
    known = YouthFactory(mission_locale=mission, followed=True)
    again = SignalFactory(
        author=educator, first_name=known.first_names, last_name=known.last_name, birth_date=known.birth_date
    )
    assert again.youth == known
    client.force_login(counsellor)
    close(client, again, status="declined", decline_reason="not_now")
    assert Youth.objects.get(pk=known.pk).status == YouthStatus.ACTIVE


def test_a_specialised_partner_is_offered_as_where_only_to_whoever_holds_its_section(client, counsellor, signal):
    csapa = OrganisationFactory(name="CSAPA du Rhin", kind=OrganisationKind.CSAPA)
    client.force_login(counsellor)
    # Without the health section of the file (no référent yet), the CSAPA is not offered nor taken.
    assertNotContains(client.get(reverse("registry:signal_detail", args=[signal.pk])), "CSAPA du Rhin")
    response = close(client, signal, status="elsewhere", referred_to=csapa.pk)
    assertContains(response, "Choisissez une autre structure active de l&#x27;annuaire.")
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW
    # The youth's référent holds it: offered.
    youth = signal.youth
    youth.referent = counsellor
    youth.save(update_fields=["referent"])
    assertContains(client.get(reverse("registry:signal_detail", args=[signal.pk])), "CSAPA du Rhin")


def test_another_mission_locale_and_a_partner_cannot_close_a_signal(client, educator, signal):
    other = mission_locale("Mission locale de Strasbourg", "67482")
    stranger = MembershipFactory(role=Role.COUNSELLOR, organisation=other).user
    unrelated = MembershipFactory(role=Role.PARTNER_WORKER).user
    for user in (stranger, unrelated, educator):
        client.force_login(user)
        response = client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "unreachable"})
        assert response.status_code == 404, user
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW


# --- Barriers signalled, « à confirmer » --------------------------------------------------------


def test_the_triage_page_shows_the_barriers_signalled_and_counts_the_sensitive_ones_without_grant(
    client, counsellor, signal
):
    client.force_login(counsellor)
    expected = ["Freins signalés, à confirmer : mobilité ; et 1 autre frein signalé, à confirmer sur le dossier"]
    assert barriers_shown(client.get(reverse("registry:signal_list"))) == expected
    assert barriers_shown(client.get(reverse("registry:signal_detail", args=[signal.pk]))) == expected


def test_a_sensitive_barrier_alone_is_only_counted(client, counsellor, educator):
    SignalFactory(author=educator, barriers=["justice", "addiction"])
    client.force_login(counsellor)
    assert barriers_shown(client.get(reverse("registry:signal_list"))) == [
        "2 freins signalés, à confirmer sur le dossier"
    ]


def test_the_referent_reads_the_sensitive_barriers_signalled_on_a_youth_she_follows(
    client, counsellor, educator, mission
):
    known = YouthFactory(mission_locale=mission, referent=counsellor)
    colleague = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    again = SignalFactory(
        author=educator,
        first_name=known.first_names,
        last_name=known.last_name,
        birth_date=known.birth_date,
        barriers=["health", "mobility"],
    )
    assert again.youth == known and again.status == SignalStatus.NEW
    client.force_login(counsellor)
    assert barriers_shown(client.get(reverse("registry:signal_list"))) == [
        "Freins signalés, à confirmer : santé, mobilité"
    ]
    client.force_login(colleague)
    assert barriers_shown(client.get(reverse("registry:signal_list"))) == [
        "Freins signalés, à confirmer : mobilité ; et 1 autre frein signalé, à confirmer sur le dossier"
    ]


def test_the_barriers_of_a_contact_opportunity_name_only_the_common_ones(client, counsellor, educator):
    opportunity = SignalFactory(author=educator, opportunity=True, barriers=["housing", "money"])
    client.force_login(counsellor)
    expected = ["Freins signalés, à confirmer : ressources ; et 1 autre frein signalé, à confirmer avec le jeune"]
    assert barriers_shown(client.get(reverse("registry:signal_list"))) == expected
    assert barriers_shown(client.get(reverse("registry:signal_detail", args=[opportunity.pk]))) == expected


def test_every_status_has_words_for_the_partner():
    assert set(PARTNER_OUTCOME) == set(SignalStatus)
