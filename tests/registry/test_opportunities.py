"""Contact opportunities — signals sent without the youth's agreement, so without a file — are worked
through the partner who met the youth: attempts (capped), a request that the partner propose a
meeting and the partner's answer, a closure with the real outcome, or, once the youth agreed, a file
opened and the normal triage."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reperes.network.enums import Role
from reperes.privacy import policy
from reperes.privacy.models import AccessLog, WriteRecord
from reperes.registry.enums import InformedHow, SignalConsent, SignalStatus
from reperes.registry.models import Consent, Signal, SignalContact, Youth
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import SignalFactory, mission_locale

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def mission():
    return mission_locale("Mission locale de Saverne", "67437", "67300")


@pytest.fixture
def counsellor(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def educator():
    partner = OrganisationFactory(name="Prévention Saverne", territory=area("P", "67437"), commune_id="67437")
    return MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user


@pytest.fixture
def opportunity(educator):
    return SignalFactory(author=educator, opportunity=True, first_name="Samir", met_where="au city stade")


def page(client, signal):
    return client.get(reverse("registry:signal_detail", args=[signal.pk]))


def attempt(client, signal, **changes):
    data = {"happened_on": TODAY().isoformat(), "channel": "partner", "outcome": "not_reached", "note": ""}
    data.update(changes)
    return client.post(reverse("registry:opportunity_contact", args=[signal.pk]), data, follow=True)


def ask(client, signal):
    return client.post(reverse("registry:opportunity_ask_meeting", args=[signal.pk]), follow=True)


def answer(client, signal, value):
    return client.post(reverse("registry:opportunity_answer", args=[signal.pk]), {"answer": value}, follow=True)


def test_the_triage_page_links_each_opportunity_to_its_page(client, counsellor, opportunity):
    client.force_login(counsellor)
    queue = client.get(reverse("registry:signal_list"))
    assertContains(queue, reverse("registry:signal_detail", args=[opportunity.pk]))
    detail = page(client, opportunity)
    assertContains(detail, "Demander à Prévention Saverne de proposer un rendez-vous")
    assertContains(detail, "Enregistrer une tentative")
    assertContains(detail, "Le jeune a donné son accord : ouvrir un dossier")
    assertContains(detail, 'name="status" value="declined"')


def test_an_attempt_through_the_partner_is_recorded_with_its_note_and_history(client, counsellor, opportunity):
    client.force_login(counsellor)
    response = attempt(client, opportunity, outcome="reached_agrees", note="rendez-vous au local jeudi")
    assertContains(response, "Tentative de contact enregistrée.")
    contact = SignalContact.objects.get(signal=opportunity)
    assert (contact.channel, contact.outcome, contact.through) == (
        "partner",
        "reached_agrees",
        opportunity.organisation,
    )
    assert contact.recorded_by == counsellor and contact.note == "rendez-vous au local jeudi"
    record = WriteRecord.objects.get(model="registry.signalcontact", object_id=contact.pk)
    assert record.action == "create" and record.after["outcome"] == "reached_agrees"
    assertContains(response, "joint·e, accepte un rendez-vous")
    assertContains(response, "« rendez-vous au local jeudi »")


def test_an_attempt_by_another_channel_names_no_partner(client, counsellor, opportunity):
    client.force_login(counsellor)
    attempt(client, opportunity, channel="street", outcome="met")
    assert SignalContact.objects.get(signal=opportunity).through is None


def test_a_note_longer_than_two_hundred_characters_is_refused(client, counsellor, opportunity):
    client.force_login(counsellor)
    response = attempt(client, opportunity, note="x" * 201)
    assertContains(response, "au plus 200 caractères")
    assert not SignalContact.objects.exists()


def test_an_attempt_in_the_future_is_refused(client, counsellor, opportunity):
    client.force_login(counsellor)
    response = attempt(client, opportunity, happened_on=(TODAY() + timedelta(days=1)).isoformat())
    assertContains(response, "La date du contact ne peut pas être dans le futur.")
    assert not SignalContact.objects.exists()


def test_attempts_without_an_answer_are_capped(client, counsellor, opportunity, settings):
    settings.REPERES_CONTACT_ATTEMPTS_MAX = 2
    client.force_login(counsellor)
    attempt(client, opportunity)
    attempt(client, opportunity, outcome="wrong_details")
    response = attempt(client, opportunity)
    assertContains(response, "2 tentatives sans réponse d&#x27;affilée")
    assert SignalContact.objects.filter(signal=opportunity).count() == 2
    assertNotContains(response, "Demander à Prévention Saverne de proposer un rendez-vous")
    assertContains(ask(client, opportunity), "classez cette occasion « injoignable »")
    # A real contact is still recorded, and starts the count again.
    attempt(client, opportunity, outcome="reached_agrees")
    attempt(client, opportunity)
    assert SignalContact.objects.filter(signal=opportunity).count() == 4


def test_the_partner_answers_the_request_to_propose_a_meeting(client, counsellor, educator, opportunity):
    client.force_login(counsellor)
    response = ask(client, opportunity)
    assertContains(response, "Demande envoyée : Prévention Saverne la verra sur ses signalements.")
    assertContains(response, "en attente de sa réponse")
    assertContains(ask(client, opportunity), "Le partenaire n&#x27;a pas encore répondu à la demande précédente.")
    assert SignalContact.objects.filter(signal=opportunity).count() == 1

    client.force_login(educator)
    sent = client.get(reverse("registry:signal_list"))
    assertContains(sent, "La Mission locale vous demande de proposer un rendez-vous à ce jeune.")
    assertContains(sent, reverse("registry:opportunity_answer", args=[opportunity.pk]))
    for label in ("rendez-vous proposé : accepté", "rendez-vous proposé : refusé", "pas revu le jeune"):
        assertContains(sent, label)
    response = answer(client, opportunity, "accepted")
    assertRedirects(response, reverse("registry:signal_list"))
    assertContains(response, "Réponse transmise à la Mission locale. Merci !")
    assertNotContains(response, reverse("registry:opportunity_answer", args=[opportunity.pk]))
    contact = SignalContact.objects.get(signal=opportunity)
    assert (contact.outcome, contact.channel, contact.answered_by) == ("reached_agrees", "partner", educator)
    record = WriteRecord.objects.filter(model="registry.signalcontact", object_id=contact.pk).order_by("pk").last()
    assert record.user == educator and record.after["outcome"] == "reached_agrees"
    # Answered once: a second answer changes nothing.
    assertContains(answer(client, opportunity, "refused"), "vous avez déjà répondu")
    assert SignalContact.objects.get(signal=opportunity).outcome == "reached_agrees"

    client.force_login(counsellor)
    assertContains(page(client, opportunity), "Prévention Saverne a répondu à la demande de rendez-vous")


def test_not_seen_again_counts_as_an_attempt_without_an_answer(client, counsellor, educator, opportunity, settings):
    settings.REPERES_CONTACT_ATTEMPTS_MAX = 2
    client.force_login(counsellor)
    attempt(client, opportunity)
    ask(client, opportunity)
    client.force_login(educator)
    answer(client, opportunity, "not_seen")
    assert SignalContact.objects.filter(signal=opportunity, outcome="not_reached").count() == 2
    client.force_login(counsellor)
    assertContains(page(client, opportunity), "2 tentatives sans réponse d'affilée")


def test_the_partner_is_told_a_declined_opportunity_and_when_to_bring_it_up_again(
    client, counsellor, educator, opportunity
):
    later = TODAY() + timedelta(days=45)
    client.force_login(counsellor)
    data = {"status": "declined", "decline_reason": "not_now", "reapproach_on": later.isoformat()}
    client.post(reverse("registry:signal_dismiss", args=[opportunity.pk]), data)
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.reapproach_on) == (SignalStatus.DECLINED, later)
    # Closed: nothing more to do on it.
    assertNotContains(page(client, opportunity), reverse("registry:opportunity_contact", args=[opportunity.pk]))
    assert attempt(client, opportunity).status_code == 404
    client.force_login(educator)
    sent = client.get(reverse("registry:signal_list"))
    assertContains(sent, "le jeune ne souhaite pas être accompagné par la Mission locale pour l&#x27;instant")
    assertContains(sent, "Vous pouvez lui en reparler à partir du")
    assertNotContains(sent, "pas le moment")


@pytest.mark.parametrize("status", ["unreachable", "ineligible"])
def test_an_opportunity_closes_without_a_file(client, counsellor, opportunity, status):
    client.force_login(counsellor)
    client.post(reverse("registry:signal_dismiss", args=[opportunity.pk]), {"status": status})
    opportunity.refresh_from_db()
    assert opportunity.status == status and opportunity.youth is None
    assert not Youth.objects.exists()


def open_file_data(**changes):
    data = {
        "first_name": "Samir",
        "last_name": "Bouzidane",
        "birth_date": "",
        "approximate_age": "19",
        "sex": "m",
        "phone": "06 11 22 33 44",
        "informed_on": TODAY().isoformat(),
        "informed_how": InformedHow.PARTNER,
        "share_with_partner": "on",
    }
    data.update(changes)
    return data


def test_the_youth_agreed_the_opportunity_becomes_a_named_signal_then_is_triaged(
    client, counsellor, educator, opportunity
):
    client.force_login(counsellor)
    form = client.get(reverse("registry:opportunity_open_file", args=[opportunity.pk]))
    assertContains(form, "Le jeune accepte que Prévention Saverne suive son dossier avec la Mission locale")
    assertContains(form, 'value="Samir"')
    url = reverse("registry:opportunity_open_file", args=[opportunity.pk])
    response = client.post(url, open_file_data(), follow=True)
    assertRedirects(response, reverse("registry:signal_detail", args=[opportunity.pk]))
    assertContains(response, "Dossier ouvert : désignez maintenant son ou sa référent·e.")

    signal = Signal.objects.get(pk=opportunity.pk)
    assert (signal.status, signal.consent) == (SignalStatus.NEW, SignalConsent.CONTACT)
    # The names go to the record: the signal keeps the partner's words.
    assert (signal.first_name, signal.last_name, signal.phone) == ("Samir", "", "")
    youth = signal.youth
    assert youth.display_name == "Samir BOUZIDANE" and youth.mission_locale == signal.mission_locale
    assert youth.phone == "06 11 22 33 44" and youth.age() in (18, 19)
    consent = Consent.objects.get(youth=youth)
    assert consent.informed_how == InformedHow.PARTNER and list(consent.share_with.all()) == [signal.organisation]
    record = WriteRecord.objects.filter(model="registry.signal", object_id=signal.pk).order_by("pk").last()
    assert record.before == {"consent": "none", "status": "opportunity", "youth": None}
    assert record.after == {"consent": "contact", "status": "new", "youth": youth.pk}
    assert WriteRecord.objects.filter(model="registry.youth", object_id=youth.pk, action="create").exists()
    assert WriteRecord.objects.filter(model="registry.consent", object_id=consent.pk, action="create").exists()

    # The normal triage follows: in the queue, then a référent.
    assertContains(client.get(reverse("registry:signal_list")), "Samir BOUZIDANE")
    client.post(reverse("registry:signal_assign", args=[signal.pk]), {"referent": counsellor.pk})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ASSIGNED and Youth.objects.get(pk=youth.pk).referent == counsellor

    # The partner learns who follows the youth, and reads the file the youth agreed to share with it;
    # its list of signals shows what it typed, and logs no read of the file.
    client.force_login(educator)
    reads = AccessLog.objects.filter(user=educator).count()
    sent = client.get(reverse("registry:signal_list"))
    assertContains(sent, "pris en charge par la Mission locale")
    assertContains(sent, counsellor.get_full_name())
    assertNotContains(sent, "Bouzidane")
    assert AccessLog.objects.filter(user=educator).count() == reads
    assert policy.can_view_youth(educator, youth)


def test_a_file_is_not_shared_with_the_partner_unless_the_youth_accepts(client, counsellor, educator, opportunity):
    client.force_login(counsellor)
    url = reverse("registry:opportunity_open_file", args=[opportunity.pk])
    client.post(url, open_file_data(share_with_partner=""))
    youth = Signal.objects.get(pk=opportunity.pk).youth
    assert not Consent.objects.get(youth=youth).share_with.exists()
    assert not policy.can_view_youth(educator, youth)
    client.force_login(educator)
    sent = client.get(reverse("registry:signal_list"))
    assertContains(sent, "reçu par la Mission locale, qui va désigner un·e référent·e")
    assertNotContains(sent, "Bouzidane")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"approximate_age": ""}, "Indiquez la date de naissance ou, à défaut, l&#x27;âge du jeune."),
        ({"birth_date": "1980-01-01"}, "vérifiez-la"),
        ({"last_name": ""}, "Ce champ est obligatoire."),
        ({"informed_on": (TODAY() + timedelta(days=2)).isoformat()}, "La date d&#x27;information est dans le futur."),
    ],
)
def test_opening_a_file_without_what_it_needs_is_refused_and_changes_nothing(
    client, counsellor, opportunity, changes, message
):
    client.force_login(counsellor)
    response = client.post(reverse("registry:opportunity_open_file", args=[opportunity.pk]), open_file_data(**changes))
    assert response.status_code == 200
    assertContains(response, message)
    opportunity.refresh_from_db()
    assert opportunity.status == SignalStatus.OPPORTUNITY and opportunity.youth is None and not opportunity.last_name
    assert not Youth.objects.exists()


def test_a_named_signal_is_not_an_opportunity(client, counsellor, educator):
    named = SignalFactory(author=educator)
    client.force_login(counsellor)
    assert client.get(reverse("registry:opportunity_open_file", args=[named.pk])).status_code == 404
    assert attempt(client, named).status_code == 404
    assertNotContains(page(client, named), "Enregistrer une tentative")


def test_another_mission_locale_and_an_unrelated_partner_are_refused_everywhere(
    client, counsellor, educator, opportunity
):
    client.force_login(counsellor)
    ask(client, opportunity)
    stranger = MembershipFactory(role=Role.COUNSELLOR, organisation=mission_locale("ML Strasbourg", "67482")).user
    unrelated = MembershipFactory(role=Role.PARTNER_WORKER).user
    ml_actions = [
        ("registry:signal_detail", "get", {}),
        ("registry:opportunity_contact", "post", {"happened_on": TODAY().isoformat(), "channel": "partner"}),
        ("registry:opportunity_ask_meeting", "post", {}),
        ("registry:opportunity_open_file", "get", {}),
        ("registry:opportunity_open_file", "post", open_file_data()),
        ("registry:signal_dismiss", "post", {"status": "unreachable"}),
    ]
    answer_action = [("registry:opportunity_answer", "post", {"answer": "accepted"})]
    cases = [(stranger, ml_actions + answer_action), (unrelated, ml_actions + answer_action)]
    # The sending partner answers, and does nothing else; the Mission locale never answers for it.
    cases += [(educator, ml_actions), (counsellor, answer_action)]
    for user, actions in cases:
        client.force_login(user)
        for name, method, data in actions:
            response = getattr(client, method)(reverse(name, args=[opportunity.pk]), data)
            assert response.status_code == 404, (user, name, method)
    opportunity.refresh_from_db()
    assert opportunity.status == SignalStatus.OPPORTUNITY
    assert list(SignalContact.objects.values_list("outcome", flat=True)) == [""]


def test_a_request_left_unanswered_ends_with_the_opportunity(client, counsellor, educator, opportunity):
    client.force_login(counsellor)
    ask(client, opportunity)
    client.post(reverse("registry:signal_dismiss", args=[opportunity.pk]), {"status": "unreachable"})
    assertContains(page(client, opportunity), "demande restée sans réponse")
    client.force_login(educator)
    sent = client.get(reverse("registry:signal_list"))
    assertNotContains(sent, "vous demande de proposer un rendez-vous")
    assert answer(client, opportunity, "accepted").status_code == 404
