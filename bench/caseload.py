"""The caseload (« Ma file active », /suivi/, issue 12) of a counsellor who follows 150 youths, in a
registry of N youths: the page's server time, against a bare logged-in page measured in the same run.

The registry is bulk-inserted: N youths spread over Mission locales of 20,000 youths, each youth with
a référent (a counsellor follows about 150), and their pathways as the services leave them: 80 % open
at a stage from 1 to 5 with the last real contact of the last four months (none for some), 10 %
closed by an exit, 10 % not opened yet; an outcome and its two follow-ups (some due) for those at
stage 5, a planned re-approach (due or not) for 3 % of open pathways. The counsellor's 150 youths are
drawn like the others, so her page shows every stage and every kind of pathway alert.

Sizes: quick 20,000, full 1,000,000 on PostgreSQL and 100,000 on SQLite; BENCH_REGISTRY_SIZE overrides.
Each page is requested 10 times to warm up, then 50 times through Django's test client (every
middleware, the session, the policy, the access log, the template); median and p95 in ms. Every
timed answer is checked: 200, « 150 jeunes », and the links of the first 25 youths in French order.
Baseline: the accessibility page, requested by the same counsellor (session, user, membership and
navigation, nothing else)."""

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways.enums import Channel, ExitReason, OutcomeKind, ReapproachStatus, Stage
from reperes.pathways.models import FollowUp, Outcome, Pathway, Reapproach
from reperes.pathways.services import FOLLOW_UP_MONTHS, add_months
from reperes.pathways.views import PAGE_SIZE
from reperes.registry.enums import BirthPrecision
from reperes.registry.models import Youth
from reperes.territory.models import Commune
from reperes.territory.services import load_reference_data

SEED = 12
WARMUP = 10
RUNS = 50
CASELOAD = 150
PER_MISSION = 20_000
BATCH = 20_000
FIRST_NAMES = ("Inès", "Lucas", "Nadia", "Karim", "Sofia", "Hugo", "Chloé", "Enzo", "Jade", "Yanis", "Léa", "Samir")
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["é", "ch", "oï", "ber"]
STAGES = (Stage.SPOTTED, Stage.MOBILISED, Stage.IN_ACTION, Stage.PROJECT, Stage.OUTCOME)
STAGE_WEIGHTS = (30, 25, 20, 13, 12)


def _ms(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def _time(request: Callable[[], Any], check: Callable[[HttpResponse], None]) -> tuple[float, float]:
    for _n in range(WARMUP):
        check(request())
    samples = []
    for _n in range(RUNS):
        started = time.perf_counter()
        response = request()
        samples.append(time.perf_counter() - started)
        check(response)  # every timed sample, outside the timing
    return _ms(samples)


def _default_size(quick: bool) -> int:
    if quick:
        return 20_000
    return 1_000_000 if connection.vendor == "postgresql" else 100_000


def _build(size: int, rng: random.Random) -> User:
    load_reference_data()
    communes = list(Commune.objects.filter(departement_id="67").values_list("pk", flat=True))
    missions = Organisation.objects.bulk_create(
        Organisation(name=f"Mission locale {n + 1} du banc d'essai", kind="mission_locale")
        for n in range(max(1, -(-size // PER_MISSION)))
    )
    partner = Organisation.objects.create(name="Association de prévention du banc d'essai", kind="association")
    counsellor = User.objects.create_user(
        email="conseillere@banc.example", password="banc-d-essai-2026", first_name="Camille", last_name="Banc"
    )
    Membership.objects.create(user=counsellor, organisation=missions[0], role=Role.COUNSELLOR)
    # Colleagues who follow the other youths, about 150 each (they never log in).
    unusable = make_password(None)
    colleagues = User.objects.bulk_create(
        User(email=f"referent-{n}@banc.example", password=unusable, first_name="Référent", last_name=str(n))
        for n in range(size // CASELOAD)
    )
    now = timezone.now()
    today = timezone.localdate()
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
                mission_locale=missions[n // PER_MISSION],
                referent=referent,
                created_at=now - timedelta(days=rng.randrange(5, 720), seconds=rng.randrange(86_400)),
            )
            youth.refresh_search_name()
            youths.append(youth)
        Youth.objects.bulk_create(youths, batch_size=5_000)
        _pathways(youths, rng, counsellor=counsellor, partner=partner)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have, long before a page is read
    return counsellor


def _pathways(youths: list[Youth], rng: random.Random, *, counsellor: User, partner: Organisation) -> None:
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


def run(*, quick: bool) -> None:
    size = int(os.environ.get("BENCH_REGISTRY_SIZE", _default_size(quick)))
    rng = random.Random(SEED)
    started = time.perf_counter()
    counsellor = _build(size, rng)
    print(
        f"Built {Youth.objects.count():,} youths in {Organisation.objects.filter(kind='mission_locale').count()} "
        f"Mission locales, {Pathway.objects.count():,} pathways, {FollowUp.objects.count():,} follow-ups, "
        f"{Reapproach.objects.count():,} re-approaches in {time.perf_counter() - started:.0f} s"
    )
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

    print(f"{'page (server time, test client)':58} {'median ms':>10} {'p95 ms':>8} {'× base':>7}")
    base = _time(lambda: client.get(reverse("web:accessibility")), bare)
    print(f"{'baseline: accessibility page, logged in':58} {base[0]:10.2f} {base[1]:8.2f} {1:7.1f}")
    for label, data, check in [
        (f"/suivi/ : {CASELOAD} youths, by name (first page)", {}, by_name),
        ("/suivi/?tri=contact : oldest contact first", {"tri": "contact"}, by_contact),
        ("/suivi/?alertes=1 : at risk only", {"alertes": "1"}, at_risk),
    ]:
        median, p95 = _time(partial(client.get, caseload_url, data), check)
        print(f"{label:58} {median:10.2f} {p95:8.2f} {median / base[0]:7.1f}")
    # Not the target: the whole Mission locale (« tous=1 »), every one of its youths read for the
    # counts and alerts (a Mission locale of PER_MISSION youths), fewer samples.
    whole = Youth.objects.filter(mission_locale=counsellor.organisation).count()
    samples = []
    for _n in range(6):
        started = time.perf_counter()
        response = client.get(caseload_url, {"tous": "1"})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.context["page"].paginator.count > CASELOAD
    label = f"/suivi/?tous=1 : whole Mission locale, {whole:,} youths (5 runs)"
    print(f"{label:58} {statistics.median(samples[1:]) * 1000:10.0f} {max(samples[1:]) * 1000:8.0f}")
    response = client.get(caseload_url, {"alertes": "1"})
    print(
        f"Registry of {size:,} youths; the counsellor's caseload: {CASELOAD} youths, "
        f"{response.context['alert_count']} at risk, stages {[n for _v, _l, n in response.context['counts']]}, "
        f"{response.context['exited_count']} exited"
    )
