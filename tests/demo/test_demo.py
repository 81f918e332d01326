from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from reperes.demo import campaigns, pathways, youths
from reperes.demo.accounts import ACCOUNTS
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways.enums import BarrierStatus, EventKind, ExitReason, ReapproachStatus, Stage
from reperes.pathways.models import (
    ContactAttempt,
    FollowUp,
    Note,
    Outcome,
    Pathway,
    PathwayEvent,
    ProfessionalProject,
    Reapproach,
    YouthBarrier,
)
from reperes.pathways.selectors import EXITED, alerts_for, caseload_youths, stage_counts
from reperes.privacy import policy
from reperes.programme.enums import CampaignStatus
from reperes.programme.models import Campaign
from reperes.programme.selectors import identified_counts
from reperes.registry.enums import BirthPrecision, SignalStatus, YouthStatus
from reperes.registry.models import Merge, Signal, Youth, age_on
from reperes.territory.models import Commune, Territory
from tests.demo.login import demo_login

pytestmark = pytest.mark.django_db


PATHWAY_MODELS = (
    Pathway,
    PathwayEvent,
    ContactAttempt,
    Reapproach,
    Note,
    YouthBarrier,
    ProfessionalProject,
    Outcome,
    FollowUp,
)


def _counts():
    models = (Organisation, User, Membership, Territory, Campaign, Youth, Signal, Merge, *PATHWAY_MODELS)
    return {model.__name__: model.objects.count() for model in models}


def _names():
    return sorted(Youth.objects.values_list("first_names", "last_name", "sex", "birth_date"))


def _people():
    return Youth.objects.exclude(status=YouthStatus.MERGED)


def test_loading_twice_duplicates_nothing(demo):
    before = _counts()
    call_command("load_demo", force=True, verbosity=0)
    assert _counts() == before


def test_reset_removes_and_rebuilds_the_same_demo(demo):
    before, names = _counts(), _names()
    call_command("load_demo", force=True, reset=True, verbosity=0)
    assert _counts() == before
    assert _names() == names  # seeded: the same synthetic people at every load


def test_refuses_to_load_without_debug_unless_forced():
    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)


def test_there_is_one_demo_account_per_role_and_each_logs_in(demo, client):
    assert {account["role"] for account in ACCOUNTS} == set(Role.values)
    for account in ACCOUNTS:
        assert demo_login(client, account["email"]), account["email"]
        assertContains(client.get(reverse("web:home")), f"Bonjour {account['first_name']}")
        client.logout()


def test_the_missions_locales_of_alsace_share_its_communes_without_overlap(demo):
    missions = Organisation.objects.missions_locales().select_related("territory")
    assert missions.count() == 10
    alsace = set(Commune.objects.current().filter(departement_id__in=["67", "68"]).values_list("code", flat=True))
    seen: set[str] = set()
    for mission in missions:
        codes = set(mission.territory.communes.values_list("code", flat=True))
        assert codes, mission.name
        assert not codes & seen, f"{mission.name} overlaps another territory"
        seen |= codes
    assert seen == alsace
    strasbourg = Organisation.objects.get(name="Mission locale de Strasbourg")
    assert strasbourg.territory.communes.filter(code="67482").exists()


def test_three_campaigns_follow_each_other_and_the_last_one_is_in_progress(demo):
    today = timezone.localdate()
    first, second, current = Campaign.objects.order_by("starts_on")
    assert [c.status() for c in (first, second, current)] == [
        CampaignStatus.CLOSED,
        CampaignStatus.CLOSED,
        CampaignStatus.IN_PROGRESS,
    ]
    assert current.starts_on < today <= current.ends_on
    assert second.ends_on == current.starts_on - timedelta(days=1)
    assert first.ends_on == second.starts_on - timedelta(days=1)
    assert (first.ends_on - first.starts_on).days >= 729  # the seed's first campaign ran two years
    assert "2013–2014" in first.description and "2015/2016" in current.description
    assert first.name == f"Campagne {first.starts_on.year}–{first.ends_on.year}"


def test_the_campaigns_identify_the_seeds_233_then_280_youths_then_the_current_ones(demo):
    counts = list(identified_counts(Campaign.objects.order_by("starts_on")).values())
    assert counts[:2] == [233, 280]
    assert 100 <= counts[2] <= 130
    assert sum(counts) == _people().count()  # every youth belongs to one campaign
    assert 600 <= sum(counts) <= 650  # the seed's 513 plus the campaign in progress


def test_more_young_men_than_young_women_are_identified(demo):
    by_sex = dict(_people().values_list("sex").annotate(n=Count("pk")))
    assert set(by_sex) == {"f", "m"}
    assert 0.55 <= by_sex["m"] / (by_sex["m"] + by_sex["f"]) <= 0.68


def test_about_one_youth_in_ten_is_reported_by_two_different_partners(demo):
    people = _people().annotate(partners=Count("signals__organisation", distinct=True))
    twice = people.filter(partners__gte=2).count()
    assert 0.08 <= twice / people.count() <= 0.12
    # In the closed campaigns, a second report that opened its own record has been merged.
    assert Merge.objects.filter(undone_at=None).count() >= 10
    assert not Signal.objects.filter(organisation__name=youths.DEMO_PARTNER, status="duplicate").exists()


def test_signals_come_from_several_kinds_of_partners(demo):
    kinds = set(Signal.objects.values_list("organisation__kind", flat=True))
    assert len(kinds) >= 4
    assert "mission_locale" not in kinds


def test_every_youth_is_16_to_25_on_the_day_first_reported(demo):
    first_reported = _people().annotate(first=Min("signals__created_at"))
    checked = 0
    for youth in first_reported.exclude(birth_precision=BirthPrecision.UNKNOWN):
        age = age_on(youth.birth_date, timezone.localdate(youth.first))
        assert 16 <= age <= 25, (youth.pk, age)
        checked += 1
    assert checked == _people().count()
    assert _people().filter(birth_precision=BirthPrecision.DAY).count() > _people().count() / 2


def test_the_campaign_in_progress_has_a_live_queue(demo):
    now = timezone.now()
    current = Campaign.objects.in_progress().get()
    this_campaign = Signal.objects.filter(created_at__gte=current.received_from)
    waiting = this_campaign.filter(status=SignalStatus.NEW)
    assert waiting.filter(created_at__gte=now - timedelta(days=youths.TRIAGE_LAG_DAYS)).exists()
    assert waiting.filter(created_at__lt=now - timedelta(days=youths.TRIAGE_LAG_DAYS)).exists()  # overdue
    assert this_campaign.filter(status=SignalStatus.ASSIGNED).exists()
    assert this_campaign.filter(status=SignalStatus.OPPORTUNITY).count() == youths.OPPORTUNITIES
    assert not Signal.objects.filter(created_at__gt=now).exists()
    # Nothing waits from the closed campaigns: the Mission locale triaged them long ago.
    assert not Signal.objects.filter(created_at__lt=current.received_from, status=SignalStatus.NEW).exists()
    assert not _people().filter(created_at__lt=current.received_from, referent=None).exists()


def test_every_mission_locale_with_youths_has_counsellors_to_follow_them(demo):
    for mission in Organisation.objects.missions_locales().filter(youths__isnull=False).distinct():
        staff = Membership.objects.filter(organisation=mission, role=Role.COUNSELLOR).count()
        assert staff >= youths.COUNSELLORS_PER_MISSION, mission.name


def test_the_calendar_moves_with_the_day_of_loading():
    today = timezone.localdate()
    for day in (today, today.replace(month=2, day=28) + timedelta(days=1), today + timedelta(days=400)):
        spans = campaigns.calendar(day)
        assert [seed.seed_name for seed, _start, _end in spans] == ["2013–2014", "2014/2015", "2015/2016"]
        assert spans[-1][1] <= day <= spans[-1][2]
        for (_a, _s, end), (_b, start, _e) in pairwise(spans):
            assert start == end + timedelta(days=1)


def test_the_review_queue_has_pairs_the_engine_could_not_decide(demo):
    from reperes.registry.models import DuplicateCandidate

    pairs = DuplicateCandidate.objects.filter(status="open").select_related("youth_a", "youth_b")
    assert len(pairs) >= 3
    assert all(p.youth_a.mission_locale_id == p.youth_b.mission_locale_id for p in pairs)


# --- Pathways -------------------------------------------------------------------------------------


def _account(role):
    return User.objects.get(email=next(a["email"] for a in ACCOUNTS if a["role"] == role))


def test_every_triaged_youth_has_a_pathway_and_open_ones_stand_at_each_of_the_five_stages(demo):
    assert not _people().exclude(referent=None).filter(pathways=None).exists()
    assert not Pathway.objects.filter(youth__referent=None).exists()
    open_stages = Counter(Pathway.objects.filter(closed_at=None).values_list("stage", flat=True))
    assert all(open_stages[stage] >= 3 for stage in Stage.values), open_stages
    # Each stage reached is an event of the history; a closed pathway ends with its exit.
    for pathway in Pathway.objects.prefetch_related("events")[:200]:
        events = list(pathway.events.all())
        assert events[0].kind in (EventKind.OPENED, EventKind.REOPENED)
        assert (events[-1].kind == EventKind.EXIT) == (pathway.closed_at is not None)
        assert [e.stage for e in events if e.kind == EventKind.STAGE][-1:] in ([], [pathway.stage])


def test_what_the_services_stamped_is_dated_in_the_past_of_the_youth(demo):
    now = timezone.now()
    assert not PathwayEvent.objects.filter(at__gt=now).exists()
    assert not ContactAttempt.objects.filter(recorded_at__gt=now).exists()
    for pathway in Pathway.objects.select_related("youth")[:200]:
        assert pathway.youth.created_at <= pathway.opened_at <= pathway.stage_since <= now
        if pathway.last_contact_at is not None:
            assert pathway.opened_at <= pathway.last_contact_at <= now
    assert PathwayEvent.objects.filter(kind=EventKind.STAGE, at__lt=now - timedelta(days=90)).count() > 100
    for model, stamp in (
        (Note, "at"),
        (Reapproach, "created_at"),
        (YouthBarrier, "updated_at"),
        (Outcome, "recorded_at"),
    ):
        assert not model.objects.filter(**{f"{stamp}__gt": now}).exists(), model
        assert model.objects.filter(**{f"{stamp}__lt": now - timedelta(days=30)}).exists(), model


def test_declined_youths_are_given_to_the_partner_who_reported_them(demo):
    declined = ContactAttempt.objects.filter(outcome="reached_declines")
    assert declined.count() >= 10
    by_partner = Reapproach.objects.exclude(by_organisation__kind=OrganisationKind.MISSION_LOCALE)
    assert by_partner.filter(status=ReapproachStatus.DONE).exists()  # re-approached successfully
    for plan in by_partner.select_related("youth")[:50]:
        assert plan.youth.signals.filter(organisation=plan.by_organisation_id).exists()
    # The demo partner's « Jeunes à recontacter »: plans due today, one overdue, one to come.
    today = timezone.localdate()
    plans = list(policy.reapproaches_for(_account(Role.PARTNER_WORKER)))
    assert sum(plan.due_on == today for plan in plans) >= 2
    assert any(plan.due_on < today for plan in plans) and any(plan.due_on > today for plan in plans)
    assert len({plan.youth_id for plan in plans}) == len(plans)


def test_the_demo_partner_sees_the_youths_to_re_approach(demo, client):
    partner = _account(Role.PARTNER_WORKER)
    assert demo_login(client, partner.email)
    response = client.get(reverse("pathways:reapproach_list"))
    for plan in policy.reapproaches_for(partner).select_related("youth"):
        assertContains(response, plan.youth.display_name)


def test_some_are_lost_again_and_some_came_back(demo):
    lost = Pathway.objects.filter(exit_reason=ExitReason.LOST_AGAIN)
    assert lost.count() >= 20
    assert Pathway.objects.filter(exit_reason=ExitReason.MOVED).exists()
    assert Pathway.objects.filter(exit_reason=ExitReason.REFUSED).exists()
    back = Youth.objects.filter(pathways__events__kind=EventKind.REOPENED).distinct()
    assert back.exists()
    for youth in back:
        closed, reopened = youth.pathways.order_by("opened_at")[:2]
        assert closed.exit_reason == ExitReason.LOST_AGAIN and reopened.opened_at > closed.closed_at


def test_barriers_projects_outcomes_and_follow_ups_are_varied(demo):
    statuses = set(YouthBarrier.objects.values_list("status", flat=True))
    assert {BarrierStatus.IDENTIFIED, BarrierStatus.IN_PROGRESS, BarrierStatus.DISMISSED} <= statuses
    assert YouthBarrier.objects.filter(status=BarrierStatus.IN_PROGRESS).exclude(partner=None).exists()
    assert not YouthBarrier.objects.filter(kind="justice").exclude(detail="").exists()
    codes = set(ProfessionalProject.objects.values_list("occupation_id", flat=True))
    assert codes <= {code for code, _text, _kinds in pathways.PROJECTS} and len(codes) >= 5
    assert Outcome.objects.values("kind").distinct().count() >= 6
    today = timezone.localdate()
    assert FollowUp.objects.filter(done_on=None, due_on__lte=today).exists()
    assert FollowUp.objects.exclude(done_on=None).filter(still_there=True).exists()
    assert FollowUp.objects.exclude(done_on=None).filter(still_there=False).exclude(reason="").exists()
    assert not FollowUp.objects.filter(done_on__gt=today).exists()


def test_the_demo_counsellor_follows_a_few_dozen_youths_with_alerts_of_each_kind(demo):
    counsellor = _account(Role.COUNSELLOR)
    youths_ = list(caseload_youths(counsellor))
    assert 25 <= len(youths_) <= 80
    counts = stage_counts(caseload_youths(counsellor))
    assert all(counts[stage] for stage in [*Stage.values, EXITED]), counts
    alerts = alerts_for(counsellor, youths_)
    kinds = Counter(alert.kind for found in alerts.values() for alert in found)
    assert kinds["quiet"] >= 2 and kinds["reapproach"] >= 2 and kinds["follow_up"] >= 2, kinds
    quiet = [a.reason for found in alerts.values() for a in found if a.kind == "quiet"]
    assert all(int(reason.split()[3]) > 30 for reason in quiet), quiet  # « aucun contact depuis N jours »


def test_the_caseload_and_a_pathway_page_show_the_demo(demo, client):
    assert demo_login(client, _account(Role.COUNSELLOR).email)
    assertContains(client.get(reverse("pathways:caseload")), "aucun contact depuis")
    youth = caseload_youths(_account(Role.COUNSELLOR)).filter(stage_now=Stage.PROJECT).first()
    assert youth is not None
    assertContains(client.get(reverse("pathways:pathway", args=[youth.pk])), "Projet professionnel validé")
