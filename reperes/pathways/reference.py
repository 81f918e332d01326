"""The ROME referential (France Travail, Licence Ouverte 2.0), loaded from the committed CSV files."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from reperes.pathways.models import Occupation, OccupationDomain
from reperes.territory.text import fold

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Loaded:
    domains: int
    occupations: int


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_occupations(data_dir: Path = DATA_DIR) -> Loaded:
    """Inserts or updates the grands domaines and fiches; idempotent."""
    domains = [
        OccupationDomain(code=row["code"], label=row["libelle"])
        for row in _rows(data_dir / "rome-grands-domaines.csv")
    ]
    OccupationDomain.objects.bulk_create(
        domains, update_conflicts=True, unique_fields=["code"], update_fields=["label"]
    )
    occupations = [
        Occupation(
            code=row["code_rome"],
            ogr=int(row["code_ogr"]),
            label=row["libelle"],
            domain_id=row["grand_domaine"],
            search_label=fold(f"{row['code_rome']} {row['libelle']}"),
        )
        for row in _rows(data_dir / "rome-v346-fiches.csv")
    ]
    Occupation.objects.bulk_create(
        occupations,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["ogr", "label", "domain", "search_label"],
        batch_size=500,
    )
    return Loaded(domains=len(domains), occupations=len(occupations))
