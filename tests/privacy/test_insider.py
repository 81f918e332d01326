"""The holes a curious insider found (issue 10), each as the class of action it belongs to: a
partner acting on a file, a signal used as a probe, a consent that names somebody else, an
organisation whose name tells a sensitive fact. Each test failed before its fix."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reperes.network.enums import OrganisationKind, Role
from reperes.privacy import policy
from reperes.privacy.models import AccessLog, WriteRecord
from reperes.registry.enums import SignalConsent, SignalStatus
from reperes.registry.models import Merge, Signal, Youth
from reperes.registry.services import (
    assign_referent,
    merge_youths,
    record_consent,
    send_signal,
    update_youth,
    withdraw_consent,
)
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, UserFactory, area
from tests.network.test_derived_fields import admin_data

pytestmark = pytest.mark.django_db

SAVERNE = "67437"


@pytest.fixture
def mission():
    return OrganisationFactory(mission_locale=True, name="ML de Saverne", territory=area("Saverne", SAVERNE))


@pytest.fixture
def referent(mission):
    user = MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    user.phone = "03 88 00 00 01"
    user.save()
    return user


@pytest.fixture
def colleague(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


def worker_of(organisation=None):
    if organisation is None:
        return MembershipFactory(role=Role.PARTNER_WORKER).user
    return MembershipFactory(role=Role.PARTNER_WORKER, organisation=organisation).user


def signal_by(author, first_name="Inès", last_name="Keller", birth_date=date(2006, 5, 14)):
    return send_signal(
        author=author,
        first_name=first_name,
        last_name=last_name,
        commune=Commune.objects.get(code=SAVERNE),
        consent=SignalConsent.CONTACT,
        birth_date=birth_date,
    )


def followed(author, referent, **names):
    """A youth reported by `author`, taken in by `referent`, with phone and e-mail on file."""
    signal = signal_by(author, **names)
    youth = assign_referent(signal, referent=referent, acting_user=referent)
    return update_youth(
        youth,
        acting_user=referent,
        version=youth.updated_at.isoformat(),
        phone="06 11 22 33 44",
        email="ines.k@exemple.invalid",
    )


def consent(youth, by, *organisations, sections=()):
    return record_consent(
        youth,
        informed_on=timezone.localdate(),
        informed_how="in_person",
        share_with=list(organisations),
        sensitive_sections=list(sections),
        acting_user=by,
    )


# --- 1. Actions on a file are the Mission locale's, whatever the partner may read -------------


def test_a_partner_never_undoes_a_merge_even_on_a_file_shared_with_it(client, referent):
    worker = worker_of()
    youth = followed(worker, referent)
    other = signal_by(worker_of(), first_name="Inés", last_name="Keler", birth_date=date(2006, 5, 15)).youth
    merge = merge_youths(youth, other, acting_user=referent)
    consent(youth, referent, worker.organisation)
    assert policy.can_view_youth(worker, youth)  # the file is shared with the partner…
    client.force_login(worker)
    page = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    assertNotContains(page, "Annuler la fusion")  # …but neither the button…
    assertNotContains(page, "Inés KELER")  # …nor the absorbed record is shown to it,
    response = client.post(reverse("registry:merge_undo", args=[merge.pk]))
    assert response.status_code == 404  # and the action is refused like a missing one.
    assert Merge.objects.get(pk=merge.pk).undone_at is None
    client.force_login(referent)
    assertContains(client.get(reverse("registry:youth_detail", args=[youth.pk])), "Annuler la fusion")


def test_a_partner_neither_edits_a_shared_file_nor_records_its_consent(client, referent):
    worker = worker_of()
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation)
    client.force_login(worker)
    assert client.get(reverse("registry:youth_edit", args=[youth.pk])).status_code == 404
    assert client.post(reverse("registry:consent_withdraw", args=[youth.pk])).status_code == 404
    assert youth.consents.filter(withdrawn_at=None).count() == 1


# --- 2. A signal grants nothing beyond itself -------------------------------------------------


def test_a_matching_signal_tells_the_partner_who_follows_the_youth_never_the_file(client, referent):
    youth = followed(worker_of(), referent)
    prober = worker_of()
    signal = signal_by(prober)
    assert signal.youth_id == youth.pk and signal.known_on_arrival
    client.force_login(prober)
    assert client.get(reverse("registry:youth_detail", args=[youth.pk])).status_code == 404
    assert not policy.can_view_youth(prober, youth)
    page = client.get(reverse("registry:signal_list"))
    assertContains(page, "déjà connu·e de la Mission locale")
    assertContains(page, referent.email)  # the référent's professional contact, to coordinate
    for private in ("06 11 22 33 44", "ines.k@exemple.invalid"):
        assertNotContains(page, private)
    # The probe is seen: it waits in the triage queue, and the référent sees who was told.
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW
    client.force_login(referent)
    assertContains(client.get(reverse("registry:signal_list")), reverse("registry:signal_detail", args=[signal.pk]))
    assert AccessLog.objects.filter(user=prober, youth_id=youth.pk, action="lookup").exists()


@override_settings(REPERES_LOOKUPS_PER_HOUR=1)
def test_matching_signals_count_against_the_hourly_lookup_allowance(client, referent):
    youth = followed(worker_of(), referent)
    prober = worker_of()
    first, second = signal_by(prober), signal_by(prober)
    assert first.youth_id == second.youth_id == youth.pk
    assert first.known_on_arrival and not second.known_on_arrival
    client.force_login(prober)
    response = client.post(
        reverse("registry:signal_known"),
        {"first_name": "Inès", "last_name": "Keller", "commune": SAVERNE, "consent": "contact"},
    )
    assertContains(response, "suspendu")


# --- 3. A consent opens the file to the partners it names, and to them only --------------------


def test_a_new_consent_after_a_withdrawal_opens_the_file_only_to_the_partners_it_names(referent):
    reporter, other_reporter = worker_of(), worker_of()
    youth = followed(reporter, referent)
    signal_by(other_reporter)  # a second partner reported the same youth
    consent(youth, referent, reporter.organisation)
    assert policy.can_view_youth(reporter, youth) and not policy.can_view_youth(other_reporter, youth)
    withdraw_consent(youth, acting_user=referent)
    assert not policy.can_view_youth(reporter, youth)
    consent(youth, referent)  # informed again, shares with nobody
    assert not policy.can_view_youth(reporter, youth) and not policy.can_view_youth(other_reporter, youth)
    consent(youth, referent, other_reporter.organisation, sections=["housing"])
    assert policy.can_view_youth(other_reporter, youth) and not policy.can_view_youth(reporter, youth)
    assert policy.sections_visible_to(other_reporter, youth) == {"identity", "pathway", "housing"}


def test_a_consent_names_only_partners_that_reported_or_serve_the_youth(referent):
    youth = followed(worker_of(), referent)
    stranger = OrganisationFactory(name="Structure sans lien", commune_id="68224")
    with pytest.raises(ValidationError, match="Structure sans lien"):
        consent(youth, referent, stranger)
    assert not youth.consents.exists()


def test_a_replaced_consent_is_closed_in_the_history(referent):
    youth = followed(worker_of(), referent)
    first = consent(youth, referent)
    second = consent(youth, referent)
    record = WriteRecord.objects.get(model="registry.consent", object_id=first.pk, action="update")
    assert record.after == {"replaced_by": second.pk} and record.user == referent


# --- 6. An organisation's kind can tell a sensitive fact --------------------------------------


def test_a_justice_partner_is_named_only_to_those_who_hold_the_justice_section(client, referent, colleague):
    pjj = OrganisationFactory(kind=OrganisationKind.PJJ, name="Unité éducative de milieu ouvert de Saverne")
    youth = followed(worker_of(pjj), referent)
    client.force_login(colleague)
    page = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    assertNotContains(page, "milieu ouvert")
    assertContains(page, "un partenaire spécialisé")
    assert AccessLog.objects.filter(user=colleague, action="read").get().sections == "identity,pathway"
    client.force_login(referent)
    page = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    assertContains(page, "Unité éducative de milieu ouvert de Saverne")
    assert "justice" in AccessLog.objects.filter(user=referent, action="read").latest("pk").sections.split(",")


def test_a_partner_reads_only_its_own_signals_on_a_shared_file(client, referent):
    reporter = worker_of()
    health = OrganisationFactory(kind=OrganisationKind.CSAPA, name="CSAPA du Pays de Saverne")
    youth = followed(reporter, referent)
    signal_by(worker_of(health))
    consent(youth, referent, reporter.organisation)
    client.force_login(reporter)
    page = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    assertContains(page, reporter.organisation.name)
    assertNotContains(page, "CSAPA")
    assertNotContains(page, "spécialisé")  # not even masked: the other signal is not listed


# --- 8. Dates that cannot be ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_on", "message"),
    [(date(2099, 6, 30), "futur"), (date(1900, 6, 30), "moins de 10 ans"), (date(2005, 6, 30), "moins de 10 ans")],
)
def test_an_impossible_school_leaving_date_is_refused(referent, left_on, message):
    youth = followed(worker_of(), referent)
    with pytest.raises(ValidationError, match=message):
        update_youth(youth, acting_user=referent, version=youth.updated_at.isoformat(), left_school_on=left_on)
    assert Youth.objects.get(pk=youth.pk).left_school_on is None


def test_a_school_leaving_date_decades_ago_is_refused_when_the_birth_date_is_unknown(referent):
    youth = followed(worker_of(), referent)
    with pytest.raises(ValidationError, match="plus de 20 ans"):
        update_youth(
            youth,
            acting_user=referent,
            version=youth.updated_at.isoformat(),
            birth_date=None,
            birth_precision="unknown",
            left_school_on=date(1990, 6, 30),
        )


def test_a_justice_partner_is_masked_in_the_triage_queue_and_on_the_signal(client, colleague):
    pjj = OrganisationFactory(kind=OrganisationKind.PJJ, name="Unité éducative de milieu ouvert de Saverne")
    signal = signal_by(worker_of(pjj))
    client.force_login(colleague)
    for url in (reverse("registry:signal_list"), reverse("registry:signal_detail", args=[signal.pk])):
        page = client.get(url)
        assertContains(page, "Inès KELLER")
        assertNotContains(page, "milieu ouvert")
        assertContains(page, "un partenaire spécialisé")


def test_a_signal_of_a_file_handed_to_another_mission_locale_no_longer_shows_the_file(client, referent):
    """The old Mission locale keeps the signal it received, not a window on the file it handed over."""
    other = OrganisationFactory(mission_locale=True, name="ML de Strasbourg", territory=area("Strasbourg", "67482"))
    signal = signal_by(worker_of())
    youth = assign_referent(signal, referent=referent, acting_user=referent)
    youth = update_youth(
        youth, acting_user=referent, version=youth.updated_at.isoformat(), commune=Commune.objects.get(code="67482")
    )
    assert youth.mission_locale == other
    newcomer = MembershipFactory(role=Role.COUNSELLOR, organisation=other).user
    update_youth(youth, acting_user=newcomer, version=youth.updated_at.isoformat(), usage_name="Nouveaunom")
    client.force_login(referent)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertContains(page, "Inès KELLER")  # the signal as received
    assertContains(page, "plus suivi par votre Mission locale (transmis ou clos)")
    assertNotContains(page, "NOUVEAUNOM")
    assertNotContains(page, newcomer.last_name)
    assert not AccessLog.objects.filter(user=referent, reason="triage").exists()


def test_a_colleague_neither_reads_nor_shares_nor_replaces_what_the_referent_holds(client, referent, colleague):
    pjj = OrganisationFactory(kind=OrganisationKind.PJJ, name="Unité éducative de milieu ouvert de Saverne")
    youth = followed(worker_of(pjj), referent)
    consent(youth, referent, pjj, sections=["justice", "health"])
    client.force_login(colleague)
    page = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    for sensitive in ("suivi PJJ", "santé et addictions", "milieu ouvert"):
        assertNotContains(page, sensitive)
    assertNotContains(page, "Enregistrer un consentement")  # replacing it would drop, unseen, what she cannot see
    assertContains(page, "Le jeune retire son consentement")  # the youth's right stays open
    with pytest.raises(ValidationError, match="réservées"):
        consent(youth, colleague)
    assert AccessLog.objects.filter(user=colleague, action="read").latest("pk").sections == "identity,pathway"
    client.force_login(referent)
    page = client.get(reverse("registry:youth_detail", args=[youth.pk]))
    assertContains(page, "suivi PJJ / SPIP")
    assert {"health", "justice"} <= set(AccessLog.objects.filter(user=referent).latest("pk").sections.split(","))


def test_a_colleague_records_a_consent_without_sensitive_sections(referent, colleague):
    youth = followed(worker_of(), referent)
    with pytest.raises(ValidationError, match="section sensible"):
        consent(youth, colleague, sections=["housing"])
    consent(youth, colleague)  # sharing no sensitive section is hers to record
    assert youth.consents.filter(withdrawn_at=None).count() == 1


def test_the_admin_cannot_unmask_a_specialised_partner_and_its_changes_are_in_the_history(client, referent):
    pjj = OrganisationFactory(kind=OrganisationKind.PJJ, name="Unité éducative de milieu ouvert de Saverne")
    followed(worker_of(pjj), referent)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:network_organisation_change", args=[pjj.pk])
    data = admin_data(client.get(url))
    assert "kind" not in data  # read-only once it has reported a youth
    client.post(url, data | {"kind": OrganisationKind.OTHER_PARTNER, "name": "UEMO de Saverne"})
    pjj.refresh_from_db()
    assert pjj.kind == OrganisationKind.PJJ and pjj.name == "UEMO de Saverne"
    record = WriteRecord.objects.get(model="network.organisation", object_id=pjj.pk)
    assert record.user == staff and record.after == {"name": "UEMO de Saverne"}


def test_a_contact_opportunity_names_its_partner_who_is_the_only_way_to_the_youth(client, colleague):
    pjj = OrganisationFactory(kind=OrganisationKind.PJJ, name="Unité éducative de milieu ouvert de Saverne")
    opportunity = send_signal(
        author=worker_of(pjj), first_name="Inès", commune=Commune.objects.get(code=SAVERNE), consent=SignalConsent.NONE
    )
    client.force_login(colleague)
    assertContains(client.get(reverse("registry:signal_detail", args=[opportunity.pk])), "milieu ouvert de Saverne")
