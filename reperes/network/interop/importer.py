"""Import of a data·inclusion document: check every record, then write all or nothing."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pydantic
from data_inclusion.schema.v1 import Service as SchemaService
from data_inclusion.schema.v1 import Structure as SchemaStructure
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from reperes.network.enums import PARTNER_KINDS, OrganisationKind, Vocabulary
from reperes.network.interop.common import (
    _NATIONAL_ZONES,
    _OWN_ID,
    MAX_RECORDS,
    SIDECAR_KEY,
    ImportReport,
    InvalidDocument,
    Record,
    RecordError,
    _chunks,
    _codes,
    _refuse,
    _shorten,
    _territory_codes,
)
from reperes.network.models import ChangeRecord, Organisation, Service, Term, User
from reperes.network.services import create_service, display_value, field_label, refresh_search_text
from reperes.territory.models import Commune, Departement, Epci

# --- Import: checking every record ------------------------------------------------------------


@dataclass
class _StructurePlan:
    position: str
    record_id: str
    source: str
    values: Record  # model fields the record sets
    networks: list[str]
    updated_on: date
    extras: Record  # kind, can_identify, themes: only when the sidecar states them
    match: Organisation | None = None
    organisation: Organisation | None = None


@dataclass
class _ServicePlan:
    position: str
    record_id: str
    source: str
    structure_id: str
    values: Record  # model fields the record sets
    themes: list[str]
    publics: list[str]
    types: list[str]
    communes: list[str] | None  # None: the record states no zone we can store
    match: Service | None = None


@dataclass
class _Checker:
    """Lookups shared by the checks, and the problems found so far."""

    terms: set[tuple[str, str]]
    communes: set[str]
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordError] = field(default_factory=list)
    _zones: dict[str, list[str] | None] = field(default_factory=dict)

    def error(self, position: str, record_id: str, field_name: str, message: str) -> None:
        self.errors.append(RecordError(position, record_id, field_name, message))

    def warn(self, position: str, record_id: str, field_name: str, message: str) -> None:
        self.warnings.append(RecordError(position, record_id, field_name, message))

    def known_terms(self, vocabulary: str, codes: Sequence[str], where: tuple[str, str], field_name: str) -> list[str]:
        for code in codes:
            if (vocabulary, code) not in self.terms:
                self.error(*where, field_name, _("code inconnu de Repères : « %(code)s »") % {"code": code})
        return sorted(set(codes))

    def zone_communes(self, code: str) -> list[str] | None:
        """INSEE codes of the communes a zone code (commune, département, EPCI) stands for; None when unknown."""
        if code not in self._zones:
            if len(code) == 5:
                self._zones[code] = [code] if code in self.communes else None
            else:
                column, known = (
                    ("departement_id", Departement.objects.filter(code=code).exists())
                    if len(code) <= 3
                    else ("epci_id", Epci.objects.filter(code=code).exists())
                )
                communes = Commune.objects.current().filter(**{column: code}).values_list("code", flat=True)
                self._zones[code] = list(communes) if known else None
        return self._zones[code]


def _validated(model: Any, raw: Any, checker: _Checker, position: str) -> Any:
    """The record checked with the schema package, or None (and its errors recorded)."""
    if not isinstance(raw, dict):
        checker.error(position, "", "", _("l'enregistrement n'est pas un objet JSON"))
        return None
    record_id = raw["id"] if isinstance(raw.get("id"), str) else ""
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as error:
        reported: set[str] = set()
        for detail in error.errors(include_url=False):
            field_name = str(detail["loc"][0]) if detail["loc"] else ""
            if field_name not in reported:  # one message per field (unions report every branch)
                reported.add(field_name)
                checker.error(position, record_id, field_name, _french(field_name, detail))
        return None


_SCHEMA_MESSAGES = {
    "missing": _lazy("champ obligatoire"),
    "too_short": _lazy("la liste ne peut pas être vide"),
    "string_too_short": _lazy("trop court : %(min_length)d caractères au moins"),
    "string_too_long": _lazy("trop long : %(max_length)d caractères au plus"),
    "enum": _lazy("valeur inconnue : « %(input)s »"),
    "literal_error": _lazy("valeur inconnue : « %(input)s »"),
    "string_pattern_mismatch": _lazy("format invalide : « %(input)s »"),
    "url": _lazy("adresse web invalide"),
    "date": _lazy("date invalide (AAAA-MM-JJ attendu)"),
}


def _french(field_name: str, detail: Any) -> str:
    """pydantic's English message, in French; the schema's own validators already speak French."""
    if field_name == "zone_eligibilite" and detail["type"] != "missing":
        return _("code géographique invalide : « %(input)s »") % {"input": detail.get("input")}
    if field_name == "courriel":
        return _("adresse e-mail invalide")
    if detail["type"] == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    kind = detail["type"]
    message = _SCHEMA_MESSAGES.get("date" if kind.startswith("date") else "url" if kind.startswith("url") else kind)
    if message is None:
        return _("valeur invalide")
    return str(message) % {**(detail.get("ctx") or {}), "input": detail.get("input")}


def _sidecar(document: dict[str, Any], checker: _Checker) -> tuple[bool, Record, Record]:
    """(present, extras of structures by id, extras of services by id)."""
    sidecar = document.get(SIDECAR_KEY)
    if sidecar is None:
        return False, {}, {}
    parts: list[Record] = []
    for part in ("structures", "services"):
        value = sidecar.get(part, {}) if isinstance(sidecar, dict) else None
        if not isinstance(value, dict):
            checker.error(f"{SIDECAR_KEY}.{part}", "", "", _("objet attendu, indexé par identifiant"))
            value = {}
        parts.append(value)
    return True, parts[0], parts[1]


def _records(document: dict[str, Any], key: str, checker: _Checker) -> list[Any]:
    records = document.get(key, [])
    if not isinstance(records, list):
        checker.error(key, "", "", _("liste attendue"))
        return []
    return records


def _text(text: str | None, limit: int, where: tuple[str, str], field_name: str, checker: _Checker) -> str:
    """A text cut to our own limit, which can be shorter than the schema's (a warning, not an error)."""
    text = text or ""
    if len(text) > limit:
        checker.warn(*where, field_name, _("texte coupé à %(limit)d caractères") % {"limit": limit})
        return _shorten(text, limit)
    return text


def _address(raw: Record, where: tuple[str, str], checker: _Checker) -> str:
    address = ", ".join(part for part in (raw.get("adresse"), raw.get("complement_adresse")) if part)
    return _text(address, 300, where, "adresse", checker)


def _entry(extras_by_id: Record, where: tuple[str, str], checker: _Checker) -> Record:
    entry = extras_by_id.get(where[1], {})
    if not isinstance(entry, dict):
        checker.error(*where, SIDECAR_KEY, _("objet attendu"))
        return {}
    return entry


def _commune(raw: Record, where: tuple[str, str], checker: _Checker) -> str | None:
    code_insee = raw.get("code_insee")
    if code_insee and code_insee not in checker.communes:
        checker.error(*where, "code_insee", _("commune inconnue : « %(code)s »") % {"code": code_insee})
    return code_insee or None


def _extra_codes(
    entry: Record, key: str, vocabulary: str, where: tuple[str, str], checker: _Checker
) -> list[str] | None:
    if key not in entry:
        return None
    codes = entry[key]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        checker.error(*where, f"{SIDECAR_KEY}.{key}", _("liste de codes attendue"))
        return []
    return checker.known_terms(vocabulary, codes, where, f"{SIDECAR_KEY}.{key}")


def _extra_value(entry: Record, key: str, kind: type, where: tuple[str, str], checker: _Checker) -> Any:
    value = entry.get(key)
    if key in entry and not isinstance(value, kind):
        checker.error(*where, f"{SIDECAR_KEY}.{key}", _("valeur invalide"))
        return None
    return value


_SERVICE_TERMS = ("themes", "publics", "types")
_ORGANISATION_FIELDS = {
    "name": "nom",
    "siret": "siret",
    "address": "adresse",
    "email": "courriel",
    "phone": "telephone",
    "website": "site_web",
    "description": "description",
    "source": "source",
    "external_id": "id",
}
_SERVICE_FIELDS = {
    "name": "nom",
    "description": "description",
    "conditions": "conditions_acces",
    "how_to_refer": "mobilisation_precisions",
    "address": "adresse",
    "opening_hours": "horaires_accueil",
    "source": "source",
    "external_id": "id",
}


def _django_errors(
    instance: Organisation | Service, names: dict[str, str], where: tuple[str, str], checker: _Checker
) -> None:
    """Our own field rules (lengths, formats), which may be stricter than the schema's."""
    try:
        instance.clean_fields(exclude=[f.name for f in instance._meta.fields if f.name not in names])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            checker.error(*where, names.get(name, name), " ".join(messages))


def _plan_structure(index: int, raw: Any, extras_by_id: Record, checker: _Checker) -> _StructurePlan | None:
    position = f"structures[{index}]"
    if (validated := _validated(SchemaStructure, raw, checker, position)) is None:
        return None
    record_id = raw["id"]
    where = (position, record_id)
    entry = _entry(extras_by_id, where, checker)
    extras: Record = {}
    if record_id in extras_by_id:
        kind = _extra_value(entry, "kind", str, where, checker) or OrganisationKind.OTHER_PARTNER.value
        if kind not in PARTNER_KINDS:
            checker.error(
                *where, f"{SIDECAR_KEY}.kind", _("type de structure inconnu : « %(kind)s »") % {"kind": kind}
            )
        extras = {
            "kind": kind,
            "can_identify": bool(_extra_value(entry, "can_identify", bool, where, checker)),
            "themes": _extra_codes(entry, "themes", Vocabulary.THEME, where, checker) or [],
        }
    code_insee = _commune(raw, where, checker)
    values: Record = {
        "name": _extra_value(entry, "name", str, where, checker) or raw["nom"],
        "siret": raw.get("siret") or "",
        "address": _address(raw, where, checker),
        "commune_id": code_insee,
        "email": raw.get("courriel") or "",
        "phone": raw.get("telephone") or "",
        "website": raw.get("site_web") or "",
        "description": (
            _extra_value(entry, "description", str, where, checker)
            if "description" in entry
            else _text(raw.get("description"), 1000, where, "description", checker)
        )
        or "",
    }
    candidate = Organisation(
        source=raw["source"], external_id=record_id, kind=extras.get("kind", OrganisationKind.OTHER_PARTNER), **values
    )
    _django_errors(candidate, _ORGANISATION_FIELDS, where, checker)
    networks = checker.known_terms(Vocabulary.NETWORK, raw.get("reseaux_porteurs") or [], where, "reseaux_porteurs")
    return _StructurePlan(position, record_id, raw["source"], values, networks, validated.date_maj, extras)


def _plan_service(
    index: int, raw: Any, extras_by_id: Record, has_sidecar: bool, structure_ids: set[str], checker: _Checker
) -> _ServicePlan | None:
    position = f"services[{index}]"
    if (validated := _validated(SchemaService, raw, checker, position)) is None:
        return None
    record_id = raw["id"]
    where = (position, record_id)
    entry = _entry(extras_by_id, where, checker)
    if raw["structure_id"] not in structure_ids:
        checker.error(
            *where,
            "structure_id",
            _("structure « %(id)s » absente du fichier") % {"id": raw["structure_id"]},
        )
    themes = _extra_codes(entry, "themes", Vocabulary.THEME, where, checker)
    if themes is None:
        themes = checker.known_terms(Vocabulary.THEME, raw.get("thematiques") or [], where, "thematiques")
    if not themes:
        checker.error(*where, "thematiques", _("un service sans thématique ne peut pas être trouvé par besoin"))
    publics = _extra_codes(entry, "publics", Vocabulary.PUBLIC, where, checker)
    if publics is None:
        publics = checker.known_terms(Vocabulary.PUBLIC, raw.get("publics") or [], where, "publics")
    types = _extra_codes(entry, "types", Vocabulary.SERVICE_TYPE, where, checker)
    if types is None:
        types = checker.known_terms(Vocabulary.SERVICE_TYPE, [raw["type"]] if raw.get("type") else [], where, "type")
    code_insee = _commune(raw, where, checker)
    values: Record = {
        "name": raw["nom"],
        "description": (
            _extra_value(entry, "description", str, where, checker)
            if "description" in entry
            else _text(raw.get("description"), 2000, where, "description", checker)
        )
        or "",
        "conditions": _text(raw.get("conditions_acces"), 1000, where, "conditions_acces", checker),
        "how_to_refer": _text(raw.get("mobilisation_precisions"), 1000, where, "mobilisation_precisions", checker),
        "address": _address(raw, where, checker),
        "commune_id": code_insee,
        "updated_on": validated.date_maj,
    }
    # A document made by Repères states every value of ours; a plain one leaves them alone.
    if "opening_hours" in entry:
        values["opening_hours"] = _extra_value(entry, "opening_hours", str, where, checker) or ""
    elif raw.get("horaires_accueil"):
        values["opening_hours"] = _text(raw.get("horaires_accueil"), 300, where, "horaires_accueil", checker)
    elif has_sidecar:
        values["opening_hours"] = ""
    if has_sidecar:
        values["is_itinerant"] = bool(_extra_value(entry, "is_itinerant", bool, where, checker))
    candidate = Service(source=raw["source"], external_id=record_id, **values)
    _django_errors(candidate, _SERVICE_FIELDS, where, checker)
    return _ServicePlan(
        position,
        record_id,
        raw["source"],
        raw["structure_id"],
        values,
        themes,
        publics,
        types,
        _zone(raw.get("zone_eligibilite"), where, checker),
    )


def _zone(codes: list[str] | None, where: tuple[str, str], checker: _Checker) -> list[str] | None:
    if not codes:
        return None
    if _NATIONAL_ZONES & set(codes) or any(code.startswith("99") and len(code) == 5 for code in codes):
        checker.warn(
            *where,
            "zone_eligibilite",
            _("zone nationale ou étrangère non reprise : le service dessert la zone de sa structure"),
        )
        return None
    communes: set[str] = set()
    for code in codes:
        found = checker.zone_communes(code)
        if found is None:
            checker.error(*where, "zone_eligibilite", _("code géographique inconnu : « %(code)s »") % {"code": code})
        else:
            communes.update(found)
    return sorted(communes)


def _duplicates(plans: Sequence[_StructurePlan | _ServicePlan], checker: _Checker) -> None:
    first: dict[str, str] = {}
    for plan in plans:
        if plan.record_id in first:
            checker.error(
                plan.position,
                plan.record_id,
                "id",
                _("identifiant en double (déjà utilisé par %(position)s)") % {"position": first[plan.record_id]},
            )
        else:
            first[plan.record_id] = plan.position


def _match(plans: Sequence[_StructurePlan] | Sequence[_ServicePlan], queryset: QuerySet[Any]) -> None:
    """Match records on (source, id); failing that, an id « reperes--<pk> » matches that row if it
    has no identity of its own in another directory."""
    by_key: dict[tuple[str, str], Any] = {}
    by_pk: dict[int, Any] = {}
    for chunk in _chunks([p.record_id for p in plans]):
        by_key.update({(row.source, row.external_id): row for row in queryset.filter(external_id__in=chunk)})
    own = [int(m[1]) for p in plans if (m := _OWN_ID.match(p.record_id))]
    for chunk in _chunks(own):
        by_pk.update({row.pk: row for row in queryset.filter(pk__in=chunk, external_id="")})
    for plan in plans:
        plan.match = by_key.get((plan.source, plan.record_id))
        if plan.match is None and (m := _OWN_ID.match(plan.record_id)):
            plan.match = by_pk.get(int(m[1]))


def _names_are_free(plans: list[_StructurePlan], checker: _Checker) -> None:
    """Two organisations of one kind cannot share a name (constraint organisation_unique_name_kind)."""
    final = [
        (plan, plan.values["name"], plan.extras.get("kind") or (plan.match.kind if plan.match else "autre"))
        for plan in plans
    ]
    taken: dict[tuple[str, str], int] = {}
    for chunk in _chunks(sorted({name for _plan, name, _kind in final})):
        taken.update(
            {(o.name, o.kind): o.pk for o in Organisation.objects.filter(name__in=chunk).only("name", "kind")}
        )
    in_file: dict[tuple[str, str], str] = {}
    for plan, name, kind in final:
        holder = taken.get((name, kind))
        if holder is not None and (plan.match is None or plan.match.pk != holder):
            checker.error(
                plan.position, plan.record_id, "nom", _("une autre structure du même type porte déjà ce nom")
            )
        elif (name, kind) in in_file:
            checker.error(
                plan.position,
                plan.record_id,
                "nom",
                _("même nom et même type que %(position)s") % {"position": in_file[(name, kind)]},
            )
        in_file.setdefault((name, kind), plan.position)


def _plan(document: Any) -> tuple[list[_StructurePlan], list[_ServicePlan], _Checker]:
    checker = _Checker(
        terms=set(Term.objects.values_list("vocabulary", "code")),
        communes=set(Commune.objects.values_list("code", flat=True)),
    )
    if not isinstance(document, dict):
        raise _refuse(_("objet JSON attendu, avec les clés « structures » et « services »"))
    if "structures" not in document and "services" not in document:
        raise _refuse(_("ni « structures » ni « services » : ce n'est pas un fichier data·inclusion"))
    raw_structures = _records(document, "structures", checker)
    raw_services = _records(document, "services", checker)
    count = len(raw_structures) + len(raw_services)
    if count > MAX_RECORDS:
        raise _refuse(
            _("Le fichier contient %(count)d enregistrements : la limite est de %(limit)d.")
            % {"count": count, "limit": MAX_RECORDS}
        )
    has_sidecar, structure_extras, service_extras = _sidecar(document, checker)
    structures = [
        structure
        for index, raw in enumerate(raw_structures)
        if (structure := _plan_structure(index, raw, structure_extras, checker))
    ]
    structure_ids = {raw["id"] for raw in raw_structures if isinstance(raw, dict) and isinstance(raw.get("id"), str)}
    services = [
        service
        for index, raw in enumerate(raw_services)
        if (service := _plan_service(index, raw, service_extras, has_sidecar, structure_ids, checker))
    ]
    _duplicates(structures, checker)
    _duplicates(services, checker)
    _match(structures, Organisation.objects.prefetch_related("networks", "themes"))
    _match(services, Service.objects.select_related("organisation").prefetch_related(*_SERVICE_TERMS, "communes"))
    for plan in structures:
        # An import must never overwrite a Mission locale, the funder or the operator.
        if plan.match is not None and not plan.match.is_partner:
            checker.error(
                plan.position, plan.record_id, "id", _("cet identifiant désigne une structure non partenaire")
            )
    _names_are_free(structures, checker)
    return structures, services, checker


# --- Import: writing --------------------------------------------------------------------------


def import_directory(document: Any, *, acting_user: User | None = None, dry_run: bool = False) -> ImportReport:
    """Create or update partners and services from a data·inclusion document, in one transaction.

    Every record is checked first (schema package, known vocabulary codes and INSEE codes, services
    pointing to a structure of the file and having a theme, unique ids); if any is invalid, raise
    InvalidDocument listing them all, and write nothing. Records are matched on (source, id), so
    importing a file twice changes nothing the second time. A dry run does everything, reports,
    then rolls back."""
    with transaction.atomic():
        structures, services, checker = _plan(document)
        errors = sorted(checker.errors, key=_error_order)
        if errors:
            raise InvalidDocument(ImportReport(errors=errors, warnings=checker.warnings, dry_run=dry_run))
        report = ImportReport(warnings=checker.warnings, dry_run=dry_run)
        _write(structures, services, report, acting_user)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _error_order(error: RecordError) -> tuple[int, int]:
    kind, _sep, rest = error.position.partition("[")
    index = int(rest.rstrip("]")) if rest.rstrip("]").isdigit() else -1
    return (0 if kind == "structures" else 1 if kind == "services" else -1, index)


def _write(
    structures: list[_StructurePlan], services: list[_ServicePlan], report: ImportReport, acting_user: User | None
) -> None:
    terms = {(t.vocabulary, t.code): t for t in Term.objects.all()}
    renamed: set[int] = set()
    for plan in structures:
        if _write_structure(plan, terms, report, acting_user, renamed):
            assert plan.organisation is not None
            # The stamp is the record's date_maj, so that exporting again gives the same file.
            Organisation.objects.filter(pk=plan.organisation.pk).update(updated_at=_stamp(plan.updated_on))
    by_id = {plan.record_id: plan.organisation for plan in structures}
    areas = _territory_codes(
        p.match.organisation.territory_id for p in services if p.match and p.match.organisation.territory_id
    )
    communes: dict[str, Commune] = {}
    for chunk in _chunks(sorted({code for service in services for code in service.communes or []})):
        communes.update(Commune.objects.in_bulk(chunk))
    for service in services:
        organisation = by_id[service.structure_id]
        assert organisation is not None
        _write_service(service, organisation, terms, communes, areas, report, acting_user)
    # Every service of a renamed organisation, imported or not, carries its name.
    for chunk in _chunks(sorted(renamed)):
        refresh_search_text(Service.objects.filter(organisation_id__in=chunk))


def _stamp(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _diff(current: Record, wanted: Record) -> list[str]:
    return [key for key, value in wanted.items() if current[key] != value]


def _record_changes(
    organisation: Organisation,
    service: Service | None,
    acting_user: User | None,
    changes: dict[str, tuple[Any, Any]],
    terms: dict[tuple[str, str], Term],
) -> None:
    """Who changed what, in the history the edit pages keep (as create_service, only for a person)."""
    if acting_user is None:
        return
    model: type[Organisation] | type[Service] = Service if service is not None else Organisation

    def label(name: str) -> str:
        if name == "updated_on" and service is None:
            return str(_("date de mise à jour"))
        return field_label(model, name)

    def display(name: str, value: Any) -> str:
        if name == "communes":
            return _("%(count)d communes") % {"count": len(value)}
        if isinstance(value, list):
            vocabulary = _VOCABULARY_OF[name]
            return ", ".join(sorted(str(terms[(vocabulary, code)]) for code in value))
        return display_value(value)

    ChangeRecord.objects.create(
        organisation=organisation,
        service=service,
        user=acting_user,
        changes={label(name): [display(name, old), display(name, new)] for name, (old, new) in changes.items()},
    )


_VOCABULARY_OF = {
    "themes": Vocabulary.THEME,
    "publics": Vocabulary.PUBLIC,
    "types": Vocabulary.SERVICE_TYPE,
    "networks": Vocabulary.NETWORK,
}


def _organisation_state(organisation: Organisation) -> Record:
    return {
        "name": organisation.name,
        "siret": organisation.siret,
        "address": organisation.address,
        "commune_id": organisation.commune_id,
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "description": organisation.description,
        "is_active": organisation.is_active,
        "kind": organisation.kind,
        "can_identify": organisation.can_identify,
        "networks": _codes(organisation.networks.all()),
        "themes": _codes(organisation.themes.all()),
        "updated_on": timezone.localdate(organisation.updated_at),
    }


def _write_structure(
    plan: _StructurePlan,
    terms: dict[tuple[str, str], Term],
    report: ImportReport,
    acting_user: User | None,
    renamed: set[int],
) -> bool:
    """Create or update one organisation; True when it was written."""
    networks = [terms[(Vocabulary.NETWORK, code)] for code in plan.networks]
    themes = [terms[(Vocabulary.THEME, code)] for code in plan.extras.get("themes", [])]
    if plan.match is None:
        organisation = plan.organisation = Organisation.objects.create(
            source=plan.source,
            external_id=plan.record_id,
            kind=plan.extras.get("kind", OrganisationKind.OTHER_PARTNER),
            can_identify=plan.extras.get("can_identify", False),
            updated_by=acting_user,
            **plan.values,
        )
        organisation.networks.set(networks)
        organisation.themes.set(themes)
        _record_changes(organisation, None, acting_user, {"name": ("", organisation.name)}, terms)
        report.structures.created += 1
        return True
    organisation = plan.organisation = plan.match
    wanted = {
        **plan.values,
        **plan.extras,
        "networks": plan.networks,
        "is_active": True,
        "updated_on": plan.updated_on,
    }
    current = _organisation_state(organisation)
    changed = _diff(current, wanted)
    if not changed:
        report.structures.unchanged += 1
        return False
    if "name" in changed:
        renamed.add(organisation.pk)
    fields = [name for name in changed if name not in ("networks", "themes", "updated_on")]
    for name in fields:
        setattr(organisation, name, wanted[name])
    organisation.updated_by = acting_user
    organisation.save(update_fields=[*fields, "updated_by"])
    if "networks" in changed:
        organisation.networks.set(networks)
    if "themes" in changed:
        organisation.themes.set(themes)
    _record_changes(organisation, None, acting_user, {name: (current[name], wanted[name]) for name in changed}, terms)
    report.structures.updated += 1
    return True


def _service_state(service: Service, area: list[str]) -> Record:
    return {
        "organisation_id": service.organisation_id,
        "name": service.name,
        "description": service.description,
        "conditions": service.conditions,
        "how_to_refer": service.how_to_refer,
        "address": service.address,
        "commune_id": service.commune_id,
        "updated_on": service.updated_on,
        "opening_hours": service.opening_hours,
        "is_itinerant": service.is_itinerant,
        "is_active": service.is_active,
        "themes": _codes(service.themes.all()),
        "publics": _codes(service.publics.all()),
        "types": _codes(service.types.all()),
        # An empty list means the organisation's area: compare what the service actually serves.
        "communes": _codes(service.communes.all()) or area,
    }


def _write_service(
    plan: _ServicePlan,
    organisation: Organisation,
    terms: dict[tuple[str, str], Term],
    communes: dict[str, Commune],
    areas: dict[int, list[str]],
    report: ImportReport,
    acting_user: User | None,
) -> None:
    themes = [terms[(Vocabulary.THEME, code)] for code in plan.themes]
    publics = [terms[(Vocabulary.PUBLIC, code)] for code in plan.publics]
    types = [terms[(Vocabulary.SERVICE_TYPE, code)] for code in plan.types]
    served = [communes[code] for code in plan.communes or []]
    if plan.match is None:
        values = dict(plan.values)
        create_service(
            organisation,
            name=values.pop("name"),
            updated_on=values.pop("updated_on"),
            themes=themes,
            publics=publics,
            types=types,
            communes=served,
            acting_user=acting_user,
            source=plan.source,
            external_id=plan.record_id,
            **values,
        )
        report.services.created += 1
        return
    service = plan.match
    area = areas.get(service.organisation.territory_id, []) if service.organisation.territory_id else []
    wanted: Record = {
        **plan.values,
        "organisation_id": organisation.pk,
        "is_active": True,
        "themes": plan.themes,
        "publics": plan.publics,
        "types": plan.types,
    }
    if plan.communes is not None:
        wanted["communes"] = plan.communes
    current = _service_state(service, area)
    changed = _diff(current, wanted)
    if not changed:
        report.services.unchanged += 1
        return
    fields = [name for name in changed if name not in _VOCABULARY_OF and name != "communes"]
    for name in fields:
        setattr(service, name, wanted[name])
    service.organisation = organisation
    # updated_at is the version the edit form checks: an import is a concurrent edit too.
    service.save(update_fields=[*fields, "updated_at"])
    refresh_search_text([service])
    if "themes" in changed:
        service.themes.set(themes)
    if "publics" in changed:
        service.publics.set(publics)
    if "types" in changed:
        service.types.set(types)
    if "communes" in changed or ("organisation_id" in changed and plan.communes is not None):
        service.communes.set(served)
    _record_changes(
        organisation, service, acting_user, {name: (current[name], wanted[name]) for name in changed}, terms
    )
    report.services.updated += 1
