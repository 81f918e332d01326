from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from reperes.demo import campaigns, youths
from reperes.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.programme.enums import CampaignStatus
from reperes.programme.models import Campaign
from reperes.programme.selectors import identified_counts
from reperes.registry.enums import BirthPrecision, SignalStatus, YouthStatus
from reperes.registry.models import Merge, Signal, Youth, age_on
from reperes.territory.models import Commune, Territory

pytestmark = pytest.mark.django_db


def _counts():
    models = (Organisation, User, Membership, Territory, Campaign, Youth, Signal, Merge)
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
        assert client.login(username=account["email"], password=DEMO_PASSWORD), account["email"]
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
