"""Writes of territory reference data."""

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

from reperes.territory.models import Commune, Departement, Epci, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH_SIZE = 2000


@dataclass(frozen=True)
class LoadResult:
    regions: int
    departements: int
    epcis: int
    communes: int
    retired: int


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(io.StringIO(handle.read()))


def _upsert(model: type[models.Model], objects: list[Any], fields: list[str]) -> int:
    model._default_manager.bulk_create(
        objects, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["code"], update_fields=fields
    )
    return len(objects)


def _refresh(communes: Iterable[Commune], field: str, value_of: Callable[[Commune], str]) -> int:
    stale = [c for c in communes if getattr(c, field) != value_of(c)]
    for commune in stale:
        setattr(commune, field, value_of(commune))
    Commune.objects.bulk_update([c for c in stale if c.pk and not c._state.adding], [field], batch_size=BATCH_SIZE)
    return len(stale)


def refresh_search_name(communes: Iterable[Commune]) -> int:
    """Commune.search_name from the name (Commune.search_key), on every path that writes a name:
    the reference data load and the Django admin. Saved communes are updated; returns how many changed."""
    return _refresh(communes, "search_name", lambda c: Commune.search_key(c.name))


def refresh_area_class(communes: Iterable[Commune]) -> int:
    """Commune.area_class from the population (Commune.classify), on the same paths."""
    return _refresh(communes, "area_class", lambda c: Commune.classify(c.population))


@transaction.atomic
def load_reference_data(data_dir: Path = DATA_DIR) -> LoadResult:
    """Insert or update régions, départements, EPCI and communes from the committed files.

    Idempotent: a second run rewrites the same values. Communes absent from the file (merged
    since the previous load) are kept for the records that point at them, marked not current."""
    regions = [Region(code=r["code"], name=r["name"]) for r in _rows(data_dir / "regions.csv.gz")]
    departements = [
        Departement(code=d["code"], name=d["name"], region_id=d["region"])
        for d in _rows(data_dir / "departements.csv.gz")
    ]
    epcis = [Epci(code=e["code"], name=e["name"], kind=e["kind"]) for e in _rows(data_dir / "epcis.csv.gz")]
    communes = [
        Commune(
            code=row["code"],
            name=row["name"],
            postcodes=" " + row["postcodes"] if row["postcodes"] else "",
            departement_id=row["departement"],
            arrondissement=row["arrondissement"],
            epci_id=row["epci"] or None,
            population=int(row["population"] or 0),
            is_current=True,
        )
        for row in _rows(data_dir / "communes.csv.gz")
    ]
    refresh_search_name(communes)  # unsaved: the values go in with the upsert below
    refresh_area_class(communes)
    counts = (
        _upsert(Region, regions, ["name"]),
        _upsert(Departement, departements, ["name", "region"]),
        _upsert(Epci, epcis, ["name", "kind"]),
        _upsert(
            Commune,
            communes,
            [
                "name",
                "postcodes",
                "departement",
                "arrondissement",
                "epci",
                "population",
                "area_class",
                "search_name",
                "is_current",
            ],
        ),
    )
    codes = {c.code for c in communes}
    stale = [
        code for code in Commune.objects.filter(is_current=True).values_list("code", flat=True) if code not in codes
    ]
    retired = Commune.objects.filter(code__in=stale).update(is_current=False) if stale else 0
    return LoadResult(*counts, retired=retired)
