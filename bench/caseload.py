"""The caseload (« Ma file active », /suivi/, issue 12) of a counsellor who follows 150 youths, in a
registry of N youths, and the whole Mission locale's (`?tous=1`, `?tous=1&alertes=1`) for a Mission
locale of 20,000 youths and for one of 100,000: the pages' server time, against a bare logged-in page
measured in the same run.

The registry is bulk-inserted: N youths spread over Mission locales of 20,000 youths, each youth with
a référent (a counsellor follows about 150), and their pathways as the services leave them: 80 % open
at a stage from 1 to 5 with the last real contact of the last four months (none for some), 10 %
closed by an exit, 10 % not opened yet; an outcome and its two follow-ups (some due) for those at
stage 5, a planned re-approach (due or not) for 3 % of open pathways; 15 % of the open pathways at
stages 2–4 enrolled in one of their Mission locale's actions (one action per 500 youths, weekly
sessions) with the last 2–6 sessions' attendance recorded (70 % present, 20 % absent, 10 % excused),
and 10 % of open pathways with one or two referrals to a partner (a fifth of them expired
unanswered). The counsellor's 150 youths are drawn like the others, so her page shows every stage
and every kind of alert. From 200,000 youths on, the last 100,000 form one Mission locale (a big
city's), whose counsellor times its whole Mission locale too.

Sizes: quick 20,000, full 1,000,000 on PostgreSQL and 100,000 on SQLite; BENCH_REGISTRY_SIZE overrides.
Each page is requested 10 times to warm up, then 50 times through Django's test client (every
middleware, the session, the policy, the access log, the template); median and p95 in ms. Every
timed answer is checked: 200, « 150 jeunes », and the links of the first 25 youths in French order;
a whole Mission locale's page: its number of youths (or of youths at risk), 25 rows, and a warning
on every row of the « à risque » page. The whole Mission locale's pages are requested 3 times to
warm up, then BENCH_WHOLE_RUNS times (30 by default; fewer for code that reads every youth).
Baseline: the accessibility page, requested by the same counsellor (session, user, membership and
navigation, nothing else)."""

import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reperes.mobilisation.enums import ActionFormat, ActionKind, AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways.enums import Channel, ExitReason, OutcomeKind, ReapproachStatus, Stage
from reperes.pathways.models import FollowUp, Outcome, Pathway, Reapproach
from reperes.pathways.selectors import alerts_for, caseload_youths
from reperes.pathways.services import FOLLOW_UP_MONTHS, add_months
from reperes.pathways.views import PAGE_SIZE
from reperes.referrals.enums import ReferralStatus
from reperes.referrals.models import Referral
from reperes.registry.enums import BirthPrecision
from reperes.registry.models import Youth
from reperes.territory.models import Commune
from reperes.territory.services import load_reference_data

SEED = 12
WARMUP = 10
RUNS = 50
WHOLE_WARMUP = 3
CASELOAD = 150
PER_MISSION = 20_000
BIG_MISSION = 100_000  # the last youths' Mission locale, from BIG_FROM youths on
BIG_FROM = 200_000
BATCH = 20_000
YOUTHS_PER_ACTION = 500
SESSIONS = 6  # weekly, the last one yesterday
FIRST_NAMES = ("Inès", "Lucas", "Nadia", "Karim", "Sofia", "Hugo", "Chloé", "Enzo", "Jade", "Yanis", "Léa", "Samir")
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["é", "ch", "oï", "ber"]
STAGES = (Stage.SPOTTED, Stage.MOBILISED, Stage.IN_ACTION, Stage.PROJECT, Stage.OUTCOME)
STAGE_WEIGHTS = (30, 25, 20, 13, 12)
ATTENDANCES = (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
ATTENDANCE_WEIGHTS = (70, 20, 10)
REFERRAL_STATUSES = (
    ReferralStatus.SENT,
    ReferralStatus.RECEIVED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.DONE,
    ReferralStatus.EXPIRED,
)
REFERRAL_WEIGHTS = (20, 10, 25, 15, 10, 20)


def _ms(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def _time(
    request: Callable[[], Any], check: Callable[[HttpResponse], None], warmup: int = WARMUP, runs: int = RUNS
) -> tuple[float, float]:
    for _n in range(warmup):
        check(request())
    samples = []
    for _n in range(runs):
        started = time.perf_counter()
        response = request()
        samples.append(time.perf_counter() - started)
        check(response)  # every timed sample, outside the timing
    return _ms(samples)


def _default_size(quick: bool) -> int:
    if quick:
        return 20_000
    return 1_000_000 if connection.vendor == "postgresql" else 100_000


def _missions(size: int) -> tuple[list[Organisation], Organisation | None]:
    """Mission locales of PER_MISSION youths, and from BIG_FROM youths on one of BIG_MISSION for the
    last youths (None below)."""
    big = BIG_MISSION if size >= BIG_FROM else 0
    missions = Organisation.objects.bulk_create(
        Organisation(name=f"Mission locale {n + 1} du banc d'essai", kind="mission_locale")
        for n in range(max(1, -(-(size - big) // PER_MISSION)))
    )
    if not big:
        return missions, None
    return missions, Organisation.objects.create(name="Grande Mission locale du banc d'essai", kind="mission_locale")


def _actions(
    missions: list[Organisation], sizes: Counter[int], counsellor: User, commune: str
) -> dict[int, list[int]]:
    """Each Mission locale's actions (one per YOUTHS_PER_ACTION youths), with SESSIONS weekly past
    sessions each; Mission locale pk -> the actions' pks."""
    today = timezone.localdate()
    actions = Action.objects.bulk_create(
        Action(
            title=f"Atelier {n + 1} de {mission.pk}",
            kind=ActionKind.WORKSHOP,
            format=ActionFormat.COLLECTIVE,
            objectives="Remobiliser",
            mission_locale=mission,
            commune_id=commune,
            starts_on=today - timedelta(days=7 * SESSIONS + 7),
            ends_on=today + timedelta(days=60),
            capacity=YOUTHS_PER_ACTION,
            cost=Decimal(0),
            created_by=counsellor,
            updated_by=counsellor,
        )
        for mission in missions
        for n in range(max(1, sizes[mission.pk] // YOUTHS_PER_ACTION))
    )
    now = timezone.now()
    Session.objects.bulk_create(
        (
            Session(
                action=action, starts_at=now - timedelta(days=1 + 7 * k), duration_minutes=120, created_by=counsellor
            )
            for action in actions
            for k in range(SESSIONS)
        ),
        batch_size=5_000,
    )
    by_mission: dict[int, list[int]] = {}
    for action in actions:
        by_mission.setdefault(action.mission_locale_id, []).append(action.pk)
    return by_mission


def _build(size: int, rng: random.Random) -> tuple[User, User | None]:
    load_reference_data()
    communes = list(Commune.objects.filter(departement_id="67").values_list("pk", flat=True))
    missions, big = _missions(size)
    partner = Organisation.objects.create(name="Association de prévention du banc d'essai", kind="association")
    counsellor = User.objects.create_user(
        email="conseillere@banc.example", password="banc-d-essai-2026", first_name="Camille", last_name="Banc"
    )
    Membership.objects.create(user=counsellor, organisation=missions[0], role=Role.COUNSELLOR)
    big_counsellor = None
    if big is not None:
        big_counsellor = User.objects.create_user(
            email="conseiller@grande.example", password="banc-d-essai-2026", first_name="Dominique", last_name="Grand"
        )
        Membership.objects.create(user=big_counsellor, organisation=big, role=Role.COUNSELLOR)

    def mission_of(n: int) -> Organisation:
        if big is not None and n >= size - BIG_MISSION:
            return big
        return missions[n // PER_MISSION]

    sizes = Counter(mission_of(n).pk for n in range(size))
    actions = _actions([*missions, *([big] if big else [])], sizes, counsellor, communes[0])
    # Colleagues who follow the other youths, about 150 each (they never log in).
    unusable = make_password(None)
    colleagues = User.objects.bulk_create(
        User(email=f"referent-{n}@banc.example", password=unusable, first_name="Référent", last_name=str(n))
        for n in range(size // CASELOAD)
    )
    now = timezone.now()
    today = timezone.localdate()
    # The attendances and referrals draw from their own generator: the youths and pathways are those
    # of the earlier runs of this benchmark.
    extra = random.Random(SEED + 1)
    for start in range(0, size, BATCH):
        youths = []
        for n in range(start, min(start + BATCH, size)):
            referent = counsellor if n < CASELOAD else colleagues[(n - CASELOAD) // CASELOAD % len(colleagues)]
            youth = Youth(
                first_names=FIRST_NAMES[rng.randrange(len(FIRST_NAMES))],
                last_name="".join(rng.choice(SYLLABLES) for _s in range(rng.randint(2, 4))).capitalize(),
                birth_date=today - timedelta(days=16 * 365 + rng.randrange(9 * 365)),
                birth_precision=BirthPrecision.DAY,
                commune_id=communes[n % len(communes)],
                mission_locale=mission_of(n),
                referent=referent,
                created_at=now - timedelta(days=rng.randrange(5, 720), seconds=rng.randrange(86_400)),
            )
            youth.refresh_search_name()
            youths.append(youth)
        Youth.objects.bulk_create(youths, batch_size=5_000)
        pathways = _pathways(youths, rng, counsellor=counsellor, partner=partner)
        _attendances(pathways, extra, actions=actions, counsellor=counsellor, recorder=missions[0])
        _referrals(pathways, extra, counsellor=counsellor, partner=partner)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have, long before a page is read
    return counsellor, big_counsellor


def _pathways(youths: list[Youth], rng: random.Random, *, counsellor: User, partner: Organisation) -> list[Pathway]:
    now = timezone.now()
    today = timezone.localdate()
    pathways = []
    for youth in youths:
        draw = rng.random()
        if draw < 0.10:
            continue  # reported, nothing recorded yet: no pathway
        stage = rng.choices(STAGES, STAGE_WEIGHTS)[0] if draw >= 0.20 else rng.choice(STAGES[:3])
        contact = None if stage == Stage.SPOTTED and rng.random() < 0.5 else now - timedelta(days=rng.randrange(120))
        pathways.append(
            Pathway(
                youth=youth,
                opened_at=youth.created_at,
                opened_by=counsellor,
                stage=stage,
                stage_since=max(youth.created_at, now - timedelta(days=rng.randrange(200))),
                last_contact_at=contact,
                closed_at=now - timedelta(days=rng.randrange(300)) if draw < 0.20 else None,
                exit_reason=rng.choice(ExitReason.values) if draw < 0.20 else "",
                version=stage,
            )
        )
    Pathway.objects.bulk_create(pathways, batch_size=5_000)
    outcomes, plans = [], []
    for pathway in pathways:
        if pathway.stage == Stage.OUTCOME:
            outcomes.append(
                Outcome(
                    pathway=pathway,
                    kind=rng.choice(OutcomeKind.values),
                    starts_on=today - timedelta(days=rng.randrange(240)),
                    recorded_by=counsellor,
                )
            )
        elif pathway.closed_at is None and rng.random() < 0.03:
            plans.append(
                Reapproach(
                    youth_id=pathway.youth_id,
                    pathway=pathway,
                    due_on=today + timedelta(days=rng.randrange(-30, 60)),
                    by_organisation=partner,
                    how=Channel.STREET,
                    status=ReapproachStatus.PLANNED,
                    created_by=counsellor,
                )
            )
    Outcome.objects.bulk_create(outcomes, batch_size=5_000)
    follow_ups = [
        FollowUp(
            outcome=outcome,
            months=months,
            due_on=(due := add_months(outcome.starts_on, months)),
            done_on=due if due < today and rng.random() < 0.6 else None,
            still_there=True if due < today else None,
        )
        for outcome in outcomes
        for months in FOLLOW_UP_MONTHS
    ]
    FollowUp.objects.bulk_create(follow_ups, batch_size=5_000)
    Reapproach.objects.bulk_create(plans, batch_size=5_000)
    return pathways


def _attendances(
    pathways: list[Pathway],
    rng: random.Random,
    *,
    actions: dict[int, list[int]],
    counsellor: User,
    recorder: Organisation,
) -> None:
    """15 % of the open pathways at stages 2–4 enrolled in an action of their Mission locale, with the
    attendance of its last 2–6 sessions recorded."""
    enrolments = [
        Enrolment(
            action_id=rng.choice(actions[pathway.youth.mission_locale_id]),
            youth_id=pathway.youth_id,
            enrolled_by=counsellor,
        )
        for pathway in pathways
        if pathway.closed_at is None
        and pathway.stage in (Stage.MOBILISED, Stage.IN_ACTION, Stage.PROJECT)
        and rng.random() < 0.15
    ]
    Enrolment.objects.bulk_create(enrolments, batch_size=5_000)
    sessions: dict[int, list[int]] = {}
    for action_id, session_id in (
        Session.objects.filter(action_id__in={e.action_id for e in enrolments})
        .order_by("action_id", "-starts_at")
        .values_list("action_id", "pk")
    ):
        sessions.setdefault(action_id, []).append(session_id)  # the latest first
    Attendance.objects.bulk_create(
        (
            Attendance(
                session_id=session_id,
                enrolment=enrolment,
                status=rng.choices(ATTENDANCES, ATTENDANCE_WEIGHTS)[0],
                recorded_by=counsellor,
                organisation=recorder,
            )
            for enrolment in enrolments
            for session_id in sessions[enrolment.action_id][: rng.randint(2, SESSIONS)]
        ),
        batch_size=5_000,
    )


def _referrals(pathways: list[Pathway], rng: random.Random, *, counsellor: User, partner: Organisation) -> None:
    """10 % of the open pathways with one or two referrals to the partner, the second sent later."""
    now = timezone.now()
    referrals = []
    for pathway in pathways:
        if pathway.closed_at is not None or rng.random() >= 0.10:
            continue
        sent_at = now - timedelta(days=rng.randrange(30, 120))
        for _n in range(rng.choice((1, 1, 2))):
            status = rng.choices(REFERRAL_STATUSES, REFERRAL_WEIGHTS)[0]
            referrals.append(
                Referral(
                    youth_id=pathway.youth_id,
                    from_user=counsellor,
                    from_organisation_id=pathway.youth.mission_locale_id,
                    to_organisation=partner,
                    reason="Accompagnement vers l'emploi",
                    status=status,
                    sent_at=sent_at,
                    expires_on=sent_at.date() + timedelta(days=21),
                )
            )
            sent_at += timedelta(days=rng.randrange(1, 25))
    Referral.objects.bulk_create(referrals, batch_size=5_000)


def _alerts_in_python(user: User) -> Counter[str]:
    """The whole Mission locale's alerts as `alerts_for` details them for a page, 500 youths at a
    time (not timed): youths at risk (« youths ») and alerts of each kind, to check the page's count."""
    youths = caseload_youths(user, mine_only=False)
    kinds: Counter[str] = Counter()
    ids = list(youths.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        found = alerts_for(user, list(youths.filter(pk__in=ids[start : start + 500])))
        kinds["youths"] += sum(1 for alerts in found.values() if alerts)
        kinds.update(alert.kind for alerts in found.values() for alert in alerts)
    return kinds


def run(*, quick: bool) -> None:
    size = int(os.environ.get("BENCH_REGISTRY_SIZE", _default_size(quick)))
    whole_runs = int(os.environ.get("BENCH_WHOLE_RUNS", 30))
    rng = random.Random(SEED)
    started = time.perf_counter()
    counsellor, big_counsellor = _build(size, rng)
    print(
        f"Built {Youth.objects.count():,} youths in {Organisation.objects.filter(kind='mission_locale').count()} "
        f"Mission locales, {Pathway.objects.count():,} pathways, {FollowUp.objects.count():,} follow-ups, "
        f"{Reapproach.objects.count():,} re-approaches, {Enrolment.objects.count():,} enrolments, "
        f"{Attendance.objects.count():,} attendances, {Referral.objects.count():,} referrals "
        f"in {time.perf_counter() - started:.0f} s"
    )
    measure(counsellor, big_counsellor, size=size, whole_runs=whole_runs)


def measure(counsellor: User, big_counsellor: User | None, *, size: int, whole_runs: int) -> None:
    """Time the pages on the registry `_build` made (or made before, in a database kept)."""
    mine = Youth.objects.filter(referent=counsellor)
    assert mine.count() == CASELOAD
    first_page = [
        reverse("pathways:pathway", args=[pk])
        for pk in mine.order_by("sort_name", "pk")[:PAGE_SIZE].values_list("pk", flat=True)
    ]

    client = Client()
    client.force_login(counsellor)
    caseload_url = reverse("pathways:caseload")

    def bare(response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code

    def listed(response: HttpResponse) -> str:
        assert response.status_code == 200, response.status_code
        content = response.content.decode()
        assert "Ma file active" in content, "not the caseload"
        return content

    def by_name(response: HttpResponse) -> None:
        content = listed(response)
        assert f"{CASELOAD} jeunes" in content, "not the 150-youth caseload"
        assert all(f'href="{url}"' in content for url in first_page), "not the caseload's first page"
        # The rows come in French order, the first page's first youth first.
        assert content.index(f'href="{first_page[0]}"') < content.index(f'href="{first_page[-1]}"')

    def by_contact(response: HttpResponse) -> None:
        content = listed(response)
        assert f"{CASELOAD} jeunes" in content and content.count('class="card mb-2"') == PAGE_SIZE

    def at_risk(response: HttpResponse) -> None:
        content = listed(response)
        assert content.count('class="card mb-2"') > 0 and "à risque" in content

    print(f"{'page (server time, test client)':62} {'median ms':>10} {'p95 ms':>8} {'× base':>7}")
    base = _time(lambda: client.get(reverse("web:accessibility")), bare)
    print(f"{'baseline: accessibility page, logged in':62} {base[0]:10.2f} {base[1]:8.2f} {1:7.1f}")
    for label, data, check in [
        (f"/suivi/ : {CASELOAD} youths, by name (first page)", {}, by_name),
        ("/suivi/?tri=contact : oldest contact first", {"tri": "contact"}, by_contact),
        ("/suivi/?alertes=1 : at risk only", {"alertes": "1"}, at_risk),
    ]:
        median, p95 = _time(partial(client.get, caseload_url, data), check)
        print(f"{label:62} {median:10.2f} {p95:8.2f} {median / base[0]:7.1f}")
    response = client.get(caseload_url, {"alertes": "1"})
    print(
        f"Registry of {size:,} youths; the counsellor's caseload: {CASELOAD} youths, "
        f"{response.context['alert_count']} at risk, stages {[n for _v, _l, n in response.context['counts']]}, "
        f"{response.context['exited_count']} exited"
    )

    # The whole Mission locale (« tous=1 »): of PER_MISSION youths, and of BIG_MISSION from BIG_FROM on.
    # On PostgreSQL, again with JIT compilation off (`jit = off`, as many servers of web apps run).
    for user in [counsellor, *([big_counsellor] if big_counsellor else [])]:
        client.force_login(user)
        whole = Youth.objects.filter(mission_locale=user.organisation).count()
        expected = _alerts_in_python(user)
        print(f"Whole Mission locale of {whole:,} youths: {dict(expected)} (alerts_for, 500 youths at a time)")
        _time_whole_mission(client, whole, expected["youths"], base=base[0], runs=whole_runs)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
            _time_whole_mission(client, whole, expected["youths"], base=base[0], runs=whole_runs, note=" (jit off)")
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")


def _time_whole_mission(client: Client, whole: int, at_risk: int, *, base: float, runs: int, note: str = "") -> None:
    def everyone(response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code
        assert response.context["page"].paginator.count == whole, response.context["page"].paginator.count
        assert response.content.decode().count('class="card mb-2"') == PAGE_SIZE

    def at_risk_everywhere(response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code
        assert response.context["alert_count"] == at_risk, (response.context["alert_count"], at_risk)
        assert response.context["page"].paginator.count == at_risk
        content = response.content.decode()
        assert content.count('class="card mb-2"') == PAGE_SIZE
        assert content.count('<span class="badge text-bg-warning">') >= PAGE_SIZE  # each row warned

    url = reverse("pathways:caseload")
    for label, data, check in [
        (f"/suivi/?tous=1 : whole Mission locale, {whole:,} youths{note}", {"tous": "1"}, everyone),
        (
            f"/suivi/?tous=1&alertes=1 : its {at_risk:,} at risk{note}",
            {"tous": "1", "alertes": "1"},
            at_risk_everywhere,
        ),
    ]:
        median, p95 = _time(partial(client.get, url, data), check, WHOLE_WARMUP, runs)
        print(f"{label:62} {median:10.2f} {p95:8.2f} {median / base:7.1f}")
