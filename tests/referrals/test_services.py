"""Sending, answering, withdrawing, expiring and reminding referrals, and what they open."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from reperes.privacy import policy
from reperes.privacy.enums import Section
from reperes.privacy.models import WriteRecord
from reperes.referrals import selectors
from reperes.referrals.enums import ReferralStatus
from reperes.referrals.models import Referral
from reperes.referrals.services import (
    answer_referral,
    expire_overdue,
    remind_unanswered,
    send_referral,
    withdraw_referral,
)
from reperes.referrals.tasks import referrals_sweep

FILE = {Section.IDENTITY, Section.PATHWAY}


def send(cast, to, **extra):
    extra.setdefault("acting_user", cast.referent)
    return send_referral(cast.youth, to_organisation=to, reason="Hébergement d'urgence", **extra)


# --- The consent check ------------------------------------------------------------------------


def test_a_consent_naming_the_partner_is_enough(cast):
    referral = send(cast, cast.p, acting_user=cast.colleague)
    assert referral.status == ReferralStatus.SENT
    assert referral.consent_override_reason == ""
    assert referral.expires_on == timezone.localdate() + timedelta(days=8)
    assert referral.events.get().status == ReferralStatus.SENT
    assert WriteRecord.objects.filter(model="referrals.referral", object_id=referral.pk, action="create").exists()


def test_without_a_consent_naming_the_partner_a_colleague_is_refused(cast):
    assert not policy.can_override_consent(cast.colleague, cast.youth)
    with pytest.raises(ValidationError, match="Aucun consentement"):
        send(cast, cast.q, acting_user=cast.colleague, consent_override_reason="urgent")
    assert not Referral.objects.exists()


def test_the_referent_overrides_with_a_reason_which_is_logged(cast):
    with pytest.raises(ValidationError) as error:
        send(cast, cast.q)
    assert "consent_override_reason" in error.value.message_dict
    referral = send(cast, cast.q, consent_override_reason="Le jeune l'a demandé au téléphone")
    assert referral.consent_override_reason == "Le jeune l'a demandé au téléphone"
    record = WriteRecord.objects.get(model="referrals.referral", object_id=referral.pk)
    assert record.after["consent_override_reason"] == "Le jeune l'a demandé au téléphone"
    assert record.user == cast.referent
    assert referral.events.get().reason == "Le jeune l'a demandé au téléphone"


def test_a_coordinator_may_override_too(cast):
    assert policy.can_override_consent(cast.coordinator, cast.youth)
    assert send(cast, cast.q, acting_user=cast.coordinator, consent_override_reason="urgence").pk


def test_a_section_the_consent_does_not_share_needs_the_override(cast):
    with pytest.raises(ValidationError):
        send(cast, cast.p, shared_sections=[Section.HEALTH])
    assert send(cast, cast.p, shared_sections=[Section.HOUSING]).consent_override_reason == ""


def test_only_who_holds_a_section_shares_it(cast):
    assert policy.shareable_sections(cast.colleague, cast.youth) == set()
    with pytest.raises(ValidationError, match="référent"):
        send(cast, cast.p, acting_user=cast.colleague, shared_sections=[Section.HOUSING])


def test_a_specialised_partner_is_offered_only_to_who_holds_its_section(cast):
    assert cast.pjj in policy.referral_partners(cast.referent, cast.youth)
    assert cast.pjj not in policy.referral_partners(cast.colleague, cast.youth)
    with pytest.raises(ValidationError):
        send(cast, cast.pjj, acting_user=cast.coordinator, consent_override_reason="urgence")


def test_a_partner_never_refers_and_two_active_referrals_to_one_partner_are_refused(cast):
    send(cast, cast.p)
    assert not policy.can_refer(cast.worker_p, cast.youth)
    with pytest.raises(ValidationError):
        send(cast, cast.q, acting_user=cast.worker_p)
    with pytest.raises(ValidationError, match="déjà en cours"):
        send(cast, cast.p)


# --- What a referral opens ----------------------------------------------------------------------


def test_the_partner_reads_the_file_while_the_referral_is_active_and_only_what_it_shares(cast):
    worker = cast.worker_q
    assert not policy.can_view_youth(worker, cast.youth)
    referral = send(cast, cast.q, consent_override_reason="urgence", shared_sections=[Section.HEALTH])
    assert policy.can_view_youth(worker, cast.youth)
    assert policy.sections_visible_to(worker, cast.youth) == FILE | {Section.HEALTH}
    referral = answer_referral(referral, status=ReferralStatus.ACCEPTED, version=1, acting_user=worker)
    assert policy.can_view_youth(worker, cast.youth)
    answer_referral(referral, status=ReferralStatus.DONE, version=2, acting_user=worker)
    assert not policy.can_view_youth(worker, cast.youth)
    assert policy.sections_visible_to(worker, cast.youth) == set()
    assert not policy.referrals_visible_to(worker).exists()


@pytest.mark.parametrize("close", ["declined", "withdrawn", "expired", "overdue"])
def test_a_closed_referral_opens_nothing(cast, close):
    referral = send(cast, cast.q, consent_override_reason="urgence")
    if close == "declined":
        answer_referral(
            referral, status=ReferralStatus.DECLINED, reason="Complet", version=1, acting_user=cast.worker_q
        )
    elif close == "withdrawn":
        withdraw_referral(referral, version=1, acting_user=cast.colleague)
    elif close == "expired":
        assert expire_overdue(referral.expires_on + timedelta(days=1)) == [referral.pk]
    else:  # past its expiry, not yet swept: already closed
        Referral.objects.filter(pk=referral.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert not policy.can_view_youth(cast.worker_q, cast.youth)
    referral.refresh_from_db()
    assert not policy.can_answer_referral(cast.worker_q, referral)


def test_the_consented_partner_keeps_its_consent_sections_and_adds_the_referrals(cast):
    send(cast, cast.p, shared_sections=[Section.HOUSING])
    assert policy.sections_visible_to(cast.worker_p, cast.youth) == FILE | {Section.HOUSING}


def test_many_files_in_two_queries(cast, django_assert_max_num_queries):
    send(cast, cast.q, consent_override_reason="urgence")
    cast.worker_q.organisation  # the membership is cached on the user  # noqa: B018
    with django_assert_max_num_queries(2):
        sections = policy.sections_visible_to_many(cast.worker_q, [cast.youth.pk])
    assert sections == {cast.youth.pk: FILE}


# --- Answers ------------------------------------------------------------------------------------


def test_a_decline_needs_a_reason(cast):
    referral = send(cast, cast.p)
    with pytest.raises(ValidationError):
        answer_referral(referral, status=ReferralStatus.DECLINED, version=1, acting_user=cast.worker_p)
    declined = answer_referral(
        referral, status=ReferralStatus.DECLINED, reason="Plus de place", version=1, acting_user=cast.worker_p
    )
    assert (declined.answer_reason, declined.answered_by, declined.version) == ("Plus de place", cast.worker_p, 2)
    assert [e.status for e in declined.events.all()] == [ReferralStatus.SENT, ReferralStatus.DECLINED]


def test_the_second_of_two_concurrent_answers_is_refused(cast):
    referral = send(cast, cast.q, consent_override_reason="urgence")
    seen_by_both = referral.version
    answer_referral(referral, status=ReferralStatus.ACCEPTED, version=seen_by_both, acting_user=cast.worker_q)
    with pytest.raises(ValidationError, match="modifiée entre-temps par Quentin Atelier"):
        answer_referral(
            referral,
            status=ReferralStatus.DECLINED,
            reason="Complet",
            version=seen_by_both,
            acting_user=cast.worker_q2,
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_an_answer_out_of_order_is_refused(cast):
    referral = send(cast, cast.p)
    with pytest.raises(ValidationError):
        answer_referral(referral, status=ReferralStatus.DONE, version=1, acting_user=cast.worker_p)
    with pytest.raises(ValidationError):
        answer_referral(referral, status=ReferralStatus.RECEIVED, version=1, acting_user=cast.worker_q)


# --- Expiry and reminders -----------------------------------------------------------------------


def test_expiry_and_reminder(cast, settings):
    settings.REPERES_REFERRAL_REMINDER_DAYS = 3
    today = timezone.localdate()
    referral = send(cast, cast.p)
    accepted = send(cast, cast.q, consent_override_reason="urgence")
    answer_referral(accepted, status=ReferralStatus.ACCEPTED, version=1, acting_user=cast.worker_q)
    assert remind_unanswered(today + timedelta(days=2)) == []
    assert remind_unanswered(today + timedelta(days=3)) == [referral]
    referral.refresh_from_db()
    assert referral.reminder_sent_at is not None
    assert remind_unanswered(today + timedelta(days=4)) == []  # once
    assert expire_overdue(today + timedelta(days=8)) == []  # the last day to answer
    assert expire_overdue(today + timedelta(days=9)) == [referral.pk]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    assert referral.events.last().by is None
    accepted.refresh_from_db()
    assert accepted.status == ReferralStatus.ACCEPTED  # answered: never expires


def test_the_sweep_command_and_task(cast):
    referral = send(cast, cast.p)
    Referral.objects.filter(pk=referral.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    call_command("referrals_sweep", verbosity=0)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    assert referrals_sweep.call() == {"expired": 0, "reminded": 0}


# --- Selectors ----------------------------------------------------------------------------------


def test_youths_needing_attention_names_a_specialised_partner_generically(cast):
    referral = send(cast, cast.p)
    assert selectors.youths_needing_attention([cast.youth.pk]) == {}
    expire_overdue(referral.expires_on + timedelta(days=1))
    assert "Foyer P" in selectors.youths_needing_attention([cast.youth.pk])[cast.youth.pk]
    pjj = send(cast, cast.pjj, consent_override_reason="urgence")
    expire_overdue(pjj.expires_on + timedelta(days=1))
    reason = selectors.youths_needing_attention([cast.youth.pk])[cast.youth.pk]
    assert "un partenaire spécialisé" in reason and "PJJ" not in reason


def test_youths_needing_attention_in_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.youths_needing_attention([cast.youth.pk, 10**9])


def test_timeline_entries_mask_a_specialised_partner(cast):
    referral = send(cast, cast.pjj, consent_override_reason="urgence")
    answer_referral(referral, status=ReferralStatus.ACCEPTED, version=1, acting_user=cast.worker_pjj)
    [entry] = selectors.timeline_entries(cast.referent, cast.youth)
    assert entry.kind == "referral"
    assert entry.label == "Orienté·e vers Unité PJJ de Saverne : acceptée"
    [entry] = selectors.timeline_entries(cast.colleague, cast.youth)
    assert entry.label == "Orienté·e vers un partenaire spécialisé : acceptée"
    assert [e.label for e in selectors.timeline_entries(cast.worker_pjj, cast.youth)] == [
        "Orienté·e vers Unité PJJ de Saverne : acceptée"
    ]
    assert selectors.timeline_entries(cast.worker_p, cast.youth) == []


def test_home_cards(cast):
    assert selectors.home_card(cast.worker_p) == {}
    referral = send(cast, cast.p)
    card = selectors.home_card(cast.worker_p)
    assert card["items"][0][1] == 1
    assert selectors.home_card(cast.referent) == {}
    answer_referral(referral, status=ReferralStatus.DECLINED, reason="Complet", version=1, acting_user=cast.worker_p)
    assert selectors.home_card(cast.worker_p) == {}
    card = selectors.home_card(cast.referent)
    assert [count for _label, count, _url in card["items"]] == [1, 0]
    send(cast, cast.q, consent_override_reason="ailleurs")  # referred again: nothing left to act on
    assert selectors.home_card(cast.referent) == {}
