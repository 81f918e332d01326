"""The registry's side of matching: a youth as a `reperes.matching.Record`, its blocking keys in
an indexed table, and the engine's decision for a new record against the few youths sharing a key."""

import time

from django.conf import settings
from django.db.models import Count

from reperes.matching import Decision, PartialDate, Record, blocking_keys, decide
from reperes.registry.enums import BirthPrecision
from reperes.registry.models import Youth, YouthMatchKey

# As the engine's in-memory index: a new record is compared with at most this many youths.
MAX_CANDIDATES = 300
# The registry's size weighs the engine's prior; counting a million rows per keystroke would cost
# more than the lookup itself, and a size a few minutes old changes no decision.
# Cached for REPERES_POPULATION_CACHE_SECONDS (0 in tests, whose databases change at every test).
_population: tuple[float, int] | None = None


def registry_population() -> int:
    global _population
    now = time.monotonic()
    ttl = getattr(settings, "REPERES_POPULATION_CACHE_SECONDS", 300)
    if _population is None or now - _population[0] >= ttl:
        _population = (now, Youth.objects.active().count())
    return _population[1]


def record_of(youth: Youth) -> Record:
    if youth.birth_date is None or youth.birth_precision in (BirthPrecision.UNKNOWN, BirthPrecision.ESTIMATED):
        birth: object = None  # an age guessed by a street worker says little about the year
    elif youth.birth_precision == BirthPrecision.YEAR:
        birth = PartialDate(youth.birth_date.year)
    elif youth.birth_precision == BirthPrecision.MONTH:
        birth = PartialDate(youth.birth_date.year, youth.birth_date.month)
    else:
        birth = youth.birth_date
    commune = youth.commune
    return Record(
        id=str(youth.pk),
        first_name=youth.first_names,
        last_name=youth.usage_name or youth.last_name,
        birth_name=youth.last_name if youth.usage_name else "",
        birth_date=birth,  # type: ignore[arg-type]
        sex=youth.sex,
        postcode=commune.main_postcode if commune else "",
        commune=commune.name if commune else "",
    )


def refresh_match_keys(youth: Youth) -> None:
    YouthMatchKey.objects.filter(youth=youth).delete()
    YouthMatchKey.objects.bulk_create(YouthMatchKey(youth=youth, key=key) for key in blocking_keys(record_of(youth)))


def find_known(record: Record, *, exclude: int | None = None) -> tuple[Decision, dict[str, Youth]]:
    """The engine's decision for a record against the active youths sharing a blocking key with
    it, those sharing the most keys first; and the youths by id, for the caller to show."""
    rows = YouthMatchKey.objects.filter(key__in=blocking_keys(record), youth__status="active")
    if exclude is not None:
        rows = rows.exclude(youth_id=exclude)
    shared = rows.values("youth_id").annotate(shared=Count("id")).order_by("-shared", "youth_id")[:MAX_CANDIDATES]
    youths = {
        str(y.pk): y
        for y in Youth.objects.filter(pk__in=[row["youth_id"] for row in shared]).select_related(
            "commune", "mission_locale"
        )
    }
    # Never below the candidates found: a cached size may predate the records just created.
    population = max(registry_population(), len(youths) + 1)
    decision = decide(record, [record_of(y) for y in youths.values()], population=population)
    return decision, youths
