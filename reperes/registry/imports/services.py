"""Writes of a list import: upload, column mapping, check (dry run), all-or-nothing import
(written in short batches, undone if it fails), abandon. Large files are checked and imported by
the background worker (worker.py, tasks.py); the page polls the progress kept on the ListImport."""

import hashlib
import logging
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reperes.network.models import Organisation, User
from reperes.privacy import audit
from reperes.privacy.enums import AccessAction, WriteAction
from reperes.privacy.models import WriteRecord
from reperes.registry.enums import ImportStatus, RowOutcome, YouthStatus
from reperes.registry.identity import record_of, refresh_match_keys
from reperes.registry.imports.fields import check_mapping, guess_mapping
from reperes.registry.imports.plan import (
    Plan,
    PlannedRow,
    build_plan,
    draft_youth,
    redecide,
    registry_mark,
    youths_written_since,
)
from reperes.registry.imports.reading import check_limits, read_table
from reperes.registry.models import (
    Consent,
    DuplicateCandidate,
    ImportedRow,
    ListImport,
    Merge,
    Signal,
    Youth,
    YouthMatchKey,
)

logger = logging.getLogger(__name__)

# Fields a line may fill on a record already known, when the record lacks them.
COMPLETED_FIELDS = ["usage_name", "sex", "phone", "email", "ine", "left_school_on", "last_level"]
# Lines written per transaction: a signal sent during an import waits for one batch at most.
BATCH_ROWS = 200
NEW = (RowOutcome.CREATED, RowOutcome.REVIEW)  # the lines that create a record
SQLITE_PAUSE = 0.12  # seconds between two batches, longer than the busy handler's longest sleep


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


def _progress(list_import: ListImport, *, offset: int = 0, share: float = 1.0):  # type: ignore[no-untyped-def]
    """A progress reporter, writing at most once a second: the ListImport row holds the file and
    the check's report, so each update rewrites megabytes (SQLite's WAL then grows, and the
    checkpoints slow every other writer down)."""
    last = [0.0]

    def report(done: int) -> None:
        if time.monotonic() - last[0] < 1:
            return
        last[0] = time.monotonic()
        # updated_at too: a running job is not a stalled one (worker.recover_stalled).
        ListImport.objects.filter(pk=list_import.pk).update(
            progress=offset + int(done * share), updated_at=timezone.now()
        )

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


class ImportStopped(Exception):
    """The import is no longer « en cours » (marked failed meanwhile): stop writing."""


def _lock_mission(list_import: ListImport) -> None:
    """The Mission locale's lock, held by each batch of an import and by its undoing: two
    imports of one Mission locale write one batch at a time, and a batch never runs beside
    the undoing of its own import. (SQLite has one writer at a time anyway.)"""
    Organisation.objects.select_for_update(no_key=True).filter(pk=list_import.mission_locale_id).first()


def run_import(list_import: ListImport, *, user: User) -> ListImport:
    """Write every line, in batches of BATCH_ROWS lines each in its own short transaction, so
    that another writer (a partner sending a signal) waits for one batch at most, never for the
    whole file. All or nothing stays true for the person importing: the import is « en cours »
    until its last batch, and should it fail, `fail` undoes what its batches wrote (undo_import).

    The check's decisions are reused when nothing was written to the registry since. Each batch,
    under the Mission locale's lock, looks at the registry again: if anything was written since
    the previous batch (a signal, a merge, another import), the batch's lines are decided again."""
    half = list_import.row_count // 2
    plan = build_plan(list_import, on_progress=_progress(list_import, share=0.5), reuse=list_import.report)
    if plan.errors:
        _move(list_import, (ImportStatus.IMPORTING,), ImportStatus.INVALID, report=plan.report())
        return list_import
    mark, written = plan.registry_mark, 0
    youth_of_line: dict[int, int] = {}  # line -> record, across batches
    progress = _progress(list_import, offset=half, share=(list_import.row_count - half) / max(len(plan.rows), 1))
    for start in range(0, len(plan.rows), BATCH_ROWS):
        batch = plan.rows[start : start + BATCH_ROWS]
        began, redecided = time.monotonic(), []
        with transaction.atomic():
            _lock_mission(list_import)
            locked = time.monotonic()
            if not ListImport.objects.filter(pk=list_import.pk, status=ImportStatus.IMPORTING).exists():
                raise ImportStopped
            if registry_mark() != mark:
                own = {youth_of_line[row.line] for row in plan.rows[:start] if row.outcome in NEW}
                redecided = redecide(batch, list_import, changed=youths_written_since(mark), own=own)
            _write(batch, list_import, user=user, youth_of_line=youth_of_line)
            mark = registry_mark()  # our own writes included: only someone else's change is seen next
            written += len(batch)
            progress(written)
        if connection.vendor == "sqlite":
            # A writer waiting for SQLite's lock polls it (every 100 ms at most), and would only
            # find it free by chance between two batches: leave it a window.
            time.sleep(SQLITE_PAUSE)
        logger.debug(
            "list_import=%s batch=%s: %s lines decided again, lock waited %.0f ms, held %.0f ms",
            list_import.pk,
            start // BATCH_ROWS,
            len(redecided),
            (locked - began) * 1000,
            (time.monotonic() - locked) * 1000,
        )
    with transaction.atomic():
        _lock_mission(list_import)
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
    """A crash during a check or an import: the batches already written are undone, so that
    nothing of the file stays. Only a running job is marked (never one that finished in between);
    marked first, under the lock, so that a batch still running elsewhere stops (ImportStopped)."""
    list_import = ListImport.objects.filter(pk=list_import_id).first()
    if list_import is None:
        return
    with transaction.atomic():
        _lock_mission(list_import)
        changed = ListImport.objects.filter(
            pk=list_import_id, status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]
        ).update(
            status=ImportStatus.FAILED,
            content=None,
            updated_at=timezone.now(),
            report={"errors": [{"line": 0, "column": "", "reason": _("Erreur inattendue : rien n'a été importé.")}]},
        )
    if changed:
        undo_import(list_import)


def undo_import(list_import: ListImport) -> int:
    """Take back what the batches of a failed import wrote, batch by batch under the lock, and
    return how many records were kept. A record the import created is deleted, unless someone
    attached to it since (a signal, a consent, a merge, another list, an edit): it is then the
    registry's, and kept. A known record it completed gets its empty fields back, unless they
    changed since. Each step deletes its ImportedRow lines, so an undo stopped half-way is
    taken up again where it stopped (recover_stalled)."""
    kept = 0
    while True:
        with transaction.atomic():
            _lock_mission(list_import)
            rows = list(ImportedRow.objects.filter(list_import=list_import).order_by("pk")[:BATCH_ROWS])
            if not rows:
                break
            kept += _undo_rows(list_import, rows)
    if kept:
        ListImport.objects.filter(pk=list_import.pk).update(
            report={
                "errors": [
                    {
                        "line": 0,
                        "column": "",
                        "reason": ngettext(
                            "Erreur inattendue : l'import a été annulé. %(n)s dossier qu'il avait créé est "
                            "gardé, car complété depuis par un autre signalement, une autre liste ou un conseiller.",
                            "Erreur inattendue : l'import a été annulé. %(n)s dossiers qu'il avait créés sont "
                            "gardés, car complétés depuis par un autre signalement, une autre liste ou un conseiller.",
                            kept,
                        )
                        % {"n": kept},
                    }
                ]
            }
        )
    logger.info("list_import=%s undone, %s records kept", list_import.pk, kept)
    return kept


def _undo_rows(list_import: ListImport, rows: list[ImportedRow]) -> int:
    created = {row.youth_id for row in rows if row.outcome in (RowOutcome.CREATED, RowOutcome.REVIEW)}
    completed = {row.youth_id for row in rows if row.outcome == RowOutcome.KNOWN}
    # With the lines of this import that joined those records (repeats, later batches).
    ours = Q(pk__in=[row.pk for row in rows]) | Q(list_import=list_import, youth_id__in=created)
    ImportedRow.objects.filter(ours).delete()
    for record in WriteRecord.objects.filter(
        model="registry.youth", object_id__in=completed, action=WriteAction.IMPORT, after__list_import=list_import.pk
    ).exclude(before={}):
        _uncomplete(record, list_import)
    kept = _attached_since(created, list_import)
    removed = sorted(created - kept)
    audit.record_writes(
        ((Youth(pk=pk), {"list_import": list_import.pk, "undone": True}) for pk in removed),
        acting_user=None,
        action=WriteAction.IMPORT,
    )
    Youth.objects.filter(pk__in=removed).delete()  # with their match keys and review pairs
    return len(kept)


def _attached_since(youth_ids: set[int], list_import: ListImport) -> set[int]:
    """The records among these that someone else used since the import created them."""
    if not youth_ids:
        return set()
    used = set(Signal.objects.filter(youth_id__in=youth_ids).values_list("youth_id", flat=True))
    used |= set(Consent.objects.filter(youth_id__in=youth_ids).values_list("youth_id", flat=True))
    used |= set(Merge.objects.filter(kept_id__in=youth_ids).values_list("kept_id", flat=True))
    used |= set(Merge.objects.filter(absorbed_id__in=youth_ids).values_list("absorbed_id", flat=True))
    used |= set(
        ImportedRow.objects.filter(youth_id__in=youth_ids)
        .exclude(list_import=list_import)
        .values_list("youth_id", flat=True)
    )
    used |= set(
        WriteRecord.objects.filter(model="registry.youth", object_id__in=youth_ids)
        .exclude(action=WriteAction.IMPORT)
        .values_list("object_id", flat=True)
    )
    used |= set(Youth.objects.filter(pk__in=youth_ids).exclude(status=YouthStatus.ACTIVE).values_list("pk", flat=True))
    return used & youth_ids


def _uncomplete(record: WriteRecord, list_import: ListImport) -> None:
    """Empty again the fields an import filled on a known record, those still as it left them."""
    youth = Youth.objects.select_for_update().filter(pk=record.object_id).first()
    if youth is None:
        return
    restored = {
        name: empty
        for name, empty in record.before.items()
        if audit.snapshot_value(getattr(youth, name)) == record.after.get(name)
    }
    if not restored:
        return
    before = {name: audit.snapshot_value(getattr(youth, name)) for name in restored}
    for name, empty in restored.items():
        setattr(youth, name, empty)
    youth.refresh_search_name()
    youth.save(update_fields=[*restored, "search_name", "updated_at"])
    refresh_match_keys(youth)
    audit.record_write(
        youth,
        acting_user=None,
        action=WriteAction.IMPORT,
        before=before,
        after={**restored, "list_import": list_import.pk, "undone": True},
    )


def cancel_import(list_import: ListImport) -> ListImport:
    _move(
        list_import,
        (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.INVALID),
        ImportStatus.CANCELLED,
        content=None,
    )
    return list_import


def _write(rows: list[PlannedRow], list_import: ListImport, *, user: User, youth_of_line: dict[int, int]) -> None:
    """One batch of lines. `youth_of_line` carries the records of earlier batches' lines, which
    a later repeat of them joins."""
    new_rows = [row for row in rows if row.outcome in (RowOutcome.CREATED, RowOutcome.REVIEW)]
    youths = [draft_youth(row.values, list_import) for row in new_rows]
    Youth.objects.bulk_create(youths)
    if any(y.pk is None for y in youths):  # a backend without RETURNING: fetch the ids back
        raise RuntimeError("bulk_create did not return primary keys")
    YouthMatchKey.objects.bulk_create(YouthMatchKey(youth=youth, key=key) for youth in youths for key in _keys(youth))
    youth_of_line.update({row.line: youth.pk for row, youth in zip(new_rows, youths, strict=True)})
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
    known = Youth.objects.in_bulk([row.youth_id for row in rows if row.outcome == RowOutcome.KNOWN])
    for row in rows:
        if row.outcome == RowOutcome.KNOWN and row.youth_id:
            _complete(known[row.youth_id], row, list_import, user=user)
            youth_of_line[row.line] = row.youth_id
    imported = []
    for row in rows:
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


def _complete(youth: Youth, row: PlannedRow, list_import: ListImport, *, user: User) -> None:
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
            # The import's id: undo_import finds what to empty again should the import fail.
            after={
                **{name: audit.snapshot_value(getattr(youth, name)) for name in before},
                "list_import": list_import.pk,
            },
        )
