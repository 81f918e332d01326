"""Writes of the partnership mesh."""

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.enums import Vocabulary
from reperes.network.models import FundingScheme, Organisation, Service, Term, User
from reperes.territory.models import Commune
from reperes.territory.text import fold


def _vocabularies() -> list[tuple[str, str, str, str]]:
    from data_inclusion.schema import v1

    rows = [(Vocabulary.THEME.value, c.value, c.label, "") for c in v1.Categorie]
    rows += [(Vocabulary.THEME.value, t.value, t.label, t.value.split("--")[0]) for t in v1.Thematique]
    rows += [(Vocabulary.PUBLIC.value, p.value, p.label, "") for p in v1.Public]
    rows += [(Vocabulary.SERVICE_TYPE.value, t.value, t.label, "") for t in v1.TypeService]
    rows += [(Vocabulary.NETWORK.value, r.value, r.label, "") for r in v1.ReseauPorteur]
    return rows


@transaction.atomic
def load_vocabularies() -> int:
    """Insert or update the data·inclusion vocabularies (thématiques with their categories,
    publics, types de services, réseaux porteurs). Idempotent."""
    terms = [Term(vocabulary=v, code=c, label=label, category=cat) for v, c, label, cat in _vocabularies()]
    Term.objects.bulk_create(
        terms, update_conflicts=True, unique_fields=["vocabulary", "code"], update_fields=["label", "category"]
    )
    return len(terms)


@transaction.atomic
def create_service(
    organisation: Organisation,
    *,
    name: str,
    themes: Sequence[Term],
    acting_user: User | None,
    publics: Sequence[Term] = (),
    types: Sequence[Term] = (),
    communes: Sequence[Commune] = (),
    updated_on: date | None = None,
    **fields: object,
) -> Service:
    """Add a service to a partner. A service without a theme could never be found by need: refused."""
    if not themes:
        raise ValidationError(
            {"themes": _("Choisissez au moins une thématique : c'est par elle qu'on trouve un service.")}
        )
    service = Service(organisation=organisation, name=name, updated_on=updated_on or timezone.localdate(), **fields)
    service.search_text = " ".join(fold(part) for part in (name, service.description, organisation.name) if part)
    service.full_clean(exclude=["themes", "publics", "types", "communes", "search_text"])
    service.save()
    service.themes.set(themes)
    service.publics.set(publics)
    service.types.set(types)
    service.communes.set(communes)
    Organisation.objects.filter(pk=organisation.pk).update(updated_at=timezone.now(), updated_by=acting_user)
    return service


FUNDING_SCHEMES_FILE = Path(__file__).resolve().parent / "data" / "funding_schemes.json"


@transaction.atomic
def load_funding_schemes(path: Path = FUNDING_SCHEMES_FILE) -> int:
    """Add the seed schemes that are missing, by name. An existing scheme is never overwritten:
    once loaded, the catalogue is edited by people. Returns how many were added."""
    seeds = json.loads(path.read_text(encoding="utf-8"))["schemes"]
    existing = set(FundingScheme.objects.values_list("name", flat=True))
    missing = [FundingScheme(**seed) for seed in seeds if seed["name"] not in existing]
    for scheme in missing:
        scheme.full_clean()
    FundingScheme.objects.bulk_create(missing)
    return len(missing)
