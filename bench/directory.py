"""Directory search over 10,000 services (issue 3: « answers in well under 100 ms on PostgreSQL »).

Builds, in the benchmark database, the real reference data (communes, data·inclusion vocabularies)
and a synthetic mesh: ~2,000 organisations of mixed kinds, each serving a territory of 20–200 real
communes taken in a run of neighbouring communes (same arrondissement, same EPCI), most of them in a
few départements around Saverne; 10,000 services with 1–3 real themes, some listing their own
communes. Everything is seeded: two runs build the same data.

Each case is timed as the directory page runs it (reperes.network.views.directory): the queryset of
search_services, counted by the Paginator, then its first page of 20 evaluated with its prefetch.
The baseline, measured in the same run, is the same pair of queries without any filter:
Service.objects.count() and list(Service.objects.all()[:20]).
"""

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from reperes.network.enums import NON_PARTNER_KINDS, OrganisationKind, Vocabulary
from reperes.network.models import Organisation, Service, Term
from reperes.network.selectors import coverage_of, search_services
from reperes.network.services import load_vocabularies
from reperes.territory.models import Commune, Territory
from reperes.territory.services import load_reference_data
from reperes.territory.text import fold

SEED = 20260
BUDGET_MS = 100.0
WARMUP = 5
RUNS = 50
COVERAGE_BUDGET_S = 15.0  # coverage_of stops sampling after this (at least 3 runs)
PAGE_SIZE = 20  # reperes.network.views.PAGE_SIZE

SAVERNE = "67437"
# Where most partners are: Bas-Rhin (Saverne), Haut-Rhin, Moselle, Meurthe-et-Moselle, Vosges.
MAIN_DEPARTEMENTS = ["67", "67", "68", "57", "54", "88"]
SHARE_IN_MAIN = 0.85
SHARE_WITHOUT_AREA = 0.05
SHARE_LISTING_COMMUNES = 0.2

# What each kind of partner mostly offers (data·inclusion categories); anything else now and then.
KIND_CATEGORIES: dict[str, list[str]] = {
    OrganisationKind.MISSION_LOCALE: ["trouver-un-emploi", "choisir-un-metier", "se-former", "mobilite"],
    OrganisationKind.PREVENTION: ["remobilisation", "famille", "difficultes-administratives-ou-juridiques"],
    OrganisationKind.PJJ: ["difficultes-administratives-ou-juridiques", "remobilisation"],
    OrganisationKind.SPIP: ["difficultes-administratives-ou-juridiques", "trouver-un-emploi"],
    OrganisationKind.CCAS: ["difficultes-financieres", "logement-hebergement", "equipement-et-alimentation"],
    OrganisationKind.SOCIAL_CENTRE: ["remobilisation", "famille", "numerique", "lecture-ecriture-calcul"],
    OrganisationKind.CSAPA: ["sante"],
    OrganisationKind.HEALTH: ["sante", "famille"],
    OrganisationKind.HOUSING: ["logement-hebergement", "difficultes-financieres"],
    OrganisationKind.SPORT_CULTURE: ["remobilisation"],
    OrganisationKind.TRAINING: ["se-former", "lecture-ecriture-calcul", "preparer-sa-candidature"],
    OrganisationKind.E2C: ["se-former", "choisir-un-metier"],
    OrganisationKind.EPIDE: ["se-former", "trouver-un-emploi", "remobilisation"],
    OrganisationKind.FRANCE_TRAVAIL: ["trouver-un-emploi", "preparer-sa-candidature", "creer-une-entreprise"],
    OrganisationKind.SCHOOL: ["se-former", "choisir-un-metier"],
    OrganisationKind.EMPLOYER: ["trouver-un-emploi"],
    OrganisationKind.OTHER_PARTNER: ["mobilite", "numerique", "souvrir-a-linternational"],
}
KIND_PREFIX: dict[str, str] = {
    OrganisationKind.MISSION_LOCALE: "Mission locale",
    OrganisationKind.PREVENTION: "Prévention spécialisée",
    OrganisationKind.PJJ: "UEMO PJJ",
    OrganisationKind.SPIP: "SPIP",
    OrganisationKind.CCAS: "CCAS",
    OrganisationKind.SOCIAL_CENTRE: "Centre social",
    OrganisationKind.CSAPA: "CSAPA",
    OrganisationKind.HEALTH: "Maison des adolescents",
    OrganisationKind.HOUSING: "Foyer de jeunes travailleurs",
    OrganisationKind.SPORT_CULTURE: "Association",
    OrganisationKind.TRAINING: "Organisme de formation",
    OrganisationKind.E2C: "École de la 2e chance",
    OrganisationKind.EPIDE: "EPIDE",
    OrganisationKind.FRANCE_TRAVAIL: "France Travail",
    OrganisationKind.SCHOOL: "Collège",
    OrganisationKind.EMPLOYER: "Entreprise",
    OrganisationKind.OTHER_PARTNER: "Plateforme",
}
SERVICE_WORDS = [
    "Accompagnement",
    "Atelier",
    "Permanence",
    "Accueil",
    "Aide",
    "Consultation",
    "Parcours",
    "Point",
    "Dispositif",
    "Programme",
]
SENTENCES = [
    "Accompagnement individuel des jeunes de 16 à 25 ans.",
    "Accueil sans rendez-vous du lundi au vendredi.",
    "Aide à la recherche d'un logement ou d'un hébergement d'urgence.",
    "Ateliers collectifs de remobilisation et de confiance en soi.",
    "Permanence d'accès aux droits et aide aux démarches administratives.",
    "Aide financière ponctuelle pour le permis de conduire.",
    "Écoute, orientation et suivi en santé mentale.",
    "Préparation aux entretiens d'embauche et rédaction de CV.",
    "Remise à niveau en français et en mathématiques.",
    "Prêt de scooters et location de vélos à bas prix.",
    "Médiation familiale et soutien à la parentalité.",
    "Découverte des métiers en entreprise, stages d'immersion.",
    "Accès à un ordinateur et accompagnement numérique.",
    "Hébergement temporaire en chambre meublée, accompagnement social.",
]


@dataclass
class Timing:
    median: float
    p95: float

    @classmethod
    def of(cls, samples: list[float]) -> "Timing":
        ordered = sorted(samples)
        rank = max(0, -(-len(ordered) * 95 // 100) - 1)  # nearest-rank 95th percentile
        return cls(statistics.median(ordered), ordered[rank])


def measure(
    fn: Callable[[], object], runs: int = RUNS, warmup: int = WARMUP, budget_s: float | None = None
) -> tuple[Timing, int]:
    """Median and p95 of `runs` calls after `warmup` ones; with a budget, stops once it is spent
    (but not before 3 runs), so that a slow case cannot take the benchmark past a few minutes."""
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    started = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        if budget_s is not None and len(samples) >= 3 and time.perf_counter() - started > budget_s:
            break
    return Timing.of(samples), len(samples)


# --------------------------------------------------------------------------------------------------
# Data


def _neighbours(departement: str | None = None) -> dict[str, list[str]]:
    """Commune codes per département, neighbours next to each other (arrondissement, EPCI, code).
    Sorted in Python: the databases do not put NULL EPCI at the same end."""
    rows = Commune.objects.current().values_list("departement", "arrondissement", "epci", "code")
    if departement:
        rows = rows.filter(departement=departement)
    by_dep: dict[str, list[str]] = {}
    for dep, _arr, _epci, code in sorted(rows, key=lambda r: (r[0], r[1], r[2] or "", r[3])):
        by_dep.setdefault(dep, []).append(code)
    return by_dep


def _pick_area(rng: random.Random, codes: list[str]) -> list[str]:
    size = min(len(codes), rng.randint(20, 200))
    start = rng.randrange(len(codes))
    return [codes[(start + i) % len(codes)] for i in range(size)]


def build(services: int, organisations: int) -> None:
    """Reference data, then the synthetic mesh, bulk-created."""
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    load_reference_data()
    load_vocabularies()

    by_dep = _neighbours()
    other_deps = [d for d in by_dep if d not in MAIN_DEPARTEMENTS and len(by_dep[d]) >= 20]
    names = {c: n for c, n in Commune.objects.values_list("code", "name")}
    themes = list(Term.objects.filter(vocabulary=Vocabulary.THEME).exclude(category=""))
    themes_by_category: dict[str, list[Term]] = {}
    for term in themes:
        themes_by_category.setdefault(term.category, []).append(term)
    categories = sorted(themes_by_category)
    publics = list(Term.objects.filter(vocabulary=Vocabulary.PUBLIC))
    youth = next(t for t in publics if t.code == "jeunes")
    types = list(Term.objects.filter(vocabulary=Vocabulary.SERVICE_TYPE))
    kinds = [k for k in OrganisationKind.values if k not in NON_PARTNER_KINDS] + [OrganisationKind.MISSION_LOCALE]
    today = timezone.localdate()

    with transaction.atomic():
        # Organisations, each with its own area (a few have none).
        areas: list[list[str]] = []
        departements: list[str] = []
        orgs: list[Organisation] = []
        seen: set[tuple[str, str]] = set()
        for i in range(organisations):
            dep = rng.choice(MAIN_DEPARTEMENTS) if rng.random() < SHARE_IN_MAIN else rng.choice(other_deps)
            area = _pick_area(rng, by_dep[dep])
            seat = area[len(area) // 2]
            kind = rng.choice(kinds)
            name = f"{KIND_PREFIX[kind]} {fake.last_name()} de {names[seat]}"
            if (name, kind) in seen:
                name = f"{name} {i}"
            seen.add((name, kind))
            areas.append([] if rng.random() < SHARE_WITHOUT_AREA else area)
            departements.append(dep)
            orgs.append(
                Organisation(
                    name=name,
                    kind=kind,
                    commune_id=seat,
                    address=fake.street_address(),
                    email=fake.email(),
                    description=fake.sentence(nb_words=12),
                    can_identify=rng.random() < 0.4,
                    is_active=rng.random() < 0.98,
                )
            )
        territories = Territory.objects.bulk_create(
            [Territory(name=f"Territoire de {o.name}") for o, a in zip(orgs, areas, strict=True) if a],
            batch_size=1000,
        )
        it = iter(territories)
        for org, area in zip(orgs, areas, strict=True):
            if area:
                org.territory = next(it)
        Organisation.objects.bulk_create(orgs, batch_size=1000)
        TC = Territory.communes.through
        TC.objects.bulk_create(
            [TC(territory_id=o.territory.pk, commune_id=c) for o, a in zip(orgs, areas, strict=True) if a for c in a],
            batch_size=5000,
        )

        # Services: one per organisation, the rest spread at random.
        owners = list(range(organisations)) + [rng.randrange(organisations) for _ in range(services - organisations)]
        rows: list[Service] = []
        links: list[tuple[list[Term], list[Term], list[Term], list[str]]] = []
        for n in owners:
            org = orgs[n]
            preferred = KIND_CATEGORIES[org.kind]
            category = rng.choice(preferred) if rng.random() < 0.75 else rng.choice(categories)
            wanted = rng.randint(1, 3)
            # Now and then the last theme is of another need (a housing service that also helps with money).
            other = wanted > 1 and rng.random() < 0.3
            chosen = rng.sample(themes_by_category[category], min(wanted - other, len(themes_by_category[category])))
            if other:
                chosen.append(rng.choice(themes))
            name = f"{rng.choice(SERVICE_WORDS)} {chosen[0].label.lower()}"
            description = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)) + [fake.sentence(nb_words=10)])
            listed: list[str] = []
            if rng.random() < SHARE_LISTING_COMMUNES:
                area = areas[n] or _pick_area(rng, by_dep[departements[n]])
                listed = rng.sample(area, min(len(area), rng.randint(1, 40)))
            service = Service(
                organisation=org,
                name=name,
                description=description,
                commune_id=org.commune_id,
                address=org.address,
                is_itinerant=rng.random() < 0.1,
                updated_on=today - timedelta(days=rng.randint(0, 730)),
                is_active=rng.random() < 0.95,
                conditions=fake.sentence(nb_words=8),
                how_to_refer=fake.sentence(nb_words=8),
            )
            # As create_service does.
            service.search_text = " ".join(fold(p) for p in (name, description, org.name) if p)
            rows.append(service)
            service_publics = {youth} if rng.random() < 0.7 else set()
            service_publics |= set(rng.sample(publics, rng.randint(0, 2)))
            links.append((list(dict.fromkeys(chosen)), list(service_publics), rng.sample(types, 1), listed))
        Service.objects.bulk_create(rows, batch_size=1000)
        for through, index in (
            (Service.themes.through, 0),
            (Service.publics.through, 1),
            (Service.types.through, 2),
        ):
            through.objects.bulk_create(
                [
                    through(service_id=s.pk, term_id=t.pk)
                    for s, link in zip(rows, links, strict=True)
                    for t in link[index]
                ],
                batch_size=5000,
            )
        SC = Service.communes.through
        SC.objects.bulk_create(
            [SC(service_id=s.pk, commune_id=c) for s, link in zip(rows, links, strict=True) for c in link[3]],
            batch_size=5000,
        )
    if connection.vendor == "postgresql":
        # What autovacuum would have done by the time anyone searches.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def coverage_territory(size: int = 300) -> Territory:
    """A Mission locale's area of ~300 communes around Saverne (its arrondissement and neighbours)."""
    ordered = _neighbours("67")["67"]
    start = max(0, ordered.index(SAVERNE) - size // 2)
    chosen = ordered[start : start + size]
    territory = Territory.objects.create(name="Mission locale (bench)")
    territory.communes.set(chosen)
    return territory


# --------------------------------------------------------------------------------------------------
# Cases


def page_of(**criteria: Any) -> Callable[[], int]:
    """What the directory page runs: the Paginator's count, then the first page with its prefetch."""

    def run() -> int:
        qs = search_services(**criteria)
        count = qs.count()
        list(qs[:PAGE_SIZE])
        return count

    return run


def baseline() -> int:
    count = Service.objects.count()
    list(Service.objects.all()[:PAGE_SIZE])
    return count


def run(*, quick: bool) -> None:
    services, organisations = (2_000, 400) if quick else (10_000, 2_000)
    started = time.perf_counter()
    build(services, organisations)
    print(
        f"Built {Service.objects.count():,} services, {Organisation.objects.count():,} organisations, "
        f"{Territory.communes.through.objects.count():,} territory communes, "
        f"{Service.communes.through.objects.count():,} listed communes, "
        f"{Service.themes.through.objects.count():,} service themes "
        f"in {time.perf_counter() - started:.1f} s"
    )
    saverne = Commune.objects.get(code=SAVERNE)
    # A quiet commune: in none of the départements where the partners are.
    elsewhere = Commune.objects.get(code="29232")  # Quimper
    cases: list[tuple[str, Callable[[], int]]] = [
        ("baseline: count() + first 20", baseline),
        ("(a) category logement + Saverne", page_of(theme="logement-hebergement", commune=saverne)),
        (
            "(b) exact theme only",
            page_of(theme="logement-hebergement--rechercher-une-solution-dhebergement-temporaire"),
        ),
        ("(c) commune Saverne only", page_of(commune=saverne)),
        ("(d) text « aide logement »", page_of(text="aide logement")),
        (
            "(e) all filters",
            page_of(
                text="logement jeunes",
                theme="logement-hebergement",
                commune=saverne,
                kind=OrganisationKind.HOUSING,
                public="jeunes",
            ),
        ),
        ("(f) no match (text + commune)", page_of(text="xylophone", commune=elsewhere)),
        ("(f') no match (theme + Quimper)", page_of(theme="logement-hebergement", commune=elsewhere)),
    ]
    results: list[tuple[str, Timing, int, int]] = []
    for label, fn in cases:
        rows = fn()
        timing, runs = measure(fn)
        results.append((label, timing, runs, rows))

    # The coverage of a Mission locale's area: one call, whatever the number of communes.
    territory = coverage_territory()
    coverage = coverage_of(territory)
    timing, runs = measure(lambda: coverage_of(territory), runs=RUNS, warmup=1, budget_s=COVERAGE_BUDGET_S)
    results.append((f"coverage_of, {len(coverage.rows)} communes", timing, runs, len(coverage.rows)))

    base = results[0][1].median
    print(f"\n{'case':<34} {'median ms':>10} {'p95 ms':>8} {'× base':>7} {'rows':>7} {'runs':>5}  100 ms budget")
    for label, timing, runs, rows in results:
        verdict = _verdict(timing) if label.startswith("(") else ""
        print(
            f"{label:<34} {timing.median:>10.2f} {timing.p95:>8.2f} {timing.median / base:>7.1f} "
            f"{rows:>7,} {runs:>5}  {verdict}"
        )
    print(
        f"\nEach run: search_services(...).count() + list(first {PAGE_SIZE}) with the themes prefetch, "
        f"after {WARMUP} warm-up runs; « well under » = p95 at most half the budget."
    )
    worst = max(results[1:-1], key=lambda r: r[1].p95)
    print(f"Worst search p95: {worst[1].p95:.1f} ms, {worst[0]} — {_verdict(worst[1])} ({connection.vendor}).")


def _verdict(timing: Timing) -> str:
    if timing.p95 <= BUDGET_MS / 2:
        return "well under"
    return "under" if timing.p95 <= BUDGET_MS else "OVER"
