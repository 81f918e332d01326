"""Export of the directory as a data·inclusion document, every record checked with the schema."""

from datetime import date
from typing import Any

import pydantic
from data_inclusion.schema.v1 import Service as SchemaService
from data_inclusion.schema.v1 import Structure as SchemaStructure
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from reperes.network.interop.common import (
    _NAME_MAX,
    _TEXT_MIN,
    DEFAULT_SOURCE,
    SIDECAR_KEY,
    Record,
    _codes,
    _shorten,
    _territory_codes,
)
from reperes.network.models import Organisation, Service
from reperes.territory.models import Commune

# --- Export -----------------------------------------------------------------------------------


def export_directory(organisations_qs: QuerySet[Organisation] | None = None) -> dict[str, Any]:
    """The partners (by default the active partner organisations) and their active services as a
    data·inclusion document: {"structures": [...], "services": [...], "reperes": {...}}, JSON-ready.
    Each record is checked with the schema package; a record that does not fit is a bug and raises
    pydantic's ValidationError."""
    organisations_qs = Organisation.objects.active().partners() if organisations_qs is None else organisations_qs
    organisations = list(
        organisations_qs.select_related("commune").prefetch_related(
            "networks",
            "themes",
            Prefetch(
                "services",
                queryset=Service.objects.filter(is_active=True)
                .select_related("commune")
                .prefetch_related("themes", "publics", "types", "communes"),
            ),
        )
    )
    areas = _territory_codes(o.territory_id for o in organisations if o.territory_id)
    structures: list[Record] = []
    services: list[Record] = []
    sidecar: dict[str, dict[str, Record]] = {"structures": {}, "services": {}}
    for organisation in organisations:
        structure, extras = _structure_record(organisation)
        structures.append(structure)
        sidecar["structures"][structure["id"]] = extras
        area = areas.get(organisation.territory_id, []) if organisation.territory_id else []
        for service in organisation.services.all():
            record, extras = _service_record(service, structure_id=structure["id"], area=area)
            services.append(record)
            if extras:
                sidecar["services"][record["id"]] = extras
    structures.sort(key=lambda r: (r["id"], r["source"]))
    services.sort(key=lambda r: (r["id"], r["source"]))
    _check_export(SchemaStructure, "structures", structures)
    _check_export(SchemaService, "services", services)
    return {"structures": structures, "services": services, SIDECAR_KEY: sidecar}


def _structure_record(organisation: Organisation) -> tuple[Record, Record]:
    name = _shorten(organisation.name, _NAME_MAX)
    description = organisation.description if len(organisation.description) >= _TEXT_MIN else ""
    record = _compact(
        {
            "source": organisation.source or DEFAULT_SOURCE,
            "id": organisation.external_id or f"reperes--{organisation.pk}",
            "nom": name,
            "date_maj": _date_maj(timezone.localdate(organisation.updated_at)),
            "description": description,
            "siret": organisation.siret.replace(" ", ""),
            "adresse": organisation.address,
            "telephone": organisation.phone,
            "courriel": organisation.email,
            "site_web": organisation.website,
            "reseaux_porteurs": _codes(organisation.networks.all()),
            **_place(organisation.commune),
        }
    )
    extras: Record = {
        "kind": organisation.kind,
        "can_identify": organisation.can_identify,
        "themes": _codes(organisation.themes.all()),
    }
    if name != organisation.name:
        extras["name"] = organisation.name
    if description != organisation.description:
        extras["description"] = organisation.description
    return record, extras


def _service_record(service: Service, *, structure_id: str, area: list[str]) -> tuple[Record, Record]:
    themes = _codes(service.themes.all())
    publics = _codes(service.publics.all())
    types = sorted(service.types.all(), key=lambda t: (t.label, t.code))
    # The schema has no category-level theme, and « tous-publics » cannot be combined.
    exported_themes = [code for code in themes if "--" in code]
    exported_publics = ["tous-publics"] if "tous-publics" in publics else publics
    description = _service_description(service)
    record = _compact(
        {
            "source": service.source or DEFAULT_SOURCE,
            "id": service.external_id or f"reperes--{service.pk}",
            "structure_id": structure_id,
            "nom": service.name,
            "description": description,
            "date_maj": _date_maj(service.updated_on),
            "type": types[0].code if types else None,
            "thematiques": exported_themes,
            "publics": exported_publics,
            "conditions_acces": service.conditions,
            "adresse": service.address,
            "zone_eligibilite": _codes(service.communes.all()) or area,
            "mobilisation_precisions": service.how_to_refer,
            **_place(service.commune),
        }
    )
    extras: Record = {}
    if exported_themes != themes:
        extras["themes"] = themes
    if exported_publics != publics:
        extras["publics"] = publics
    if len(types) > 1:
        extras["types"] = sorted(t.code for t in types)
    if description != service.description:
        extras["description"] = service.description
    # Our hours are free text; the schema expects OpenStreetMap « opening_hours ».
    if service.opening_hours:
        extras["opening_hours"] = service.opening_hours
    if service.is_itinerant:
        extras["is_itinerant"] = True
    return record, extras


def _service_description(service: Service) -> str:
    """The schema requires a description of at least five characters: fall back on the name."""
    for text in (service.description, service.name, f"{service.name} ({service.organisation.name})"):
        if len(text) >= _TEXT_MIN:
            return text
    return service.description


def _place(commune: Commune | None) -> Record:
    if commune is None:
        return {}
    return {"code_insee": commune.code, "commune": commune.name, "code_postal": commune.main_postcode}


def _compact(record: Record) -> Record:
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def _date_maj(day: date) -> str:
    # The schema refuses dates after the machine's date.today(), which can lag behind Paris time.
    return min(day, date.today()).isoformat()  # noqa: DTZ011


def _check_export(model: Any, kind: str, records: list[Record]) -> None:
    seen: set[str] = set()
    for index, record in enumerate(records):
        if record["id"] in seen:
            raise ValueError(f"{kind}[{index}]: duplicate id {record['id']!r}")
        seen.add(record["id"])
        try:
            model.model_validate(record)
        except pydantic.ValidationError as error:
            error.add_note(f"{kind}[{index}] id={record['id']!r}")
            raise
