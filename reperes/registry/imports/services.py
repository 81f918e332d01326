"""Writes of a list import: upload, column mapping, check (dry run), all-or-nothing import,
abandon. Large files are checked and imported in the background (worker.py); the page polls the
progress kept on the ListImport."""

import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reperes.network.models import Organisation, User
from reperes.privacy import audit
from reperes.privacy.enums import AccessAction, WriteAction
from reperes.registry.enums import ImportStatus, RowOutcome
from reperes.registry.identity import record_of, refresh_match_keys
from reperes.registry.imports.fields import check_mapping, guess_mapping
from reperes.registry.imports.plan import Plan, PlannedRow, build_plan, draft_youth, registry_mark
from reperes.registry.imports.reading import check_limits, read_table
from reperes.registry.models import DuplicateCandidate, ImportedRow, ListImport, Youth, YouthMatchKey

logger = logging.getLogger(__name__)

# Fields a line may fill on a record already known, when the record lacks them.
COMPLETED_FIELDS = ["usage_name", "sex", "phone", "email", "ine", "left_school_on", "last_level"]


def upload_list(*, user: User, file_name: str, content: bytes, kind: str) -> ListImport:
    """Keep the file for the next steps, once within the limits; guess the column mapping."""
    mission = user.organisation
    if mission is None:
        raise ValidationError(_("Votre compte n'est rattaché à aucune Mission locale."))
    file_format = check_limits(file_name, content)
    sha256 = hashlib.sha256(content).hexdigest()
    done = (
        ListImport.objects.filter(mission_locale=mission, sha256=sha256, status=ImportStatus.DONE)
        .order_by("finished_at")
        .first()
    )
    if done is not None and done.finished_at is not None:
        raise ValidationError(
            _("Ce fichier a déjà été importé le %(date)s : un second import ne créerait rien.")
            % {"date": date_format(timezone.localtime(done.finished_at), "DATETIME_FORMAT")}
        )
    table = read_table(file_format, content)
    list_import = ListImport.objects.create(
        mission_locale=mission,
        kind=kind,
        file_name=file_name[:200],
        file_format=file_format,
        sha256=sha256,
        content=content,
        columns=table.columns,
        mapping=guess_mapping(table.columns),
        row_count=len(table.rows),
        created_by=user,
    )
    logger.info("list_import=%s uploaded: %s rows", list_import.pk, list_import.row_count)
    return list_import


def _move(list_import: ListImport, allowed: tuple[str, ...], status: str, **fields: Any) -> None:
    """Change the status only if it is still one of `allowed` (compare and set): a double click,
    a cancel racing an import or a second process cannot both go through."""
    changed = ListImport.objects.filter(pk=list_import.pk, status__in=allowed).update(
        status=status, updated_at=timezone.now(), **fields
    )
    if not changed:
        list_import.refresh_from_db(fields=["status"])
        raise ValidationError(
            _("Cet import est « %(status)s » : action impossible.") % {"status": list_import.get_status_display()}
        )
    list_import.status = status
    for name, value in fields.items():
        setattr(list_import, name, value)


def set_mapping(list_import: ListImport, mapping: dict[str, int]) -> ListImport:
    errors = check_mapping(mapping, list_import.columns)
    if errors:
        raise ValidationError(errors)
    _move(
        list_import,
        (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.INVALID),
        ImportStatus.CHECKING,
        mapping=mapping,
        progress=0,
    )
    return list_import


def _progress(list_import: ListImport):  # type: ignore[no-untyped-def]
    def report(done: int) -> None:
        # updated_at too: a running job is not a stalled one (worker.recover_stalled).
        ListImport.objects.filter(pk=list_import.pk).update(progress=done, updated_at=timezone.now())

    return report


def run_check(list_import: ListImport) -> ListImport:
    """The dry run: every bad line reported, and what the import would do with the others."""
    try:
        plan = build_plan(list_import, on_progress=_progress(list_import))
    except ValidationError as error:
        plan = Plan(errors=[{"line": 0, "column": "", "reason": error.messages[0]}])
    status = ImportStatus.INVALID if plan.errors else ImportStatus.CHECKED
    _move(list_import, (ImportStatus.CHECKING,), status, report=plan.report(), progress=list_import.row_count)
    # « Déjà connu d'une autre Mission locale » is a disclosure, logged as for a signal's lookup.
    elsewhere = [row.youth_id for row in plan.rows if row.outcome == RowOutcome.ELSEWHERE and row.youth_id]
    audit.record_access(
        list_import.created_by, elsewhere, action=AccessAction.LOOKUP, reason=f"import={list_import.pk}"
    )
    return list_import


def start_import(list_import: ListImport) -> ListImport:
    _move(list_import, (ImportStatus.CHECKED,), ImportStatus.IMPORTING, progress=0)
    return list_import


def run_import(list_import: ListImport, *, user: User) -> ListImport:
    """Write every line or none. The check's decisions are reused when nothing was written to
    the registry since; inside the write transaction, which holds the Mission locale's lock, the
    registry is looked at again, so that two imports (or a signal) in between are seen."""
    plan = build_plan(list_import, on_progress=_progress(list_import), reuse=list_import.report)
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=list_import.mission_locale_id).first()
        if not plan.errors and plan.registry_mark != registry_mark():
            plan = build_plan(list_import)
        if plan.errors:
            _move(list_import, (ImportStatus.IMPORTING,), ImportStatus.INVALID, report=plan.report())
            return list_import
        _write(plan, list_import, user=user)
        _move(
            list_import,
            (ImportStatus.IMPORTING,),
            ImportStatus.DONE,
            report=plan.report(),
            content=None,  # the file is personal data: the records now hold what is needed
            progress=list_import.row_count,
            finished_at=timezone.now(),
        )
    logger.info("list_import=%s done: %s", list_import.pk, plan.counts)
    return list_import


def fail(list_import_id: int) -> None:
    """A crash during a check or an import: the transaction rolled back, so nothing was written.
    Only a running job is marked (never one that finished in between)."""
    ListImport.objects.filter(pk=list_import_id, status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]).update(
        status=ImportStatus.FAILED,
        content=None,
        updated_at=timezone.now(),
        report={"errors": [{"line": 0, "column": "", "reason": _("Erreur inattendue : rien n'a été importé.")}]},
    )


def cancel_import(list_import: ListImport) -> ListImport:
    _move(
        list_import,
        (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.INVALID),
        ImportStatus.CANCELLED,
        content=None,
    )
    return list_import


def _write(plan: Plan, list_import: ListImport, *, user: User) -> None:
    new_rows = [row for row in plan.rows if row.outcome in (RowOutcome.CREATED, RowOutcome.REVIEW)]
    youths = [draft_youth(row.values, list_import) for row in new_rows]
    Youth.objects.bulk_create(youths)
    if any(y.pk is None for y in youths):  # a backend without RETURNING: fetch the ids back
        raise RuntimeError("bulk_create did not return primary keys")
    YouthMatchKey.objects.bulk_create(YouthMatchKey(youth=youth, key=key) for youth in youths for key in _keys(youth))
    youth_of_line: dict[int, int] = {row.line: youth.pk for row, youth in zip(new_rows, youths, strict=True)}
    audit.record_writes(
        ((youth, _after(row, list_import)) for row, youth in zip(new_rows, youths, strict=True)),
        acting_user=user,
        action=WriteAction.IMPORT,
    )
    candidates = []
    for row, youth in zip(new_rows, youths, strict=True):
        if row.outcome == RowOutcome.REVIEW and row.youth_id:
            a, b = sorted((row.youth_id, youth.pk))
            candidates.append(
                DuplicateCandidate(youth_a_id=a, youth_b_id=b, score=row.score, explanation=row.explanation[:300])
            )
    DuplicateCandidate.objects.bulk_create(candidates, ignore_conflicts=True)
    known = Youth.objects.in_bulk([row.youth_id for row in plan.rows if row.outcome == RowOutcome.KNOWN])
    for row in plan.rows:
        if row.outcome == RowOutcome.KNOWN and row.youth_id:
            _complete(known[row.youth_id], row, user=user)
            youth_of_line[row.line] = row.youth_id
    imported = []
    for row in plan.rows:
        if row.outcome == RowOutcome.IN_FILE and row.same_as_line in youth_of_line:
            youth_of_line[row.line] = youth_of_line[row.same_as_line]
        if row.line in youth_of_line:
            row.youth_id = youth_of_line[row.line]
            imported.append(
                ImportedRow(
                    list_import=list_import,
                    line=row.line,
                    fingerprint=row.fingerprint,
                    youth_id=row.youth_id,
                    outcome=row.outcome,
                )
            )
    ImportedRow.objects.bulk_create(imported)


def _keys(youth: Youth) -> list[str]:
    from reperes.matching import blocking_keys

    return sorted(set(blocking_keys(record_of(youth))))


def _after(row: PlannedRow, list_import: ListImport) -> dict[str, Any]:
    after = {name: audit.snapshot_value(value) for name, value in row.values.items()}
    after["list_import"] = list_import.pk
    after["line"] = row.line
    return after


def _complete(youth: Youth, row: PlannedRow, *, user: User) -> None:
    """A known youth: the line fills what the record lacks, and changes nothing it holds."""
    before: dict[str, Any] = {}
    for name in COMPLETED_FIELDS:
        value = row.values.get(name)
        if value and not getattr(youth, name):
            before[name] = getattr(youth, name)
            setattr(youth, name, value)
    if before:
        youth.refresh_search_name()
        youth.save(update_fields=[*before, "search_name", "updated_at"])
        refresh_match_keys(youth)  # a usage name is a name the engine compares
        audit.record_write(
            youth,
            acting_user=user,
            action=WriteAction.IMPORT,
            before=before,
            after={name: audit.snapshot_value(getattr(youth, name)) for name in before},
        )
