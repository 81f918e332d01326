"""Writes of the partnership mesh."""

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.enums import Vocabulary
from reperes.network.models import ChangeRecord, FundingScheme, Organisation, Service, Term, User
from reperes.territory.models import Commune, Territory
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


ALL_PUBLICS = "tous-publics"


def _require_themes(themes: Sequence[Term], publics: Sequence[Term] = ()) -> None:
    # A service without a theme could never be found by need.
    if not themes:
        raise ValidationError(
            {"themes": _("Choisissez au moins une thématique : c'est par elle qu'on trouve un service.")}
        )
    # data·inclusion's rule, so that every service exports: « tous publics » stands alone.
    if len(publics) > 1 and any(term.code == ALL_PUBLICS for term in publics):
        raise ValidationError({"publics": _("« Tous publics » ne se combine pas avec un autre public.")})


def search_text_of(service: Service) -> str:
    """What the directory's word search matches: name, description and organisation, folded."""
    parts = (service.name, service.description, service.organisation.name)
    return " ".join(fold(part) for part in parts if part)


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
    _require_themes(themes, publics)
    service = Service(organisation=organisation, name=name, updated_on=updated_on or timezone.localdate(), **fields)
    service.search_text = search_text_of(service)
    service.full_clean(exclude=["themes", "publics", "types", "communes", "search_text"])
    service.save()
    service.themes.set(themes)
    service.publics.set(publics)
    service.types.set(types)
    service.communes.set(communes)
    if acting_user is not None:
        _record(organisation, service, acting_user, {}, {"name": service.name})
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


ORGANISATION_FIELDS = ["name", "description", "address", "commune", "phone", "email", "website", "can_identify"]
SERVICE_FIELDS = [
    "name",
    "description",
    "conditions",
    "how_to_refer",
    "address",
    "commune",
    "is_itinerant",
    "opening_hours",
    "is_active",
]


def display_value(value: object) -> str:
    """A value as the change history shows it."""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, models.Manager):
        return ", ".join(sorted(str(item) for item in value.all()))
    return "" if value is None else str(value)


def _snapshot(instance: models.Model, fields: Sequence[str]) -> dict[str, str]:
    return {name: display_value(getattr(instance, name)) for name in fields}


def field_label(model: type[models.Model], name: str) -> str:
    """The French name of a field in the change history (« commune » for commune_id too)."""
    if name == "served":
        return str(_("communes desservies"))
    field = model._meta.get_field(name.removesuffix("_id"))
    return str(getattr(field, "verbose_name", name))


def _record(organisation: Organisation, service: Service | None, user: User | None, before: dict, after: dict) -> None:
    model = Service if service is not None else Organisation
    changes = {
        field_label(model, name): [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }
    if changes:
        ChangeRecord.objects.create(organisation=organisation, service=service, user=user, changes=changes)


def check_version(current: datetime, version: str | None) -> None:
    """The edit form carries the updated_at it was built from; a different one means somebody
    saved in between, and their changes must not be silently overwritten. A save that does not
    say which version it was built from (no version, or an empty one) is refused the same way:
    it cannot show that it has seen the last change."""
    if not version or current.isoformat() != version:
        raise ValidationError(
            _(
                "Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez. "
                "Rechargez la page pour voir sa version actuelle, puis refaites vos changements."
            ),
            code="concurrent_edit",
        )


@transaction.atomic
def update_organisation(
    organisation: Organisation,
    *,
    acting_user: User,
    version: str | None,
    themes: Sequence[Term],
    served_communes: Sequence[Commune] | None = None,
    **fields: object,
) -> Organisation:
    """Change an organisation's profile, its themes and the communes it serves, recording who
    changed what. Refused when someone else saved the same profile since the form was opened."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_version(locked.updated_at, version)
    tracked = ORGANISATION_FIELDS + ["themes"] + (["served"] if served_communes is not None else [])
    before = _snapshot(locked, [f for f in tracked if f != "served"])
    before["served"] = display_value(locked.territory.communes) if locked.territory else ""
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = acting_user
    locked.full_clean(exclude=["territory", "themes", "networks"], validate_unique=True)
    locked.save()
    locked.themes.set(themes)
    if served_communes is not None:
        if locked.territory is None:
            locked.territory = Territory.objects.create(name=f"Zone d'intervention — {locked.name}")
            locked.save(update_fields=["territory"])
        locked.territory.communes.set(served_communes)
    after = _snapshot(locked, [f for f in tracked if f != "served"])
    if served_communes is not None:
        after["served"] = display_value(locked.territory.communes)  # type: ignore[union-attr]
    _record(locked, None, acting_user, before, after)
    return locked


@transaction.atomic
def update_service(
    service: Service,
    *,
    acting_user: User,
    version: str | None,
    themes: Sequence[Term],
    publics: Sequence[Term],
    types: Sequence[Term],
    **fields: object,
) -> Service:
    """Change a service; same rules as update_organisation, and a theme stays required."""
    _require_themes(themes, publics)
    locked = Service.objects.select_for_update().select_related("organisation").get(pk=service.pk)
    check_version(locked.updated_at, version)
    tracked = SERVICE_FIELDS + ["themes", "publics", "types"]
    before = _snapshot(locked, tracked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_on = timezone.localdate()
    locked.search_text = search_text_of(locked)
    locked.full_clean(exclude=["themes", "publics", "types", "communes", "search_text"])
    locked.save()
    locked.themes.set(themes)
    locked.publics.set(publics)
    locked.types.set(types)
    _record(locked.organisation, locked, acting_user, before, _snapshot(locked, tracked))
    return locked
