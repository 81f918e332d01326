from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reperes.network.enums import Role
from reperes.privacy.models import AccessLog, WriteRecord
from reperes.registry.enums import SignalConsent, SignalStatus
from reperes.registry.models import Signal, Youth
from reperes.registry.views import SHOWN_AT_MOST
from reperes.territory.models import Commune, Territory
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db


@pytest.fixture
def saverne_ml():
    territory = area("Saverne", "67437", "67300")
    return OrganisationFactory(mission_locale=True, name="ML de Saverne", territory=territory)


@pytest.fixture
def street_worker(saverne_ml):
    return MembershipFactory(role=Role.PARTNER_WORKER).user


@pytest.fixture
def ml_counsellor(saverne_ml):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=saverne_ml).user


def named_signal(**changes):
    data = {
        "first_name": "Inès",
        "last_name": "Keller",
        "commune": "Saverne (67700) — 67437",
        "consent": SignalConsent.CONTACT,
        "approximate_age": "19",
        "barriers": ["housing", "mobility"],
        "phone": "06 12 34 56 78",
    }
    data.update(changes)
    return data


def test_a_named_signal_opens_a_record_at_the_mission_locale_of_the_commune(client, street_worker, saverne_ml):
    client.force_login(street_worker)
    response = client.post(reverse("registry:signal_create"), named_signal())
    assertRedirects(response, reverse("registry:signal_list"))
    signal = Signal.objects.get()
    assert signal.mission_locale == saverne_ml
    assert signal.status == SignalStatus.NEW
    youth = signal.youth
    assert youth.display_name == "Inès KELLER"
    assert youth.mission_locale == saverne_ml
    assert youth.age() in (18, 19)
    assert WriteRecord.objects.filter(model="registry.youth", object_id=youth.pk, action="create").exists()


def test_without_agreement_no_name_leaves_the_partner(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    response = client.post(
        reverse("registry:signal_create"), named_signal(consent=SignalConsent.NONE, last_name="", phone="")
    )
    assertRedirects(response, reverse("registry:signal_list"))
    signal = Signal.objects.get()
    assert signal.youth is None and signal.status == SignalStatus.OPPORTUNITY
    assert not Youth.objects.exists()
    client.force_login(ml_counsellor)
    queue = client.get(reverse("registry:signal_list"))
    assertContains(queue, "Occasions de contact via un partenaire")
    assertNotContains(queue, "Inès")


def test_a_name_given_without_agreement_is_refused(client, street_worker, saverne_ml):
    client.force_login(street_worker)
    response = client.post(reverse("registry:signal_create"), named_signal(consent=SignalConsent.NONE))
    assertContains(response, "Sans l&#x27;accord du jeune, ne transmettez ni son nom ni son téléphone")
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (timezone.localdate() + timedelta(days=3), "La date de naissance est dans le futur."),
        (date(1980, 1, 1), "vérifiez-la (le programme suit les 16-25 ans)"),
    ],
)
def test_impossible_birth_dates_are_refused(client, street_worker, saverne_ml, birth_date, message):
    client.force_login(street_worker)
    response = client.post(reverse("registry:signal_create"), named_signal(birth_date=birth_date.isoformat()))
    assertContains(response, message)
    assert not Signal.objects.exists()


def test_a_commune_outside_every_mission_locale_is_explained(client, street_worker, saverne_ml):
    client.force_login(street_worker)
    response = client.post(reverse("registry:signal_create"), named_signal(commune="68297"))
    assertContains(response, "Aucune Mission locale de Repères ne couvre Saint-Louis.")


def test_the_three_required_answers_are_explained(client, street_worker):
    client.force_login(street_worker)
    response = client.post(reverse("registry:signal_create"), {})
    assertContains(response, "Indiquez au moins un prénom ou un surnom.")
    assertContains(response, "Indiquez la commune")
    assertContains(response, "Indiquez si le jeune accepte d&#x27;être contacté.")


def test_counsellor_assigns_a_referent_and_the_partner_sees_the_outcome(
    client, street_worker, ml_counsellor, saverne_ml
):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    client.force_login(ml_counsellor)
    assertContains(client.get(reverse("registry:signal_list")), "Inès KELLER")
    response = client.post(reverse("registry:signal_assign", args=[signal.pk]), {"referent": ml_counsellor.pk})
    assertRedirects(response, reverse("registry:youth_detail", args=[signal.youth_id]))
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ASSIGNED and signal.youth.referent == ml_counsellor
    client.force_login(street_worker)
    sent = client.get(reverse("registry:signal_list"))
    assertContains(sent, "pris en charge par la Mission locale")
    assertContains(sent, ml_counsellor.get_full_name())


def test_a_signal_is_triaged_once(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    client.force_login(ml_counsellor)
    client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "ineligible"})
    response = client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "duplicate"}, follow=True)
    assertContains(response, "Ce signalement a déjà été traité.")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.INELIGIBLE


def test_a_counsellor_of_another_mission_locale_gets_404(client, street_worker, saverne_ml):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    stranger = MembershipFactory(role=Role.COUNSELLOR).user
    client.force_login(stranger)
    assert client.get(reverse("registry:signal_detail", args=[signal.pk])).status_code == 404
    assert client.get(reverse("registry:youth_detail", args=[signal.youth_id])).status_code == 404


def test_reading_a_file_is_logged_once_and_shown_to_the_referent(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    client.force_login(ml_counsellor)
    client.post(reverse("registry:signal_assign", args=[signal.pk]), {"referent": ml_counsellor.pk})
    before = AccessLog.objects.filter(youth_id=signal.youth_id, action="read").count()
    response = client.get(reverse("registry:youth_detail", args=[signal.youth_id]))
    assert AccessLog.objects.filter(youth_id=signal.youth_id, action="read").count() == before + 1
    assertContains(response, "Qui a consulté ce dossier")
    assertContains(response, 'hx-history="false"')


def test_the_funder_never_sees_a_young_person(client, street_worker, saverne_ml):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    youth = Youth.objects.get()
    funder = MembershipFactory(role=Role.FUNDER_OFFICER).user
    client.force_login(funder)
    assert client.get(reverse("registry:youth_list")).status_code == 404
    assert client.get(reverse("registry:youth_detail", args=[youth.pk])).status_code == 404
    assert client.get(reverse("registry:signal_list")).status_code == 404


def test_the_caseload_search_ignores_accents_and_keeps_names_out_of_the_url(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    client.force_login(ml_counsellor)
    response = client.post(reverse("registry:youth_list"), {"q": "ines"})
    assertContains(response, "Inès KELLER")
    assert AccessLog.objects.filter(action="list").count() == 1
    assertNotContains(client.post(reverse("registry:youth_list"), {"q": "martin"}), "Inès KELLER")


def test_a_youth_reported_again_with_a_typo_and_the_same_birth_date_joins_the_record(
    client, street_worker, ml_counsellor
):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2006-05-14"))
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER).user)
    client.post(
        reverse("registry:signal_create"),
        named_signal(first_name="Ines", last_name="Kelller", birth_date="2006-05-14"),
    )
    first, second = Signal.objects.order_by("pk")
    assert second.youth_id == first.youth_id
    assert Youth.objects.count() == 1


def test_without_birth_date_a_likely_match_is_left_to_the_counsellor(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2006-05-14"))
    client.force_login(MembershipFactory(role=Role.PARTNER_WORKER).user)
    client.post(reverse("registry:signal_create"), named_signal(first_name="Ines", last_name="Kelller"))
    first, second = Signal.objects.order_by("pk")
    assert second.youth_id != first.youth_id
    client.force_login(ml_counsellor)
    page = client.get(reverse("registry:signal_detail", args=[second.pk]))
    assertContains(page, "Cette personne est peut-être déjà connue")
    assertContains(page, reverse("registry:youth_detail", args=[first.youth_id]))
    assertContains(page, "nom à une faute près")


def test_the_same_youth_reported_twice_identically_joins_one_record(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2006-05-14"))
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2006-05-14"))
    assert Youth.objects.count() == 1
    assert Signal.objects.filter(youth__isnull=False).values("youth").distinct().count() == 1


def test_a_known_youth_of_another_mission_locale_is_announced_without_details(client, saverne_ml):
    strasbourg = Territory.objects.create(name="Strasbourg")
    strasbourg.communes.set(Commune.objects.filter(code="67482"))
    other_ml = OrganisationFactory(mission_locale=True, name="ML de Strasbourg", territory=strasbourg)
    worker = MembershipFactory(role=Role.PARTNER_WORKER).user
    client.force_login(worker)
    client.post(
        reverse("registry:signal_create"), named_signal(commune="67482", birth_date="2006-05-14", last_name="Keller")
    )
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2006-05-14", last_name="Keler"))
    counsellor = MembershipFactory(role=Role.COUNSELLOR, organisation=saverne_ml).user
    client.force_login(counsellor)
    signal = Signal.objects.get(mission_locale=saverne_ml)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertContains(page, "déjà connu·e — ML de Strasbourg")
    assert other_ml.youths.count() == 1
    assertNotContains(page, reverse("registry:youth_detail", args=[other_ml.youths.get().pk]))


def test_the_form_announces_a_known_youth_as_the_user_may_see_it(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2007-03-14"))
    url = reverse("registry:signal_known")
    data = named_signal(first_name="Ines", birth_date="2007-03-14")
    # Neither the partner who reported the youth nor another one is shown the file: a signal
    # grants nothing beyond itself. Both are told only that the Mission locale knows this person.
    for _partner in range(2):
        response = client.post(url, data)
        assertContains(response, "déjà connu·e — ML de Saverne")
        assertNotContains(response, "KELLER")
        client.force_login(MembershipFactory(role=Role.PARTNER_WORKER).user)
    # Telling it is a disclosure: logged against the file, for the référent to see who asked.
    keller = Youth.objects.get(last_name="Keller")
    assert AccessLog.objects.filter(action="lookup", youth_id=keller.pk).count() == 2
    # Without the youth's agreement, no name is compared.
    assertNotContains(client.post(url, named_signal(consent=SignalConsent.NONE, phone="")), "déjà connu")
    # Mission locale staff get the link to the file, and the name shown is logged.
    client.force_login(ml_counsellor)
    assertContains(client.post(url, data), "/jeunes/")
    assert AccessLog.objects.filter(user=ml_counsellor, reason="deja-connu").count() == 1


def test_lookups_are_suspended_past_the_hourly_allowance(client, street_worker, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REPERES_LOOKUPS_PER_HOUR = 2
    client.force_login(street_worker)
    url = reverse("registry:signal_known")
    for _n in range(2):
        assertNotContains(client.post(url, named_signal()), "Vérification suspendue")
    assertContains(client.post(url, named_signal()), "Vérification suspendue")
    cache.clear()


def test_a_signal_that_opened_a_record_joins_the_known_youth_by_a_merge_not_a_label(
    client, street_worker, ml_counsellor
):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    client.force_login(ml_counsellor)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertNotContains(page, 'value="duplicate"')  # a label would leave two files of one person
    response = client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "duplicate"}, follow=True)
    assertContains(response, "utilisez « Fusionner avec ce dossier »")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW


def test_out_of_public_closes_the_record_the_signal_opened_but_not_a_file_it_joined(
    client, street_worker, ml_counsellor
):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2007-03-14"))
    first = Signal.objects.get()
    # Met again: the engine recognises her and the second signal joins the file the first opened.
    client.post(reverse("registry:signal_create"), named_signal(birth_date="2007-03-14"))
    second = Signal.objects.exclude(pk=first.pk).get()
    assert second.youth_id == first.youth_id and second.status == SignalStatus.NEW
    client.force_login(ml_counsellor)
    client.post(reverse("registry:signal_dismiss", args=[second.pk]), {"status": "ineligible"})
    second.refresh_from_db()
    assert second.status == SignalStatus.INELIGIBLE
    assert Youth.objects.get(pk=first.youth_id).status == "active"
    # Someone new, out of the public: the file opened for them alone is closed with the signal.
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal(first_name="Paul", last_name="Obrecht"))
    third = Signal.objects.get(first_name="Paul")
    client.force_login(ml_counsellor)
    client.post(reverse("registry:signal_dismiss", args=[third.pk]), {"status": "ineligible"})
    closed = Youth.objects.get(pk=third.youth_id)
    assert closed.status == "closed"
    assert WriteRecord.objects.filter(model="registry.youth", object_id=closed.pk, after__status="closed").exists()
    assertNotContains(client.post(reverse("registry:youth_list"), {"q": "Obrecht"}), "Paul OBRECHT")


def test_triage_shows_the_referent_a_known_youth_already_has_and_keeps_them_by_default(
    client, street_worker, ml_counsellor, saverne_ml
):
    colleague = MembershipFactory(role=Role.COUNSELLOR, organisation=saverne_ml).user
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    youth = signal.youth
    youth.referent = colleague
    youth.save()
    client.force_login(ml_counsellor)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertContains(page, f"déjà suivi·e par {colleague.get_full_name()}")
    assertContains(page, f'<option value="{colleague.pk}" selected>')
    assertContains(page, "Confirmer le ou la référent·e")


def test_the_referent_sees_who_else_read_the_file_with_their_organisation(
    client, street_worker, ml_counsellor, saverne_ml
):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    client.force_login(ml_counsellor)
    client.post(reverse("registry:signal_assign", args=[signal.pk]), {"referent": ml_counsellor.pk})
    page = client.get(reverse("registry:youth_detail", args=[signal.youth_id]))
    assertContains(page, "Personne d'autre que vous n'a consulté ce dossier.")
    colleague = MembershipFactory(role=Role.COORDINATOR, organisation=saverne_ml).user
    client.force_login(colleague)
    client.get(reverse("registry:youth_detail", args=[signal.youth_id]))
    client.force_login(ml_counsellor)
    page = client.get(reverse("registry:youth_detail", args=[signal.youth_id]))
    assertContains(page, "1 consultation par d'autres que vous")
    assertContains(page, f"{colleague.get_full_name()}, ML de Saverne")
    assertNotContains(page, f"{ml_counsellor.get_full_name()}, ML de Saverne")


def test_the_triage_page_says_how_many_opportunities_there_are_beyond_those_it_lists(
    client, street_worker, ml_counsellor
):
    client.force_login(street_worker)
    for n in range(SHOWN_AT_MOST + 1):
        client.post(
            reverse("registry:signal_create"),
            named_signal(consent=SignalConsent.NONE, first_name=f"Jeune{n}", last_name="", phone=""),
        )
    client.force_login(ml_counsellor)
    page = client.get(reverse("registry:signal_list"))
    assertContains(page, f"{SHOWN_AT_MOST + 1} occasions de contact (les {SHOWN_AT_MOST} plus récentes ci-dessous)")
    assertContains(page, f'<a href="mailto:{street_worker.email}">')


def test_out_of_public_keeps_a_file_that_has_a_consent_recorded(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    signal = Signal.objects.get()
    client.force_login(ml_counsellor)
    client.post(
        reverse("registry:consent_record", args=[signal.youth_id]),
        {"informed_on": timezone.localdate().isoformat(), "informed_how": "phone"},
    )
    assert signal.youth.consents.exists()
    client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "ineligible"})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.INELIGIBLE
    assert Youth.objects.get(pk=signal.youth_id).status == "active"


def test_the_partner_reads_each_outcome_in_words_meant_for_them(client, street_worker, ml_counsellor):
    client.force_login(street_worker)
    client.post(reverse("registry:signal_create"), named_signal())
    client.post(reverse("registry:signal_create"), named_signal(consent=SignalConsent.NONE, last_name="", phone=""))
    sent = client.get(reverse("registry:signal_list"))
    assertContains(sent, "reçu par la Mission locale, qui va désigner un·e référent·e")
    assertContains(sent, "la Mission locale peut vous contacter pour le rencontrer")
    assertNotContains(sent, "à trier")
