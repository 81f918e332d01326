"""What export and import share: identities, limits, reports, reading a file."""

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from reperes.network.models import Term
from reperes.territory.models import Commune, Territory

DEFAULT_SOURCE = "reperes"
SIDECAR_KEY = "reperes"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 50_000

# Ids we give records that have no identity in another directory: « reperes--<pk> ».
_OWN_ID = re.compile(r"^reperes--(\d+)$")
_NATIONAL_ZONES = {"france", "99100"}
# Stay well under SQLite's limit on query parameters.
_CHUNK = 900

_NAME_MAX = 150  # the schema's limit on « nom » (ours is 200 for organisations)
_TEXT_MIN = 5  # the schema's minimum length of a description

Record = dict[str, Any]


# --- Reports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordError:
    """One problem with one record: where (« structures[3] »), which record, which field, why."""

    position: str
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.position} ({self.record_id})" if self.record_id else self.position
        return f"{where} — {self.field} : {self.message}" if self.field else f"{where} : {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    structures: Counts = field(default_factory=Counts)
    services: Counts = field(default_factory=Counts)
    errors: list[RecordError] = field(default_factory=list)
    # Values accepted with a loss (a long text cut, a national zone): the import still happens.
    warnings: list[RecordError] = field(default_factory=list)
    dry_run: bool = False

    def summary_lines(self) -> list[str]:
        lines = [
            _("Structures — créées : %(created)d, mises à jour : %(updated)d, inchangées : %(unchanged)d.")
            % vars(self.structures),
            _("Services — créés : %(created)d, mis à jour : %(updated)d, inchangés : %(unchanged)d.")
            % vars(self.services),
        ]
        if self.dry_run:
            lines.append(_("Simulation : rien n'a été enregistré."))
        return lines


class InvalidDocument(Exception):
    """The document was refused as a whole; `report.errors` lists every invalid record."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(_("%(count)d erreur(s) : rien n'a été importé.") % {"count": len(report.errors)})


def _refuse(message: str, position: str = "document") -> InvalidDocument:
    return InvalidDocument(ImportReport(errors=[RecordError(position, "", "", message)]))


# --- Reading a file ---------------------------------------------------------------------------


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise _refuse(
            _("Le fichier pèse %(size)s Mo : la limite est de %(limit)d Mo.")
            % {"size": f"{size / 2**20:.1f}".replace(".", ","), "limit": MAX_FILE_BYTES // 2**20},
            position="fichier",
        )


def parse_document(raw: bytes) -> Any:
    """Parse the bytes of a data·inclusion JSON file, with French messages for what is not JSON."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise _refuse(_("Le fichier n'est pas encodé en UTF-8."), position="fichier") from error
    except json.JSONDecodeError as error:
        raise _refuse(
            _("Le fichier n'est pas un JSON valide (ligne %(line)d, colonne %(column)d).")
            % {"line": error.lineno, "column": error.colno},
            position="fichier",
        ) from error


def read_document(path: str | os.PathLike[str]) -> Any:
    """Parse a data·inclusion JSON file, refusing it before reading when it is too large."""
    _check_size(Path(path).stat().st_size)
    return parse_document(Path(path).read_bytes())


def read_upload(upload: UploadedFile[bytes]) -> Any:
    """The same for a file sent through a form: its size is known before it is read."""
    _check_size(upload.size or 0)
    return parse_document(upload.read())


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _codes(objects: Iterable[Term] | Iterable[Commune]) -> list[str]:
    return sorted(o.code for o in objects)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _territory_codes(territory_ids: Iterable[int]) -> dict[int, list[str]]:
    """Sorted INSEE codes of each territory's communes, in a query per chunk of territories."""
    codes: dict[int, list[str]] = {}
    for chunk in _chunks(sorted(set(territory_ids))):
        rows = Territory.communes.through.objects.filter(territory_id__in=chunk).values_list(
            "territory_id", "commune_id"
        )
        for territory_id, code in rows:
            codes.setdefault(territory_id, []).append(code)
    return {territory_id: sorted(values) for territory_id, values in codes.items()}
