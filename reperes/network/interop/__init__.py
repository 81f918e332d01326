"""Import and export of the partner directory in the data·inclusion format (structures and services).

Every exported record is checked with the schema package (`data_inclusion.schema.v1`). The import
is all or nothing: each record is checked first, and a single invalid record leaves the database
untouched. What a data·inclusion record cannot carry exactly (the kind of partner, whether it can
identify young people, a second service type...) travels in a sidecar key of the top-level document,
« reperes », keyed by record id; a plain data·inclusion file without it imports with defaults."""

from reperes.network.interop.common import (
    MAX_FILE_BYTES,
    MAX_RECORDS,
    SIDECAR_KEY,
    ImportReport,
    InvalidDocument,
    RecordError,
    parse_document,
    read_document,
    read_upload,
)
from reperes.network.interop.export import export_directory
from reperes.network.interop.importer import import_directory

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RECORDS",
    "SIDECAR_KEY",
    "ImportReport",
    "InvalidDocument",
    "RecordError",
    "export_directory",
    "import_directory",
    "parse_document",
    "read_document",
    "read_upload",
]
