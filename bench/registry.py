"""The registry as the web app serves it: « peut-être déjà connu » against N registered youths
through the indexed YouthMatchKey table, a 5,000-line list checked and imported, and the nightly
duplicate sweep of one Mission locale.

People come from the engine's synthetic generator (reperes.matching.synthetic: French names with
their frequencies, twins and siblings, noisy copies). The youths are bulk-inserted with their
blocking keys; their commune is the real commune of the generated postcode. Sizes: quick 20,000,
full 100,000; BENCH_REGISTRY_SIZE overrides (e.g. 1000000). Baselines, measured in the same run:
fetching one youth by primary key (the cheapest read a page makes) and a bare Django request.
"""

import csv
import io
import os
import random
import resource
import statistics
import time
from collections.abc import Callable

from django.test import Client, override_settings
from django.urls import reverse

from reperes.matching import blocking_keys
from reperes.matching.synthetic import noisy_copy, population, queries
from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.registry.enums import BirthPrecision, SignalConsent
from reperes.registry.identity import find_known, record_of
from reperes.registry.imports import services as imports
from reperes.registry.models import ListImport, Youth, YouthMatchKey
from reperes.registry.review import sweep_duplicates
from reperes.territory.models import Commune, Territory
from reperes.territory.services import load_reference_data

SEED = 4
WARMUP = 20
RUNS = 300
LIST_ROWS = 5_000
SWEPT = 5_000  # records of the Mission locale the sweep goes through (a large Mission locale)


def _ms(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def _time(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    for _n in range(WARMUP):
        fn()
    samples = []
    for _n in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return _ms(samples)


def _build(size: int) -> tuple[Organisation, User, list]:
    load_reference_data()
    communes = {}
    for commune in Commune.objects.current().only("code", "name", "postcodes"):
        for postcode in commune.postcode_list:
            communes.setdefault(postcode, commune)
    territory = Territory.objects.create(name="Bas-Rhin")
    territory.communes.set(Commune.objects.filter(departement_id="67"))
    mission = Organisation.objects.create(
        name="Mission locale du banc d'essai", kind="mission_locale", territory=territory
    )
    user = User.objects.create_user(email="bench@reperes.example", password="banc-d-essai-2026")
    Membership.objects.create(user=user, organisation=mission, role=Role.COUNSELLOR)
    people = population(size, seed=SEED)
    batch = 20_000
    for start in range(0, size, batch):
        youths = []
        for record in people[start : start + batch]:
            youth = Youth(
                first_names=record.first_name,
                last_name=record.birth_name or record.last_name,
                usage_name=record.last_name if record.birth_name else "",
                sex=record.sex.lower(),
                birth_date=record.birth_date,
                birth_precision=BirthPrecision.DAY,
                commune=communes.get(record.postcode),
                mission_locale=mission,
            )
            youth.refresh_search_name()
            youths.append(youth)
        Youth.objects.bulk_create(youths, batch_size=2_000)
        keys = [YouthMatchKey(youth=y, key=k) for y in youths for k in set(blocking_keys(record_of(y)))]
        YouthMatchKey.objects.bulk_create(keys, batch_size=5_000)
    return mission, user, people


def _list_file(people: list, rng: random.Random) -> bytes:
    """A dropout list: 10 % youths already registered (as another source writes them), the rest new."""
    newcomers = population(LIST_ROWS, seed=SEED + 1)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Nom", "Prénom", "Date de naissance", "Sexe", "Commune"])
    for n in range(LIST_ROWS):
        record = noisy_copy(rng, rng.choice(people), f"l{n}") if n % 10 == 0 else newcomers[n]
        born = record.birth_date
        born_text = born.strftime("%d/%m/%Y") if hasattr(born, "strftime") else ""
        writer.writerow([record.last_name, record.first_name, born_text, record.sex, "Saverne"])
    return out.getvalue().encode()


def _check(user: User, content: bytes, name: str) -> tuple[ListImport, float]:
    started = time.perf_counter()
    list_import = imports.upload_list(user=user, file_name=name, content=content, kind="dropout")
    imports.set_mapping(list_import, list_import.mapping)
    imports.run_check(list_import)
    return list_import, time.perf_counter() - started


def run(*, quick: bool) -> None:
    # The benchmark runs under the test settings; the web app caches the registry size (identity.py).
    with override_settings(REPERES_POPULATION_CACHE_SECONDS=300):
        _run(quick)


def _run(quick: bool) -> None:
    size = int(os.environ.get("BENCH_REGISTRY_SIZE", 20_000 if quick else 100_000))
    started = time.perf_counter()
    mission, user, people = _build(size)
    print(
        f"Built {Youth.objects.count():,} youths and {YouthMatchKey.objects.count():,} blocking keys "
        f"in {time.perf_counter() - started:.0f} s"
    )
    rng = random.Random(SEED)
    incoming = [record for record, _truth in queries(people, WARMUP + RUNS, seed=SEED + 2)]
    ids = list(Youth.objects.values_list("pk", flat=True)[:1000])
    cycle = iter(range(10**9))

    def by_pk() -> object:
        return Youth.objects.select_related("commune").get(pk=ids[next(cycle) % len(ids)])

    def known() -> object:
        return find_known(incoming[next(cycle) % len(incoming)])

    client = Client()
    client.force_login(user)
    url = reverse("registry:signal_known")

    def request() -> object:
        record = incoming[next(cycle) % len(incoming)]
        data = {"first_name": record.first_name, "last_name": record.last_name, "commune": "67437"}
        data["consent"] = SignalConsent.CONTACT
        if hasattr(record.birth_date, "isoformat"):
            data["birth_date"] = record.birth_date.isoformat()  # type: ignore[union-attr]
        return client.post(url, data, HTTP_HX_REQUEST="true")

    def bare_request() -> object:
        return client.get(reverse("web:legal_notice"))

    print(f"{'case':58} {'median ms':>10} {'p95 ms':>8} {'× base':>7}")
    base = _time(by_pk)
    print(f"{'baseline: one youth by primary key':58} {base[0]:10.2f} {base[1]:8.2f} {1:7.1f}")
    for label, fn in [("find_known (engine + indexed keys)", known)]:
        median, p95 = _time(fn)
        print(f"{label:58} {median:10.2f} {p95:8.2f} {median / base[0]:7.1f}")
    web_base = _time(bare_request, runs=100)
    print(f"{'baseline: a bare page (legal notice), full request':58} {web_base[0]:10.2f} {web_base[1]:8.2f} {1:7.1f}")
    median, p95 = _time(request, runs=200)
    label = "POST « déjà connu ? » (form, engine, policy, log, render)"
    print(f"{label:58} {median:10.2f} {p95:8.2f} {median / web_base[0]:7.1f}")
    print(f"Peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    content = _list_file(people, rng)
    list_import, checked = _check(user, content, "liste.csv")
    bad = {error["line"] for error in list_import.report.get("errors", [])}
    print(
        f"List of {LIST_ROWS:,} lines, check: {checked:.1f} s ({LIST_ROWS / checked:,.0f} lines/s), "
        f"{len(bad)} bad lines"
    )
    if bad:  # as the counsellor would: correct the file (here, drop the bad lines) and upload it again
        lines = content.decode().splitlines(keepends=True)
        content = "".join(line for n, line in enumerate(lines, start=1) if n not in bad).encode()
        list_import, checked = _check(user, content, "liste-corrigee.csv")
    started = time.perf_counter()
    imports.start_import(list_import)
    imports.run_import(list_import, user=user)
    imported = time.perf_counter() - started
    rows = list_import.row_count
    print(
        f"Corrected list of {rows:,} lines: check {checked:.1f} s, import {imported:.1f} s "
        f"({rows / imported:,.0f} lines/s); {list_import.report.get('counts')}"
    )

    swept = Organisation.objects.create(name="Mission locale balayée", kind="mission_locale")
    Youth.objects.filter(pk__in=list(Youth.objects.order_by("pk").values_list("pk", flat=True)[:SWEPT])).update(
        mission_locale=swept
    )
    started = time.perf_counter()
    found = sweep_duplicates(swept)
    print(f"Sweep of {SWEPT:,} records of one Mission locale: {time.perf_counter() - started:.1f} s, {found} pairs")
