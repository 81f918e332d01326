"""A curious insider on the pages added with the pathways, mobilisation actions, referrals and the
signals' closures and contact opportunities: one test per door tried, through real requests.

A test that passes documents a door that is closed (it asserts the refusal). A door found open is
written as the correct behaviour and marked ``xfail(strict=True, reason="HOLE: …")``: the suite
stays green, the hole stays visible, and the mark must go when it is fixed."""

import logging
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reperes.mobilisation.models import Attendance, Enrolment
from reperes.mobilisation.services import enrol_youth, withdraw_enrolment
from reperes.network.enums import OrganisationKind, Role, Vocabulary
from reperes.network.models import Term
from reperes.network.services import create_service
from reperes.pathways.enums import BarrierStatus, Channel, ContactOutcome, DeclineReason, NoteScope
from reperes.pathways.models import ContactAttempt, Note, Reapproach, YouthBarrier
from reperes.pathways.services import add_note, exit_pathway, record_contact, set_barrier
from reperes.privacy.models import AccessLog, WriteRecord
from reperes.referrals.enums import ReferralStatus
from reperes.referrals.models import Referral
from reperes.referrals.services import answer_referral, send_referral, withdraw_referral
from reperes.registry.enums import SignalConsent, SignalStatus
from reperes.registry.models import Signal, SignalContact, Youth
from reperes.registry.services import (
    ask_partner_for_meeting,
    assign_referent,
    record_consent,
    send_signal,
    update_youth,
    withdraw_consent,
)
from reperes.territory.models import Commune
from tests.mobilisation.factories import new_action, past_session
from tests.network.factories import MembershipFactory, OrganisationFactory, area

pytestmark = pytest.mark.django_db

SAVERNE = "67437"
STRASBOURG = "67482"
PHONE = "06 11 22 33 44"


# --- The cast ---------------------------------------------------------------------------------


@pytest.fixture
def mission():
    return OrganisationFactory(mission_locale=True, name="ML de Saverne", territory=area("Saverne", SAVERNE))


@pytest.fixture
def mission_b():
    return OrganisationFactory(mission_locale=True, name="ML de Strasbourg", territory=area("Strasbourg", STRASBOURG))


@pytest.fixture
def referent(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def colleague(mission):
    """A counsellor of the same Mission locale, who is not the youth's référent: no sensitive section."""
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user


@pytest.fixture
def coordinator(mission):
    return MembershipFactory(role=Role.COORDINATOR, organisation=mission).user


@pytest.fixture
def counsellor_b(mission_b):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission_b).user


@pytest.fixture
def partner():
    """Partner P, serving Saverne: a consent may name it."""
    return OrganisationFactory(name="Accueil Horizons", territory=area("Horizons", SAVERNE), commune_id=SAVERNE)


@pytest.fixture
def worker(partner):
    return MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user


@pytest.fixture
def other_partner():
    """Partner X, also serving Saverne, with its own worker."""
    return OrganisationFactory(name="Atelier Passerelle", territory=area("Passerelle", SAVERNE), commune_id=SAVERNE)


@pytest.fixture
def other_worker(other_partner):
    return MembershipFactory(role=Role.PARTNER_WORKER, organisation=other_partner).user


@pytest.fixture
def csapa():
    return OrganisationFactory(
        kind=OrganisationKind.CSAPA,
        name="CSAPA du Pays de Saverne",
        territory=area("CSAPA", SAVERNE),
        commune_id=SAVERNE,
    )


@pytest.fixture
def pjj():
    return OrganisationFactory(kind=OrganisationKind.PJJ, name="Unité éducative de milieu ouvert de Saverne")


def worker_of(organisation=None):
    if organisation is None:
        return MembershipFactory(role=Role.PARTNER_WORKER).user
    return MembershipFactory(role=Role.PARTNER_WORKER, organisation=organisation).user


def signal_by(author, first_name="Inès", last_name="Keller", birth_date=date(2006, 5, 14), **extra):
    return send_signal(
        author=author,
        first_name=first_name,
        last_name=last_name,
        commune=Commune.objects.get(code=SAVERNE),
        consent=SignalConsent.CONTACT,
        birth_date=birth_date,
        **extra,
    )


def followed(author, referent, **names):
    """A youth reported by `author`, taken in by `referent`, with a phone on file."""
    signal = signal_by(author, **names)
    youth = assign_referent(signal, referent=referent, acting_user=referent)
    return update_youth(youth, acting_user=referent, version=youth.updated_at.isoformat(), phone=PHONE)


def consent(youth, by, *organisations, sections=()):
    return record_consent(
        youth,
        informed_on=timezone.localdate(),
        informed_how="in_person",
        share_with=list(organisations),
        sensitive_sections=list(sections),
        acting_user=by,
    )


def contact(youth, by, outcome=ContactOutcome.NOT_REACHED, **extra):
    extra.setdefault("channel", Channel.PHONE)
    return record_contact(youth, acting_user=by, outcome=outcome, happened_on=timezone.localdate(), **extra)


def declined(youth, by, reapproach_by):
    today = timezone.localdate()
    contact(
        youth,
        by,
        ContactOutcome.REACHED_DECLINES,
        decline_reason=DeclineReason.CONSTRAINTS,
        reapproach_on=today + timedelta(days=1),
        reapproach_by=reapproach_by,
        reapproach_how=Channel.STREET,
    )
    return youth.reapproaches.latest("pk")


def bare(response, pk):
    """A page without what changes at each request (nonce, CSRF token) nor the id it names."""
    text = response.content.decode().replace(f"/{pk}/", "/ID/")
    return re.sub(r'(nonce|value)="[^"]*"', r'\1=""', text)


def pathway_url(youth, name="pathway"):
    return reverse(f"pathways:{name}", args=[youth.pk])


def service_of(organisation, name):
    theme = Term.objects.get(vocabulary=Vocabulary.THEME, code="remobilisation--lien-social")
    return create_service(organisation, name=name, themes=[theme], acting_user=None)


def refer(youth, by, to, **extra):
    extra.setdefault("reason", "Accueil de jour")
    return send_referral(youth, to_organisation=to, acting_user=by, **extra)


def opportunity_of(author):
    return send_signal(
        author=author, first_name="Yanis", commune=Commune.objects.get(code=SAVERNE), consent=SignalConsent.NONE
    )


# --- 1. A partner worker: the file, the pathway, the timeline --------------------------------


def test_a_partner_that_only_reported_the_youth_reads_no_pathway_and_cannot_tell_it_from_a_missing_id(
    client, referent, worker
):
    youth = followed(worker, referent)
    contact(youth, referent)
    client.force_login(worker)
    missing = Youth.objects.order_by("-pk").first().pk + 1000
    for name in ("pathway", "note_add", "contact_record"):
        method = client.get if name == "pathway" else client.post
        known, unknown = method(pathway_url(youth, name)), method(reverse(f"pathways:{name}", args=[missing]))
        assert known.status_code == unknown.status_code == 404, name
        assert bare(known, youth.pk) == bare(unknown, missing), name
    assert not AccessLog.objects.filter(user=worker, youth_id=youth.pk, action="read").exists()
    assert not Note.objects.filter(youth=youth).exists()


@pytest.mark.parametrize("ending", ["declined", "withdrawn", "expired", "done"])
def test_a_partner_no_longer_reads_the_file_once_its_referral_is_closed(client, referent, worker, ending):
    youth = followed(worker_of(), referent)
    referral = refer(youth, referent, worker.organisation, consent_override_reason="Urgence hébergement")
    client.force_login(worker)
    assert client.get(pathway_url(youth)).status_code == 200  # open while the referral is active
    if ending == "withdrawn":
        withdraw_referral(referral, acting_user=referent, version=referral.version)
    elif ending == "expired":
        Referral.objects.filter(pk=referral.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    elif ending == "declined":
        answer_referral(referral, status=ReferralStatus.DECLINED, reason="Complet", acting_user=worker, version=1)
    else:
        answer_referral(referral, status=ReferralStatus.ACCEPTED, acting_user=worker, version=1)
        answer_referral(referral, status=ReferralStatus.DONE, acting_user=worker, version=2)
    for url in (
        pathway_url(youth),
        reverse("registry:youth_detail", args=[youth.pk]),
        reverse("referrals:detail", args=[referral.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assertNotContains(client.get(reverse("referrals:inbox")), "KELLER")
    assert client.post(pathway_url(youth, "note_add"), {"text": "encore là ?", "scope": "shared"}).status_code == 404


def test_notes_kept_within_an_organisation_stay_there(client, referent, worker, other_worker):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation, other_worker.organisation)
    add_note(youth, acting_user=referent, text="Note interne à la Mission locale", scope=NoteScope.ORGANISATION)
    add_note(youth, acting_user=other_worker, text="Note interne à Passerelle", scope=NoteScope.ORGANISATION)
    add_note(youth, acting_user=worker, text="Note partagée par Horizons", scope=NoteScope.SHARED)
    client.force_login(worker)
    page = client.get(pathway_url(youth))
    assertContains(page, "Note partagée par Horizons")
    assertNotContains(page, "Note interne à la Mission locale")
    assertNotContains(page, "Note interne à Passerelle")
    client.force_login(referent)
    page = client.get(pathway_url(youth))
    assertContains(page, "Note interne à la Mission locale")
    assertNotContains(page, "Note interne à Passerelle")


def test_a_partner_reads_no_sensitive_barrier_its_consent_does_not_share(client, referent, worker):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation, sections=["housing"])
    set_barrier(youth, acting_user=referent, kind="addiction", status=BarrierStatus.IDENTIFIED, detail="cannabis")
    set_barrier(youth, acting_user=referent, kind="justice", status=BarrierStatus.IDENTIFIED)
    set_barrier(youth, acting_user=referent, kind="housing", status=BarrierStatus.IDENTIFIED, detail="hébergé·e")
    client.force_login(worker)
    page = client.get(pathway_url(youth))
    assertContains(page, "hébergé·e")  # the section the consent shares
    for hidden in ("addiction", "cannabis", "suivi PJJ"):
        assertNotContains(page, hidden)
    for kind in ("addiction", "justice", "health"):
        response = client.post(pathway_url(youth, "barrier_set"), {"kind": kind, "status": "dismissed"})
        assert response.status_code == 404
    assert YouthBarrier.objects.get(youth=youth, kind="addiction").status == BarrierStatus.IDENTIFIED
    read = AccessLog.objects.filter(user=worker, youth_id=youth.pk, action="read").latest("pk")
    assert set(read.sections.split(",")) == {"identity", "pathway", "housing"}


def test_a_partner_does_not_learn_from_the_timeline_which_other_partners_know_the_youth(
    client, referent, worker, other_worker
):
    youth = followed(other_worker, referent)  # reported by Passerelle
    consent(youth, referent, worker.organisation)  # shared with Horizons only
    contact(youth, referent, ContactOutcome.NOT_REACHED, channel=Channel.PARTNER, through=other_worker.organisation)
    declined(youth, referent, other_worker.organisation)
    client.force_login(worker)
    assertNotContains(client.get(reverse("registry:youth_detail", args=[youth.pk])), "Passerelle")
    assertNotContains(client.get(pathway_url(youth)), "Passerelle")


def test_a_partner_reads_on_the_timeline_only_the_actions_it_runs(client, referent, worker, other_worker):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation)
    theirs = new_action(referent, partners=[other_worker.organisation], title="Atelier confiance en soi")
    enrol_youth(theirs, youth=youth, acting_user=referent)
    client.force_login(worker)
    assertNotContains(client.get(pathway_url(youth)), "confiance en soi")
    client.force_login(referent)
    assertContains(client.get(pathway_url(youth)), "confiance en soi")


def test_a_contact_or_a_re_approach_names_only_an_organisation_that_already_knows_the_youth(client, referent):
    youth = followed(worker_of(), referent)
    stranger = OrganisationFactory(name="Structure sans lien", territory=area("Sans lien", SAVERNE))
    client.force_login(referent)
    today = timezone.localdate()
    base = {"happened_on": today.isoformat(), "decline_reason": "not_now"}
    client.post(
        pathway_url(youth, "contact_record"),
        base | {"channel": "partner", "outcome": "not_reached", "through": stranger.pk},
    )
    client.post(
        pathway_url(youth, "contact_record"),
        base
        | {
            "channel": "phone",
            "outcome": "reached_declines",
            "reapproach_on": (today + timedelta(days=5)).isoformat(),
            "reapproach_by": stranger.pk,
            "reapproach_how": "street",
        },
    )
    assert not ContactAttempt.objects.exists() and not Reapproach.objects.exists()


def test_a_follow_up_of_another_youth_is_not_recorded_through_this_file(client, referent, worker):
    first, second = followed(worker, referent), followed(worker, referent, first_name="Noé", last_name="Blum")
    client.force_login(referent)
    today = timezone.localdate().isoformat()
    client.post(pathway_url(second, "outcome_record"), {"kind": "cdi", "starts_on": today, "skip_reason": "seul"})
    follow_up = second.pathways.get().outcomes.get().follow_ups.first()
    client.post(
        pathway_url(first, "follow_up_record"), {"follow_up": follow_up.pk, "still_there": "false", "reason": "x"}
    )
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


# --- 2. Re-approaches given to an organisation ------------------------------------------------


def test_a_partner_neither_reads_nor_reports_a_re_approach_given_to_another_organisation(
    client, referent, worker, other_worker
):
    youth = followed(worker, referent)
    plan = declined(youth, referent, worker.organisation)
    client.force_login(other_worker)
    assertNotContains(client.get(reverse("pathways:reapproach_list")), "KELLER")
    url = reverse("pathways:reapproach_report", args=[plan.pk])
    assert client.get(url).status_code == 404
    data = {"happened_on": timezone.localdate().isoformat(), "channel": "street", "outcome": "reached_agrees"}
    assert client.post(url, data).status_code == 404
    assert Reapproach.objects.get(pk=plan.pk).status == "planned"
    assert not ContactAttempt.objects.filter(author=other_worker).exists()


def test_a_withdrawn_consent_closes_the_re_approaches_it_allowed(client, referent, worker):
    youth = followed(worker_of(), referent)  # reported by somebody else: Horizons knows them by consent only
    consent(youth, referent, worker.organisation)
    plan = declined(youth, referent, worker.organisation)
    client.force_login(worker)
    assertContains(client.get(reverse("pathways:reapproach_list")), "KELLER")
    withdraw_consent(youth, acting_user=referent)
    assertNotContains(client.get(reverse("pathways:reapproach_list")), "KELLER")
    assert client.get(reverse("pathways:reapproach_report", args=[plan.pk])).status_code == 404


def test_a_file_handed_to_another_mission_locale_leaves_no_re_approach_behind(
    client, referent, colleague, mission, mission_b
):
    youth = followed(worker_of(), referent)
    declined(youth, referent, mission)
    youth = update_youth(
        youth, acting_user=referent, version=youth.updated_at.isoformat(), commune=Commune.objects.get(code=STRASBOURG)
    )
    assert youth.mission_locale == mission_b
    client.force_login(colleague)
    assert client.get(pathway_url(youth)).status_code == 404
    assertNotContains(client.get(reverse("pathways:reapproach_list")), "KELLER")


def test_a_re_approach_card_tells_no_decline_reason(client, referent, worker):
    youth = followed(worker, referent)
    declined(youth, referent, worker.organisation)
    client.force_login(worker)
    for url in (
        reverse("pathways:reapproach_list"),
        reverse("pathways:reapproach_report", args=[youth.reapproaches.get().pk]),
        reverse("web:home"),
    ):
        page = client.get(url)
        assertNotContains(page, "contraintes")
        assertNotContains(page, PHONE)
    assertNotContains(client.get(reverse("web:home")), "KELLER")  # the home page counts, names nobody


# --- 3. Attendance sheets -------------------------------------------------------------------


def test_a_partner_running_an_action_reads_first_names_and_initials_only_and_no_other_sheet(
    client, referent, worker, other_worker
):
    action = new_action(referent, partners=[worker.organisation])
    session = past_session(action)
    youth = followed(worker_of(), referent)
    enrol_youth(action, youth=youth, acting_user=referent)
    url = reverse("mobilisation:attendance_sheet", args=[session.pk])
    client.force_login(worker)
    page = client.get(url)
    assertContains(page, "Inès K.")
    assertNotContains(page, "KELLER")
    assertNotContains(client.get(reverse("mobilisation:action_detail", args=[action.pk])), "Inès")
    client.force_login(other_worker)
    assert client.get(url).status_code == 404
    enrolment = Enrolment.objects.get(action=action, youth=youth)
    assert client.post(url, {f"status-{enrolment.pk}": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_is_recorded_only_for_youths_enrolled_in_that_action(client, referent, worker):
    mine = new_action(referent, partners=[worker.organisation])
    elsewhere = new_action(referent, partners=[OrganisationFactory(name="Autre")], title="Atelier ailleurs")
    session = past_session(mine)
    enrolled, stranger, gone = (
        followed(worker_of(), referent, first_name=name, last_name=f"Nom{name}") for name in ("Ana", "Bob", "Cléo")
    )
    enrol_youth(mine, youth=enrolled, acting_user=referent)
    foreign = enrol_youth(elsewhere, youth=stranger, acting_user=referent)
    withdrawn = withdraw_enrolment(enrol_youth(mine, youth=gone, acting_user=referent), acting_user=referent)
    url = reverse("mobilisation:attendance_sheet", args=[session.pk])
    client.force_login(worker)
    for enrolment in (foreign, withdrawn):
        client.post(url, {f"status-{enrolment.pk}": "present"})
        assert not Attendance.objects.filter(enrolment=enrolment).exists()
    assertNotContains(client.get(url), "Cléo")  # a withdrawn youth is on no sheet


# --- 4. Referrals and meeting requests addressed to somebody else ----------------------------


def test_a_partner_neither_reads_nor_answers_a_referral_sent_to_another_organisation(
    client, referent, worker, other_worker
):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation, other_worker.organisation)
    referral = refer(youth, referent, worker.organisation)
    client.force_login(other_worker)
    assertNotContains(client.get(reverse("referrals:inbox")), "KELLER")
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    response = client.post(reverse("referrals:answer", args=[referral.pk]), {"status": "accepted", "version": 1})
    assert response.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_a_partner_answers_only_the_meeting_requests_sent_to_it(client, referent, worker, other_worker):
    opportunity = opportunity_of(worker)
    ask_partner_for_meeting(opportunity, acting_user=referent)
    client.force_login(other_worker)
    response = client.post(reverse("registry:opportunity_answer", args=[opportunity.pk]), {"answer": "accepted"})
    assert response.status_code == 404
    assert SignalContact.objects.get(signal=opportunity).outcome == ""
    client.force_login(worker)
    client.post(reverse("registry:opportunity_answer", args=[opportunity.pk]), {"answer": "accepted"})
    assert SignalContact.objects.get(signal=opportunity).outcome == ContactOutcome.REACHED_AGREES
    client.post(reverse("registry:opportunity_answer", args=[opportunity.pk]), {"answer": "refused"})
    assert SignalContact.objects.get(signal=opportunity).outcome == ContactOutcome.REACHED_AGREES  # answered once


def test_the_sending_partner_learns_no_decline_reason_nor_destination(client, colleague, worker, other_partner):
    declined_signal, elsewhere = signal_by(worker), signal_by(worker, first_name="Tom", last_name="Roth")
    client.force_login(colleague)
    client.post(
        reverse("registry:signal_dismiss", args=[declined_signal.pk]),
        {"status": "declined", "decline_reason": "distrust"},
    )
    client.post(
        reverse("registry:signal_dismiss", args=[elsewhere.pk]),
        {"status": "elsewhere", "referred_to": other_partner.pk},
    )
    assert Signal.objects.get(pk=declined_signal.pk).status == SignalStatus.DECLINED
    assert Signal.objects.get(pk=elsewhere.pk).referred_to == other_partner
    client.force_login(worker)
    for url in (reverse("registry:signal_list"), reverse("web:home")):
        page = client.get(url)
        assertNotContains(page, "méfiance")
        assertNotContains(page, "Passerelle")
    assertContains(client.get(reverse("registry:signal_list")), "orienté ou déjà accompagné ailleurs")


# --- 5. A counsellor of another Mission locale ---------------------------------------------


def test_another_mission_locale_reaches_nothing_of_a_youth_it_does_not_hold(client, referent, counsellor_b, worker):
    youth = followed(worker, referent)
    contact(youth, referent)
    referral = refer(youth, referent, worker.organisation, consent_override_reason="Urgence")
    client.force_login(counsellor_b)
    assert client.get(pathway_url(youth)).status_code == 404
    today = timezone.localdate().isoformat()
    writes = {
        "contact_record": {"happened_on": today, "channel": "phone", "outcome": "not_reached"},
        "stage_change": {"stage": 2, "version": 1},
        "pathway_exit": {"reason": "moved", "version": 1},
        "pathway_reopen": {},
        "note_add": {"text": "vu", "scope": "shared"},
        "barrier_set": {"kind": "mobility", "status": "identified"},
        "project_validate": {"occupation": "G1602", "validated_on": today},
        "outcome_record": {"kind": "cdi", "starts_on": today},
        "follow_up_record": {"follow_up": 1, "still_there": "true"},
    }
    before = WriteRecord.objects.count()
    for name, data in writes.items():
        assert client.post(pathway_url(youth, name), data).status_code == 404, name
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert client.post(reverse("referrals:withdraw", args=[referral.pk]), {"version": 1}).status_code == 404
    assert client.get(reverse("referrals:create", args=[youth.pk])).status_code == 404
    assertNotContains(client.get(reverse("pathways:caseload") + "?tous=1"), "KELLER")
    assertNotContains(client.get(reverse("referrals:inbox")), "KELLER")
    assert WriteRecord.objects.count() == before


def test_another_mission_locale_neither_enrols_a_youth_it_does_not_hold_nor_opens_the_actions(
    client, referent, counsellor_b, worker
):
    youth = followed(worker, referent)
    action_a = new_action(referent, partners=[worker.organisation])
    session_a = past_session(action_a)
    action_b = new_action(counsellor_b, partners=[worker.organisation], commune_id=STRASBOURG)
    client.force_login(counsellor_b)
    missing = Youth.objects.order_by("-pk").first().pk + 1000
    held, unknown = (
        client.post(reverse("mobilisation:enrol", args=[action_b.pk]), {"youth": pk}, follow=True)
        for pk in (youth.pk, missing)
    )
    assert not Enrolment.objects.filter(youth=youth).exists()
    assert [str(m) for m in held.context["messages"]] == [str(m) for m in unknown.context["messages"]]
    found = client.post(reverse("mobilisation:enrol_search", args=[action_b.pk]), {"q": "Keller"})
    assertNotContains(found, "KELLER")
    for url in (
        reverse("mobilisation:action_detail", args=[action_a.pk]),
        reverse("mobilisation:attendance_sheet", args=[session_a.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("mobilisation:enrol", args=[action_a.pk]), {"youth": youth.pk}).status_code == 404


def test_another_mission_locale_neither_closes_nor_works_a_signal_it_did_not_receive(
    client, mission, counsellor_b, worker
):
    signal, opportunity = signal_by(worker), opportunity_of(worker)
    client.force_login(counsellor_b)
    today = timezone.localdate().isoformat()
    requests = [
        (reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "ineligible"}),
        (reverse("registry:signal_dismiss", args=[opportunity.pk]), {"status": "unreachable"}),
        (
            reverse("registry:opportunity_contact", args=[opportunity.pk]),
            {"happened_on": today, "channel": "partner", "outcome": "not_reached"},
        ),
        (reverse("registry:opportunity_ask_meeting", args=[opportunity.pk]), {}),
        (reverse("registry:opportunity_open_file", args=[opportunity.pk]), {}),
    ]
    for url, data in requests:
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("registry:opportunity_open_file", args=[opportunity.pk])).status_code == 404
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW
    assert not SignalContact.objects.exists()


# --- 6. A counsellor without the sensitive sections -----------------------------------------


def test_a_colleague_sees_no_health_or_justice_barrier_on_the_pathway_page(client, referent, colleague, worker):
    youth = followed(worker, referent, barriers=["health", "mobility"])
    set_barrier(
        youth, acting_user=referent, kind="addiction", status=BarrierStatus.IDENTIFIED, detail="sevrage en cours"
    )
    set_barrier(youth, acting_user=referent, kind="justice", status=BarrierStatus.IDENTIFIED)
    client.force_login(colleague)
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(pathway_url(youth), headers=headers)
        assertContains(page, "mobilité")  # reported, to confirm: not sensitive
        for hidden in ("santé :", "santé —", "addiction", "sevrage", "suivi PJJ", "Pistes pour « addiction »"):
            assertNotContains(page, hidden)
    for kind in ("health", "addiction", "justice", "housing"):
        client.post(pathway_url(youth, "barrier_set"), {"kind": kind, "status": "dismissed"})
    assert set(YouthBarrier.objects.filter(youth=youth).values_list("kind", "status")) == {
        ("addiction", "identified"),
        ("justice", "identified"),
    }
    assert AccessLog.objects.filter(user=colleague, action="read").latest("pk").sections == "identity,pathway"


def test_a_colleague_sees_no_health_barrier_in_the_triage_queue(client, colleague, worker):
    signal_by(worker, barriers=["addiction", "mobility"])
    client.force_login(colleague)
    page = client.get(reverse("registry:signal_list"))
    assertContains(page, "Inès KELLER")
    assertContains(page, "mobilité")
    assertNotContains(page, "addiction")


def test_a_barrier_names_its_specialised_partner_only_to_those_holding_its_section(
    client, referent, colleague, worker, csapa
):
    youth = followed(worker, referent)
    set_barrier(youth, acting_user=referent, kind="mobility", status=BarrierStatus.IDENTIFIED, partner=csapa)
    client.force_login(colleague)
    page = client.get(pathway_url(youth))
    assertContains(page, "mobilité")
    assertNotContains(page, "CSAPA")


def test_the_contact_form_does_not_name_a_specialised_partner_to_a_colleague(client, referent, colleague, pjj):
    youth = followed(worker_of(pjj), referent)
    client.force_login(colleague)
    page = client.get(pathway_url(youth))
    assertContains(page, "Enregistrer une prise de contact")
    assertNotContains(page, "milieu ouvert")


def test_a_colleague_neither_refers_to_a_specialised_partner_nor_shares_a_sensitive_section(
    client, referent, colleague, worker, csapa
):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation, csapa, sections=["health"])
    client.force_login(colleague)
    url = reverse("referrals:create", args=[youth.pk])
    assertNotContains(client.get(url), "CSAPA")
    client.post(url, {"to_organisation": csapa.pk, "reason": "Suivi"})
    client.post(url, {"to_organisation": worker.organisation.pk, "reason": "Suivi", "shared_sections": ["health"]})
    assert not Referral.objects.filter(to_organisation=csapa).exists()
    # The second one is sent (the consent names Horizons), without the section she does not hold.
    assert list(Referral.objects.values_list("shared_sections", flat=True)) == [[]]


def test_a_colleague_closes_no_signal_towards_a_specialised_partner(client, colleague, worker, pjj):
    signal = signal_by(worker)
    client.force_login(colleague)
    page = client.get(reverse("registry:signal_detail", args=[signal.pk]))
    assertNotContains(page, "milieu ouvert")  # not offered as a destination
    client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "elsewhere", "referred_to": pjj.pk})
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.NEW


def test_a_referral_to_a_specialised_partner_is_masked_in_the_caseload_alerts_and_the_timeline(
    client, referent, colleague, worker, csapa
):
    youth = followed(worker, referent)
    refer(youth, referent, csapa, shared_sections=["health"], consent_override_reason="Urgence")
    Referral.objects.update(status=ReferralStatus.EXPIRED)
    client.force_login(colleague)
    alerts = client.get(reverse("pathways:caseload") + "?tous=1&alertes=1")
    assertContains(alerts, "Inès KELLER")
    assertContains(alerts, "un partenaire spécialisé")
    assertNotContains(alerts, "CSAPA")
    page = client.get(pathway_url(youth))
    assertContains(page, "un partenaire spécialisé")
    assertNotContains(page, "CSAPA")


def test_a_referral_to_a_specialised_partner_names_neither_it_nor_its_service_to_a_colleague(
    client, referent, colleague, worker, csapa
):
    youth = followed(worker, referent)
    service = service_of(csapa, "Consultation jeunes consommateurs")
    referral = refer(youth, referent, csapa, service=service, consent_override_reason="Urgence")
    client.force_login(colleague)
    for url in (reverse("referrals:inbox"), reverse("referrals:detail", args=[referral.pk])):
        page = client.get(url)
        assertContains(page, "un partenaire spécialisé")
        assertNotContains(page, "CSAPA")
        assertNotContains(page, "consommateurs")


def test_a_referral_names_its_sensitive_sections_only_to_those_holding_them(
    client, referent, colleague, worker, csapa
):
    youth = followed(worker, referent)
    referral = refer(
        youth, referent, worker.organisation, shared_sections=["health"], consent_override_reason="Urgence"
    )
    client.force_login(colleague)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assertContains(page, "identité et coordonnées, parcours")
    assertNotContains(page, "santé")
    client.force_login(worker)
    assertContains(client.get(reverse("referrals:detail", args=[referral.pk])), "santé")


# --- 7. Coordinators and administrators giving themselves access ------------------------------


def test_a_referral_without_consent_needs_the_referent_or_a_coordinator_and_a_reason_kept_in_the_history(
    client, referent, colleague, coordinator, worker
):
    youth = followed(worker_of(), referent)
    url = reverse("referrals:create", args=[youth.pk])
    data = {"to_organisation": worker.organisation.pk, "reason": "Accueil de jour"}
    client.force_login(colleague)
    client.post(url, data | {"consent_override_reason": "Je passe outre"})
    client.force_login(coordinator)
    client.post(url, data)  # no reason
    assert not Referral.objects.exists()
    client.post(url, data | {"consent_override_reason": "Mise à l'abri urgente"})
    referral = Referral.objects.get()
    assert referral.from_user == coordinator and referral.consent_override_reason == "Mise à l'abri urgente"
    record = WriteRecord.objects.get(model="referrals.referral", object_id=referral.pk, action="create")
    assert record.user == coordinator and record.after["consent_override_reason"] == "Mise à l'abri urgente"
    client.force_login(referent)
    assertContains(client.get(reverse("referrals:inbox")), "sans consentement")


def test_opening_a_file_from_an_opportunity_is_in_the_history(client, coordinator, worker):
    opportunity = opportunity_of(worker)
    client.force_login(coordinator)
    url = reverse("registry:opportunity_open_file", args=[opportunity.pk])
    client.get(url + "?first_name=Yanis&last_name=Moreau&approximate_age=19&informed_how=in_person")
    assert Signal.objects.get(pk=opportunity.pk).youth is None  # a GET writes nothing
    client.post(
        url,
        {
            "first_name": "Yanis",
            "last_name": "Moreau",
            "approximate_age": 19,
            "informed_on": timezone.localdate().isoformat(),
            "informed_how": "in_person",
        },
    )
    signal = Signal.objects.get(pk=opportunity.pk)
    assert signal.youth is not None and signal.status == SignalStatus.NEW
    assert WriteRecord.objects.filter(model="registry.signal", object_id=signal.pk, user=coordinator).exists()
    assert WriteRecord.objects.filter(model="registry.youth", object_id=signal.youth_id, user=coordinator).exists()
    assert WriteRecord.objects.filter(model="registry.consent", user=coordinator).exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FUNDER_OFFICER])
def test_the_administrator_and_the_funder_read_no_youth_on_the_new_pages(client, referent, worker, role):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation)
    action = new_action(referent, partners=[worker.organisation])
    session = past_session(action)
    enrol_youth(action, youth=youth, acting_user=referent)
    plan = declined(youth, referent, worker.organisation)
    referral = refer(youth, referent, worker.organisation)
    opportunity = opportunity_of(worker)
    ask_partner_for_meeting(opportunity, acting_user=referent)
    user = MembershipFactory(role=role).user
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save()
    client.force_login(user)
    for url in (
        pathway_url(youth),
        reverse("pathways:caseload") + "?tous=1",
        reverse("pathways:reapproach_list"),
        reverse("pathways:reapproach_report", args=[plan.pk]),
        reverse("mobilisation:action_list"),
        reverse("mobilisation:action_detail", args=[action.pk]),
        reverse("mobilisation:attendance_sheet", args=[session.pk]),
        reverse("referrals:inbox"),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("registry:opportunity_open_file", args=[opportunity.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assertNotContains(client.get(reverse("web:home")), "KELLER")
    for model in ("pathways/note", "pathways/contactattempt", "referrals/referral", "mobilisation/attendance"):
        assert client.get(f"/admin/{model}/").status_code in (302, 404), model  # not registered, or no admin
    assert not AccessLog.objects.filter(user=user).exists()


# --- 8. Requests that should not write, and what a header changes ----------------------------


def test_writes_need_a_post_with_its_csrf_token(referent, worker):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation)
    plan = declined(youth, referent, worker.organisation)
    action = new_action(referent, partners=[worker.organisation])
    session = past_session(action)
    enrolment = enrol_youth(action, youth=youth, acting_user=referent)
    referral = refer(youth, referent, worker.organisation)
    today = timezone.localdate().isoformat()
    before = WriteRecord.objects.count()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(worker)
    report = {"happened_on": today, "channel": "street", "outcome": "reached_agrees"}
    for url, data in (
        (reverse("pathways:reapproach_report", args=[plan.pk]), report),
        (reverse("mobilisation:attendance_sheet", args=[session.pk]), {f"status-{enrolment.pk}": "present"}),
        (reverse("referrals:answer", args=[referral.pk]), {"status": "accepted", "version": 1}),
        (pathway_url(youth, "note_add"), {"text": "vu", "scope": "shared"}),
    ):
        assert strict.post(url, data).status_code == 403, url
        strict.get(url, data)  # the same fields in a query string write nothing
    strict.force_login(referent)
    for name in ("contact_record", "note_add", "pathway_exit"):
        assert strict.post(pathway_url(youth, name), {"text": "x", "reason": "moved"}).status_code == 403
        assert strict.get(pathway_url(youth, name)).status_code == 405
    assert WriteRecord.objects.count() == before


def test_an_htmx_header_opens_no_partial_to_whoever_may_not_see_the_page(client, referent, worker):
    youth = followed(worker, referent)
    action = new_action(referent, partners=[worker.organisation])
    service = service_of(worker.organisation, "Accueil de jour")
    client.force_login(worker)
    htmx = {"HX-Request": "true"}
    assert (
        client.post(reverse("mobilisation:enrol_search", args=[action.pk]), {"q": "Keller"}, headers=htmx).status_code
        == 404
    )
    response = client.post(reverse("referrals:from_service", args=[service.pk]), {"q": "Keller"}, headers=htmx)
    assert response.status_code == 404
    assert client.get(pathway_url(youth), headers=htmx).status_code == 404


def test_a_stale_pathway_form_is_refused_naming_who_changed_it(client, referent, colleague, worker):
    youth = followed(worker, referent)
    contact(youth, referent)  # opens the pathway
    client.force_login(colleague)
    stale = client.get(pathway_url(youth)).context["forms"]["exit"]["version"].value()
    client.force_login(referent)
    client.post(pathway_url(youth, "stage_change"), {"stage": 2, "version": stale})
    client.force_login(colleague)
    page = client.post(pathway_url(youth, "pathway_exit"), {"reason": "moved", "version": stale})
    assertContains(page, "modifié entre-temps")
    assert youth.pathways.get().closed_at is None


def test_a_stale_barrier_form_does_not_overwrite_a_colleagues_change(client, referent, colleague, worker):
    youth = followed(worker, referent)
    set_barrier(youth, acting_user=colleague, kind="mobility", status=BarrierStatus.IDENTIFIED)
    client.force_login(referent)
    stale = client.get(pathway_url(youth)).context["forms"]["barrier"]["version"].value() or ""
    set_barrier(youth, acting_user=colleague, kind="mobility", status=BarrierStatus.IDENTIFIED, detail="pas de permis")
    client.post(pathway_url(youth, "barrier_set"), {"kind": "mobility", "status": "dismissed", "version": stale})
    barrier = YouthBarrier.objects.get(youth=youth, kind="mobility")
    assert barrier.status == BarrierStatus.IDENTIFIED and barrier.detail == "pas de permis"


# --- 9. The logs: every read, every write, and no name in a URL or a log line ------------------


def test_every_read_of_a_youth_on_the_new_pages_is_in_the_access_log(client, referent, worker):
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation)
    action = new_action(referent, partners=[worker.organisation])
    session = past_session(action)
    enrol_youth(action, youth=youth, acting_user=referent)
    plan = declined(youth, referent, worker.organisation)
    referral = refer(youth, referent, worker.organisation)
    pages = {
        worker: [
            pathway_url(youth),
            reverse("pathways:reapproach_list"),
            reverse("pathways:reapproach_report", args=[plan.pk]),
            reverse("mobilisation:attendance_sheet", args=[session.pk]),
            reverse("referrals:inbox"),
            reverse("referrals:detail", args=[referral.pk]),
        ],
        referent: [
            pathway_url(youth),
            reverse("pathways:caseload"),
            reverse("mobilisation:action_detail", args=[action.pk]),
            reverse("mobilisation:attendance_sheet", args=[session.pk]),
            reverse("referrals:inbox"),
            reverse("referrals:create", args=[youth.pk]),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            before = AccessLog.objects.filter(user=user, youth_id=youth.pk).count()
            page = client.get(url)
            assertContains(page, "Inès")
            assert AccessLog.objects.filter(user=user, youth_id=youth.pk).count() == before + 1, url


def test_every_change_of_a_re_approach_is_in_the_write_history(referent, worker):
    youth = followed(worker, referent)
    plan = declined(youth, referent, worker.organisation)
    pathway = youth.pathways.get()
    exit_pathway(youth, reason="moved", acting_user=referent, version=pathway.version)
    assert Reapproach.objects.get(pk=plan.pk).status == "cancelled"
    assert WriteRecord.objects.filter(model="pathways.reapproach", object_id=plan.pk, action="update").exists()


def test_every_write_on_the_pathway_page_has_its_history_record(client, referent, worker):
    youth = followed(worker, referent)
    client.force_login(referent)
    today = timezone.localdate().isoformat()
    steps = [
        ("contact_record", {"happened_on": today, "channel": "phone", "outcome": "met"}, "pathways.contactattempt"),
        ("note_add", {"text": "Vu au forum", "scope": "shared"}, "pathways.note"),
        (
            "barrier_set",
            {"kind": "mobility", "status": "identified", "version": "mobility:new"},
            "pathways.youthbarrier",
        ),
        ("project_validate", {"occupation": "G1602", "validated_on": today}, "pathways.professionalproject"),
        (
            "outcome_record",
            {"kind": "cdi", "starts_on": today, "skip_reason": "emploi trouvé seul"},
            "pathways.outcome",
        ),
    ]
    for name, data, model in steps:
        before = WriteRecord.objects.filter(model=model, user=referent).count()
        response = client.post(pathway_url(youth, name), data)
        assert response.status_code == 302, (name, response.content[:300])
        assert WriteRecord.objects.filter(model=model, user=referent).count() == before + 1, name
    follow_up = youth.pathways.get().outcomes.get().follow_ups.order_by("months").first()
    client.post(pathway_url(youth, "follow_up_record"), {"follow_up": follow_up.pk, "still_there": "true"})
    assert WriteRecord.objects.filter(model="pathways.followup", object_id=follow_up.pk).exists()
    pathway = youth.pathways.get()
    client.post(pathway_url(youth, "pathway_exit"), {"reason": "moved", "version": pathway.version})
    client.post(pathway_url(youth, "pathway_reopen"))
    kinds = [r.after["kind"] for r in WriteRecord.objects.filter(model="pathways.pathwayevent").order_by("pk")]
    assert kinds[-2:] == ["exit", "reopened"]


def test_no_name_nor_phone_travels_in_a_url_or_a_log_line(client, referent, colleague, worker, caplog):
    caplog.set_level(logging.DEBUG)
    youth = followed(worker, referent)
    consent(youth, referent, worker.organisation)
    action = new_action(referent, partners=[worker.organisation])
    session = past_session(action)
    today = timezone.localdate().isoformat()
    client.force_login(referent)
    responses = [
        client.post(reverse("mobilisation:enrol_search", args=[action.pk]), {"q": "Keller"}),
        client.post(reverse("mobilisation:enrol", args=[action.pk]), {"youth": youth.pk}),
        client.post(
            pathway_url(youth, "contact_record"), {"happened_on": today, "channel": "phone", "outcome": "met"}
        ),
        client.post(pathway_url(youth, "note_add"), {"text": "Keller a appelé", "scope": "shared"}),
        client.post(
            reverse("referrals:create", args=[youth.pk]),
            {"to_organisation": worker.organisation.pk, "reason": "Keller"},
        ),
        client.post(
            reverse("referrals:from_service", args=[service_of(worker.organisation, "Accueil").pk]), {"q": "Keller"}
        ),
    ]
    enrolment = Enrolment.objects.get(youth=youth)
    client.force_login(worker)
    responses.append(
        client.post(reverse("mobilisation:attendance_sheet", args=[session.pk]), {f"status-{enrolment.pk}": "present"})
    )
    responses.append(client.get(pathway_url(youth) + "?type=note"))
    signal = signal_by(worker, first_name="Lina", last_name="Marchal")
    client.force_login(colleague)
    responses.append(client.post(reverse("registry:signal_dismiss", args=[signal.pk]), {"status": "unreachable"}))
    client.force_login(MembershipFactory(role=Role.COUNSELLOR).user)  # another Mission locale's: 404s are logged
    responses.append(client.get(pathway_url(youth)))
    responses.append(client.post(pathway_url(youth, "note_add"), {"text": "Keller", "scope": "shared"}))
    private = ("keller", "inès", "ines", "lina", "marchal", PHONE, PHONE.replace(" ", ""))
    locations = [r["Location"].lower() for r in responses if r.has_header("Location")]
    assert locations and not [loc for loc in locations if any(word in loc for word in private)]
    lines = [record.getMessage().lower() for record in caplog.records]
    assert lines and not [line for line in lines if any(word in line for word in private)]
