"""The demo's mobilisation actions and referrals (reperes.demo.mobilisation, reperes.demo.referrals).

One module for both: the `demo` fixture loads the whole demo once per module."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains

from reperes.demo import steps
from reperes.demo.accounts import ACCOUNTS
from reperes.demo.youths import DEMO_PARTNER
from reperes.mobilisation.enums import ActionFormat, AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.mobilisation.selectors import minutes_attended, sessions_to_record, youths_needing_attention
from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.pathways.enums import EventKind, Stage
from reperes.pathways.models import Pathway, PathwayEvent
from reperes.pathways.selectors import alerts_for, caseload_youths
from reperes.privacy import policy
from reperes.referrals.enums import EXPIRY_DAYS, UNANSWERED_STATUSES, ReferralStatus
from reperes.referrals.models import Referral, ReferralEvent
from reperes.registry.models import Consent
from tests.demo.login import demo_login

pytestmark = pytest.mark.django_db

MODELS = (Action, Session, Enrolment, Attendance, Referral, ReferralEvent, Consent)


def _account(role):
    return User.objects.get(email=next(a["email"] for a in ACCOUNTS if a["role"] == role))


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


# --- Mobilisation -------------------------------------------------------------------------------------


def test_each_mission_locale_runs_actions_with_partners_a_budget_and_sessions_past_and_to_come(demo):
    missions = Organisation.objects.missions_locales()
    assert not missions.filter(mobilisation_actions=None).exists()
    assert Action.objects.values("kind").distinct().count() >= 5
    assert set(Action.objects.values_list("format", flat=True)) == set(ActionFormat.values)
    now = timezone.now()
    for action in Action.objects.prefetch_related("partners", "sessions").select_related("mission_locale"):
        partners = list(action.partners.all())
        assert partners and all(p.is_partner for p in partners), action.title
        assert action.commune_id == action.mission_locale.commune_id
        assert 0 < action.cofinancing_requested <= action.cost
        days = [timezone.localdate(s.starts_at) for s in action.sessions.all()]
        assert days and action.starts_on == min(days) and action.ends_on == max(days)
        assert action.created_at < action.sessions.all()[0].starts_at
        assert action.ends_on >= timezone.localdate()  # enrolments are still possible
    assert Session.objects.filter(starts_at__lt=now).exists() and Session.objects.filter(starts_at__gt=now).exists()
    # The demo partner runs actions of its Mission locale.
    assert Action.objects.filter(partners__name=DEMO_PARTNER).exists()


def test_attendance_is_recorded_on_past_sessions_with_the_three_statuses_and_gives_hours(demo):
    now = timezone.now()
    assert not Attendance.objects.filter(session__starts_at__gt=now).exists()
    assert not Attendance.objects.filter(recorded_at__gt=now).exists()
    assert not Attendance.objects.filter(recorded_at__lt=F("session__starts_at")).exists()
    assert set(Attendance.objects.values_list("status", flat=True)) == set(AttendanceStatus.values)
    assert not Enrolment.objects.filter(enrolled_at__gt=now).exists()
    for attendance in Attendance.objects.select_related("session", "enrolment"):
        assert timezone.localdate(attendance.enrolment.enrolled_at) <= timezone.localdate(attendance.session.starts_at)
    hours = minutes_attended(Enrolment.objects.values_list("pk", flat=True))
    assert sum(1 for minutes in hours.values() if minutes >= 120) >= 10
    # Individual appointments: one youth per session.
    individual = Attendance.objects.filter(session__action__format=ActionFormat.INDIVIDUAL)
    assert individual.exists()
    assert individual.values("session").distinct().count() == individual.count()
    # Only youths met at least once (stage 2 or later) are enrolled, in their own Mission locale.
    for enrolment in Enrolment.objects.select_related("youth", "action")[:100]:
        assert enrolment.youth.mission_locale_id == enrolment.action.mission_locale_id
        pathway = Pathway.objects.get(youth=enrolment.youth, closed_at=None)
        assert pathway.stage >= Stage.MOBILISED


def test_a_first_presence_put_mobilised_youths_in_action_on_the_day_of_the_session(demo):
    moved = PathwayEvent.objects.filter(
        kind=EventKind.STAGE, stage=Stage.IN_ACTION, reason="présence à une action de mobilisation"
    ).select_related("pathway")
    assert moved.count() >= 3
    for event in moved:
        first = (
            Attendance.objects.filter(enrolment__youth_id=event.pathway.youth_id, status=AttendanceStatus.PRESENT)
            .select_related("session")
            .order_by("session__starts_at")
            .first()
        )
        assert first is not None
        assert event.at == first.session.starts_at + timedelta(minutes=first.session.duration_minutes)
        assert event.from_stage == Stage.MOBILISED and event.pathway.opened_at <= event.at <= timezone.now()


def test_some_youths_missed_two_sessions_in_a_row(demo):
    flagged = youths_needing_attention(Enrolment.objects.values_list("youth_id", flat=True))
    assert len(flagged) >= 2
    assert all(reason.startswith("deux absences de suite") for reason in flagged.values())


def test_the_demo_partner_has_attendance_to_record_on_its_home_page(demo, client):
    partner = _account(Role.PARTNER_WORKER)
    to_record = list(sessions_to_record(partner))
    assert to_record
    assert any(timezone.localdate(s.starts_at) >= timezone.localdate() - timedelta(days=3) for s in to_record)
    client.force_login(partner)
    response = client.get(reverse("web:home"))
    assertContains(response, "Présences à saisir")
    assertContains(response, reverse("mobilisation:attendance_sheet", args=[to_record[0].pk]))


# --- Referrals ----------------------------------------------------------------------------------------


def test_every_referral_status_is_there_with_its_dated_history(demo):
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    now, today = timezone.now(), timezone.localdate()
    assert not Referral.objects.filter(status=ReferralStatus.DECLINED, answer_reason="").exists()
    for referral in Referral.objects.prefetch_related("events"):
        events = list(referral.events.all())
        assert events[0].status == ReferralStatus.SENT and events[-1].status == referral.status
        assert events[0].at == referral.sent_at and all(a.at <= b.at <= now for a, b in pairwise(events))
        assert referral.expires_on == timezone.localdate(referral.sent_at) + timedelta(days=EXPIRY_DAYS)
        if referral.status in UNANSWERED_STATUSES:
            assert referral.expires_on >= today  # not overdue: the daily pass expired those
        if referral.status == ReferralStatus.EXPIRED:
            assert referral.expires_on < today and referral.answered_at is None
    assert Referral.objects.exclude(reminder_sent_at=None).exists()


def test_referrals_rest_on_a_consent_naming_the_partner_or_on_a_reason_to_go_without(demo):
    overrides = Referral.objects.exclude(consent_override_reason="")
    assert 1 <= overrides.count() <= Referral.objects.count() / 5  # the exception: most rest on a consent
    for referral in Referral.objects.select_related("youth", "to_organisation", "from_user"):
        covered = policy.consent_covers_referral(
            referral.youth, referral.to_organisation, set(referral.shared_sections)
        )
        assert covered != bool(referral.consent_override_reason), referral.pk
        if referral.consent_override_reason:
            assert referral.from_user_id == referral.youth.referent_id  # only the référent overrides here
    assert Referral.objects.exclude(shared_sections=[]).exists()


def test_the_demo_partner_has_referrals_to_answer_in_its_inbox(demo, client):
    partner = _account(Role.PARTNER_WORKER)
    visible = policy.referrals_visible_to(partner).select_related("youth")
    to_answer = [r for r in visible if r.status in UNANSWERED_STATUSES]
    assert len(to_answer) >= 2 and visible.filter(status=ReferralStatus.ACCEPTED).exists()
    assert all(policy.can_answer_referral(partner, r) for r in to_answer)
    client.force_login(partner)
    response = client.get(reverse("referrals:inbox"))
    for referral in to_answer:
        assertContains(response, referral.youth.display_name)
    assertContains(client.get(reverse("web:home")), "Orientations reçues")


def test_the_demo_counsellor_sees_the_absences_and_the_expired_referral_among_her_alerts(demo, client):
    counsellor = _account(Role.COUNSELLOR)
    youths = list(caseload_youths(counsellor))
    kinds = [alert.kind for found in alerts_for(counsellor, youths).values() for alert in found]
    assert kinds.count("attendance") >= 1 and kinds.count("referral") >= 1
    client.force_login(counsellor)
    response = client.get(reverse("pathways:caseload"), {"alertes": "1"})
    assertContains(response, "deux absences de suite")
    assertContains(response, "restée sans réponse")
    assertContains(client.get(reverse("web:home")), "Orientations à reprendre")


def test_the_demo_partner_account_logs_in_and_opens_a_referral_to_answer(demo, client):
    partner = _account(Role.PARTNER_WORKER)
    assert demo_login(client, partner.email)
    referral = policy.referrals_visible_to(partner).filter(status=ReferralStatus.SENT).first()
    assert referral is not None
    assertContains(client.get(reverse("referrals:detail", args=[referral.pk])), escape(referral.reason))


# --- Loading again, and the reset ---------------------------------------------------------------------


def test_loading_again_adds_no_action_nor_referral(demo):
    before = _counts()
    call_command("load_demo", force=True, verbosity=0)
    assert _counts() == before


def test_the_reset_removes_actions_and_referrals(demo):
    assert all(_counts().values())
    steps.reset()
    assert not any(_counts().values())
