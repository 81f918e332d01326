"""Decide every line of a list without writing anything: its errors, or what importing it would
do (create a record, complete a known one, send a pair to review, skip a line already imported or
a repeat of an earlier line). The check and the import run the same plan, so what the check
announced is what the import does — unless the registry changed in between, which the import sees."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from reperes.matching import Outcome, blocking_keys, dedupe, pairs
from reperes.privacy.models import WriteRecord
from reperes.privacy.throttle import allow_lookup
from reperes.registry.enums import BirthPrecision, ImportStatus, RowOutcome, YouthStatus
from reperes.registry.identity import find_known, record_of
from reperes.registry.imports.fields import TARGETS, LineChecker, Row
from reperes.registry.imports.reading import read_table
from reperes.registry.models import ImportedRow, ListImport, Youth, YouthMatchKey
from reperes.territory.models import Territory
from reperes.territory.text import fold

PROGRESS_EVERY = 100


@dataclass
class PlannedRow:
    line: int
    values: dict[str, Any]
    fingerprint: str
    outcome: str = RowOutcome.CREATED
    youth_id: int | None = None  # the known record (KNOWN, ALREADY) or the likely duplicate (REVIEW)
    same_as_line: int | None = None  # IN_FILE
    score: float = 0.0
    explanation: str = ""


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"line", "column", "reason"}
    registry_mark: list[int] = field(default_factory=list)  # registry_mark() before planning

    @property
    def counts(self) -> dict[str, int]:
        counts = {outcome.value: 0 for outcome in RowOutcome}
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def report(self) -> dict[str, Any]:
        return {
            "errors": self.errors,
            "counts": self.counts,
            "lines": [
                {
                    "line": r.line,
                    "outcome": r.outcome,
                    "youth": r.youth_id,
                    "same_as_line": r.same_as_line,
                    "score": r.score,
                    "explanation": r.explanation,
                }
                for r in self.rows
            ],
            "registry_mark": self.registry_mark,
        }


def fingerprint(values: dict[str, Any]) -> str:
    """The same person's line, whatever the file's layout or accents: a hash of folded values."""
    parts = []
    for target in TARGETS:
        value = values.get(target.name)
        if value is None or value == "":
            continue
        text = value.pk if hasattr(value, "pk") else value
        parts.append(f"{target.name}={fold(str(text))}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def draft_youth(values: dict[str, Any], list_import: ListImport) -> Youth:
    youth = Youth(
        mission_locale=list_import.mission_locale,
        birth_precision=values.get("birth_precision", BirthPrecision.UNKNOWN),
        **{k: v for k, v in values.items() if k not in ("birth_precision",)},
    )
    youth.refresh_search_name()
    return youth


def registry_mark() -> list[int]:
    """Changes whenever anything is written to personal data (every write leaves a WriteRecord):
    the last id, and the count, since on PostgreSQL a transaction may commit a lower id later."""
    found = WriteRecord.objects.aggregate(last=Max("pk"), count=Count("pk"))
    return [found["last"] or 0, found["count"]]


def build_plan(
    list_import: ListImport, *, on_progress: Callable[[int], None] | None = None, reuse: dict[str, Any] | None = None
) -> Plan:
    """The plan of the whole file. With `reuse` (the check's report), the lines are validated
    again but their decisions are taken from the report instead of being matched again, except
    those that the records written since the check may concern (redecide)."""
    table = read_table(list_import.file_format, bytes(list_import.content or b""))
    mission = list_import.mission_locale
    codes = (
        set(
            Territory.communes.through.objects.filter(territory_id=mission.territory_id).values_list(
                "commune_id", flat=True
            )
        )
        if mission.territory_id
        else set()
    )
    checker = LineChecker(table.columns, list_import.mapping, codes)
    plan = Plan(registry_mark=registry_mark())  # before planning: a write during it is a change
    valid: list[Row] = []
    for n, (line, cells) in enumerate(table.rows, start=1):
        row = checker.check(line, cells)
        if row.errors:
            plan.errors += [{"line": line, "column": column, "reason": reason} for column, reason in row.errors]
        else:
            valid.append(row)
        if on_progress and n % PROGRESS_EVERY == 0:
            on_progress(n // 2)
    if plan.errors:
        return plan
    planned = [PlannedRow(row.line, row.values, fingerprint(row.values)) for row in valid]
    if reuse and reuse.get("registry_mark") and _reuse(planned, reuse):
        if reuse["registry_mark"] != plan.registry_mark:
            changed = youths_written_since(reuse["registry_mark"])
            redecide(planned, list_import, changed=changed, own=set())
        plan.rows = planned
        return plan
    _skip_already_imported(planned, list_import)
    _group_repeats(planned, list_import)
    for n, planned_row in enumerate(planned, start=1):
        if planned_row.outcome == RowOutcome.CREATED:
            _against_registry(planned_row, list_import)
        if on_progress and n % PROGRESS_EVERY == 0:
            on_progress(len(table.rows) // 2 + n // 2)
    plan.rows = planned
    return plan


def youths_written_since(mark: list[int]) -> set[int] | None:
    """The records written to since `registry_mark()` gave `mark`; None when that cannot be told
    (on PostgreSQL, a transaction may commit a lower id later: the count then disagrees)."""
    last, count = mark
    since = list(WriteRecord.objects.filter(pk__gt=last).values_list("model", "object_id"))
    if count + len(since) != registry_mark()[1]:
        return None
    return {object_id for model, object_id in since if model == "registry.youth"}


def redecide(
    rows: list[PlannedRow], list_import: ListImport, *, changed: set[int] | None, own: set[int]
) -> list[PlannedRow]:
    """Decide again, against the registry as it is now, the lines that the records written since
    may concern: the import writes in batches, and between two of them a signal, a merge or
    another import may have changed what a line is. A line is concerned when it shares a blocking
    key or its INE with a changed record, or was decided against one; all of them when the
    changes are not known (`changed` None). A repeat of an earlier line stays one (it follows
    that line), and a record this import created (`own`) is no match: the file's own grouping
    decided those lines were different people, as the check said. Returns the lines redecided."""
    rows = [row for row in rows if row.outcome != RowOutcome.IN_FILE]
    if changed is not None:
        keys = set(YouthMatchKey.objects.filter(youth_id__in=changed).values_list("key", flat=True))
        ines = set(Youth.objects.filter(pk__in=changed).exclude(ine="").values_list("ine", flat=True))
        rows = [
            row
            for row in rows
            if row.youth_id in changed
            or (row.values.get("ine") and row.values["ine"] in ines)
            or blocking_keys(record_of(draft_youth(row.values, list_import))) & keys
        ]
    for row in rows:
        row.outcome, row.youth_id, row.score, row.explanation = RowOutcome.CREATED, None, 0.0, ""
    _skip_already_imported(rows, list_import)
    for row in rows:
        if row.outcome == RowOutcome.CREATED:
            _against_registry(row, list_import)
        if row.youth_id in own:
            row.outcome, row.youth_id, row.score, row.explanation = RowOutcome.CREATED, None, 0.0, ""
    return rows


def _reuse(planned: list[PlannedRow], report: dict[str, Any]) -> bool:
    decided = {line["line"]: line for line in report.get("lines", [])}
    if set(decided) != {row.line for row in planned}:
        return False
    for row in planned:
        line = decided[row.line]
        row.outcome, row.youth_id, row.same_as_line = line["outcome"], line["youth"], line["same_as_line"]
        row.score, row.explanation = line.get("score", 0.0), line.get("explanation", "")
    return True


def _skip_already_imported(planned: list[PlannedRow], list_import: ListImport) -> None:
    previous = dict(
        ImportedRow.objects.filter(
            list_import__mission_locale=list_import.mission_locale,
            list_import__status=ImportStatus.DONE,
            fingerprint__in=[row.fingerprint for row in planned],
        ).values_list("fingerprint", "youth_id")
    )
    for row in planned:
        if row.fingerprint in previous:
            row.outcome, row.youth_id = RowOutcome.ALREADY, previous[row.fingerprint]


def _group_repeats(planned: list[PlannedRow], list_import: ListImport) -> None:
    """A person listed twice in one file is imported once: later lines join the first."""
    fresh = {str(row.line): row for row in planned if row.outcome == RowOutcome.CREATED}
    records = [record_of(draft_youth(row.values, list_import))._replace(id=line) for line, row in fresh.items()]
    parent = {line: line for line in fresh}

    def root(line: str) -> str:
        while parent[line] != line:
            line = parent[line]
        return line

    for pair in pairs(dedupe(records), symmetric=True):
        a, b = sorted((root(pair.left), root(pair.right)), key=int)
        parent[b] = a
    for line, row in fresh.items():
        first = root(line)
        if first != line:
            row.outcome, row.same_as_line = RowOutcome.IN_FILE, int(first)


def _elsewhere(row: PlannedRow, list_import: ListImport, youth_id: int) -> None:
    """« Déjà connu d'une autre Mission locale » is a disclosure: told within the importer's hourly
    allowance of such answers (the one the signal form counts, privacy.throttle.allow_lookup).
    Beyond it the line opens a record here like any new one, and nothing is said about elsewhere."""
    if allow_lookup(list_import.created_by_id):
        row.youth_id, row.outcome = youth_id, RowOutcome.ELSEWHERE
    else:
        row.youth_id, row.explanation, row.score = None, "", 0.0


def _against_registry(row: PlannedRow, list_import: ListImport) -> None:
    mission = list_import.mission_locale
    ine = row.values.get("ine")
    if ine:
        known = Youth.objects.filter(ine=ine, status=YouthStatus.ACTIVE).values_list("pk", "mission_locale_id").first()
        if known:
            row.explanation = "même INE"
            if known[1] == mission.pk:
                row.youth_id, row.outcome = known[0], RowOutcome.KNOWN
            else:
                _elsewhere(row, list_import, known[0])
            return
    decision, youths = find_known(record_of(draft_youth(row.values, list_import)))
    if decision.best is None or decision.outcome == Outcome.NEW:
        return
    youth = youths[decision.best.id]
    row.score, row.explanation = decision.best.score, decision.best.explanation
    if decision.outcome == Outcome.SAME:
        if youth.mission_locale_id == mission.pk:
            row.youth_id, row.outcome = youth.pk, RowOutcome.KNOWN
        else:
            _elsewhere(row, list_import, youth.pk)
    elif youth.mission_locale_id == mission.pk:
        row.youth_id, row.outcome = youth.pk, RowOutcome.REVIEW
