"""Retention (ADR 013, DOMAIN.md): what the platform keeps, and for how long.

- A youth's file with no activity for REPERES_RETENTION_FILE_DAYS (two years: CNIL's social-sector
  référentiel), or whose holder passed REPERES_RETENTION_AGE_LIMIT (25 + 2, as i-milo does), is
  anonymised: identity, contact details and every free text go; the coded facts the bilans count
  (sex, commune, the age band on the day of identification, stages, barriers' kinds, actions,
  outcomes' kinds) stay, so past bilans stay exact, recounted or frozen. Its history records keep
  who changed what and when, never the values.
- A signal that never became a file is deleted REPERES_RETENTION_SIGNAL_DAYS after its last
  activity, with its contact attempts.
- The access log is pruned after REPERES_RETENTION_ACCESS_LOG_DAYS (CNIL: 6 months to a year),
  exports' files past their day are deleted, and so are uploaded lists left unimported for
  REPERES_RETENTION_UPLOAD_DAYS (the import is marked abandoned).

Every campaign's bilan is frozen first (reporting.freeze_bilans), so that nothing published moves.
A dry run counts what a run would change and changes nothing; every run, dry or not, is recorded
(`RetentionRun`), with counts per Mission locale and never a name."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from reperes.mobilisation.models import Attendance, Enrolment
from reperes.network.models import User
from reperes.pathways.enums import ReapproachStatus
from reperes.pathways.models import (
    ContactAttempt,
    FollowUp,
    Note,
    Outcome,
    Pathway,
    PathwayEvent,
    ProfessionalProject,
    Reapproach,
    YouthBarrier,
)
from reperes.privacy.enums import WriteAction
from reperes.privacy.models import AccessLog, RetentionRun, WriteRecord, purge, scrub
from reperes.referrals.models import Referral, ReferralEvent
from reperes.registry.enums import BirthPrecision, ImportStatus, YouthStatus
from reperes.registry.models import (
    Consent,
    DuplicateCandidate,
    ImportedRow,
    ListImport,
    Merge,
    Signal,
    SignalContact,
    Youth,
    YouthMatchKey,
    age_on,
)

BATCH = 500

# The free text of a file, by model and how it reaches the youth: emptied at anonymisation. A
# test (tests/privacy/test_retention.py) fails when a model tied to a youth gains a free-text field
# that is neither here nor in CODED, so a new one cannot be forgotten.
FREE_TEXT: dict[type[models.Model], tuple[str, tuple[str, ...]]] = {
    Youth: ("pk", ("first_names", "last_name", "usage_name", "phone", "email", "ine", "note")),
    Signal: ("youth", ("first_name", "last_name", "phone", "met_where", "referred_to_text")),
    SignalContact: ("signal__youth", ("note",)),
    ContactAttempt: ("youth", ("note",)),
    Reapproach: ("youth", ("note",)),
    YouthBarrier: ("youth", ("detail",)),
    PathwayEvent: ("pathway__youth", ("reason",)),
    ProfessionalProject: ("pathway__youth", ("text",)),
    Outcome: ("pathway__youth", ("organisation_name",)),
    FollowUp: ("outcome__pathway__youth", ("reason",)),
    Referral: ("youth", ("reason", "consent_override_reason", "answer_reason")),
    ReferralEvent: ("referral__youth", ("reason",)),
    # A hash of the line's values: emptied, the row kept (the bilan reads the youth's source from it).
    ImportedRow: ("youth", ("fingerprint",)),
}
# Rows that are nothing but what someone wrote or matched on: deleted at anonymisation.
DELETED_WITH_FILE: dict[type[models.Model], str] = {
    Note: "youth",
    YouthMatchKey: "youth",
}
# Free-text-looking fields that hold codes or the platform's own words, kept.
CODED: dict[type[models.Model], frozenset[str]] = {
    Youth: frozenset({"sex", "birth_precision", "last_level", "status", "search_name", "sort_name"}),
    Signal: frozenset({"sex", "consent", "status", "decline_reason"}),
    DuplicateCandidate: frozenset({"explanation"}),  # the engine's words; the pair is deleted anyway
}
# Every model that holds a youth's data, and how it reaches them (the completeness test walks it).
LINKED: dict[type[models.Model], str] = {
    **{model: path for model, (path, _fields) in FREE_TEXT.items()},
    **DELETED_WITH_FILE,
    Pathway: "youth",
    Consent: "youth",
    Enrolment: "youth",
    Attendance: "enrolment__youth",
    Merge: "kept",  # and "absorbed": its copies of the fields are emptied
    DuplicateCandidate: "youth_a",  # and "youth_b": deleted
}


def _days(name: str) -> timedelta:
    return timedelta(days=int(getattr(settings, name)))


@dataclass(frozen=True)
class Cutoffs:
    """The moments before which each kind of data has expired, for a run at `now`."""

    now: datetime
    files: datetime
    born_before: date
    signals: datetime
    access_log: datetime
    uploads: datetime

    @classmethod
    def at(cls, now: datetime) -> "Cutoffs":
        today = timezone.localdate(now)
        age_limit = int(settings.REPERES_RETENTION_AGE_LIMIT)
        # Born on or before this day: `age_limit + 1` years old or more, past the limit's last year.
        try:
            born_before = today.replace(year=today.year - age_limit - 1)
        except ValueError:  # 29 February
            born_before = today.replace(year=today.year - age_limit - 1, day=28)
        return cls(
            now=now,
            files=now - _days("REPERES_RETENTION_FILE_DAYS"),
            born_before=born_before,
            signals=now - _days("REPERES_RETENTION_SIGNAL_DAYS"),
            access_log=now - _days("REPERES_RETENTION_ACCESS_LOG_DAYS"),
            uploads=now - _days("REPERES_RETENTION_UPLOAD_DAYS"),
        )

    def as_json(self) -> dict[str, str]:
        return {
            "files": self.files.isoformat(),
            "born_before": self.born_before.isoformat(),
            "signals": self.signals.isoformat(),
            "access_log": self.access_log.isoformat(),
            "uploads": self.uploads.isoformat(),
        }


def _latest(queryset: QuerySet[Any], moment: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{moment}").values(moment)[:1], output_field=DateTimeField())


def _of_file(path: str) -> Q:
    """Rows of the file or of a record merged into it: a merge moves signals and consents only, so
    the absorbed record keeps its own contacts, notes and pathways, which are the file's all the same."""
    youth = OuterRef("pk")
    return Q(**{path: youth}) | Q(**{f"{path}__merged_into": youth})


def with_last_activity(youths: QuerySet[Youth]) -> QuerySet[Youth]:
    """Each youth with the last moment anyone met, reached, tried to reach, wrote about or worked
    for them: the file's creation, signals and contacts through the partner, contact attempts,
    pathway events and last contacts, notes, barriers, projects, outcomes, enrolments, attendance,
    referral events, consents — of the file and of the records merged into it. One subquery per
    source, each on an indexed foreign key."""
    sources = [
        _latest(Signal.objects.filter(_of_file("youth")), "created_at"),
        _latest(SignalContact.objects.filter(_of_file("signal__youth")), "recorded_at"),
        _latest(ContactAttempt.objects.filter(_of_file("youth")), "recorded_at"),
        _latest(Pathway.objects.filter(_of_file("youth"), last_contact_at__isnull=False), "last_contact_at"),
        _latest(PathwayEvent.objects.filter(_of_file("pathway__youth")), "at"),
        _latest(Note.objects.filter(_of_file("youth")), "at"),
        _latest(YouthBarrier.objects.filter(_of_file("youth")), "updated_at"),
        _latest(ProfessionalProject.objects.filter(_of_file("pathway__youth")), "recorded_at"),
        _latest(Outcome.objects.filter(_of_file("pathway__youth")), "recorded_at"),
        _latest(Enrolment.objects.filter(_of_file("youth")), "enrolled_at"),
        _latest(Attendance.objects.filter(_of_file("enrolment__youth")), "recorded_at"),
        _latest(ReferralEvent.objects.filter(_of_file("referral__youth")), "at"),
        _latest(Consent.objects.filter(_of_file("youth")), "recorded_at"),
        _latest(Merge.objects.filter(kept=OuterRef("pk")), "merged_at"),
    ]
    # Greatest is NULL on SQLite when one argument is: each falls back to the file's creation.
    return youths.annotate(last_activity=Greatest(*(Coalesce(source, F("created_at")) for source in sources)))


def _still_planned(cutoffs: Cutoffs) -> Combinable:
    """Support still under way whatever the silence: a referral that grants a partner the file, a
    re-approach or a follow-up due from the cutoff on, a follow-up done since."""
    today = timezone.localdate(cutoffs.now)
    since = timezone.localdate(cutoffs.files)
    return (
        Exists(Referral.objects.active(today).filter(_of_file("youth")))
        | Exists(Reapproach.objects.filter(_of_file("youth"), status=ReapproachStatus.PLANNED, due_on__gte=since))
        | Exists(
            FollowUp.objects.filter(_of_file("outcome__pathway__youth")).filter(
                Q(done_on__gte=since) | Q(done_on=None, due_on__gte=since)
            )
        )
    )


def expired_files(cutoffs: Cutoffs) -> QuerySet[Youth]:
    """Files to anonymise: kept records (a merged one goes with the record it was merged into),
    not anonymised yet, silent since the cutoff with nothing planned, or past the age limit."""
    youths = Youth.objects.filter(merged_into=None, anonymised_at=None).exclude(status=YouthStatus.MERGED)
    past_age = Q(birth_date__lte=cutoffs.born_before) & ~Q(birth_precision=BirthPrecision.UNKNOWN)
    silent = Q(last_activity__lt=cutoffs.files) & ~_still_planned(cutoffs)
    return with_last_activity(youths).filter(silent | past_age)


def expired_signals(cutoffs: Cutoffs) -> QuerySet[Signal]:
    """Signals that never became a file, silent since the cutoff (their triage, a contact attempt
    through the partner, its answer) and with no re-approach planned after it (a partner may still
    bring the programme up again until that day)."""
    contacts = SignalContact.objects.filter(signal=OuterRef("pk"))
    last_activity = Greatest(
        F("created_at"),
        Coalesce(F("handled_at"), F("created_at")),
        Coalesce(_latest(contacts, "recorded_at"), F("created_at")),
        Coalesce(_latest(contacts.filter(answered_at__isnull=False), "answered_at"), F("created_at")),
    )
    return (
        Signal.objects.filter(youth=None)
        .exclude(reapproach_on__gte=timezone.localdate(cutoffs.now))
        .alias(last_activity=last_activity)
        .filter(last_activity__lt=cutoffs.signals)
    )


@dataclass
class Changes:
    """What a run changed (or, dry, would change): counts only."""

    files: Counter[int] = field(default_factory=Counter)  # per Mission locale id
    signals: Counter[int] = field(default_factory=Counter)
    access_log: int = 0
    exports: int = 0
    uploads: int = 0
    history_scrubbed: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "files": sum(self.files.values()),
            "signals": sum(self.signals.values()),
            "access_log": self.access_log,
            "exports": self.exports,
            "uploads": self.uploads,
            "history_scrubbed": self.history_scrubbed,
            "files_by_mission": {str(k): v for k, v in sorted(self.files.items())},
            "signals_by_mission": {str(k): v for k, v in sorted(self.signals.items())},
        }


def _record(
    model: type[models.Model], ids: Iterable[int], *, action: str, after: dict[str, Any], acting_user: User | None
) -> None:
    """One history record per row the job changed or deleted, in one insert (its author: the
    administrator who launched it, or nobody for the clock)."""
    WriteRecord.objects.bulk_create(
        WriteRecord(user=acting_user, model=model._meta.label_lower, object_id=pk, action=action, after=after)
        for pk in ids
    )


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


def _with_absorbed(ids: list[int]) -> list[int]:
    """The records merged into these ones (and into those), which hold the same person's data."""
    found, frontier = set(ids), set(ids)
    while frontier:
        frontier = set(Youth.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return sorted(found)


def _year_only(value: date | None) -> date | None:
    return None if value is None else value.replace(month=1, day=1)


def _birth_keeping_the_age_band(birth: date, identified_on: date) -> date:
    """A stand-in birth date that gives the same age on the day of identification (what the bilan
    counts, reperes/reporting/selectors.py) and tells nothing more: the birthday is put a fortnight
    before that day (so that a day's shift of time zone changes nothing), `age` years back."""
    age = age_on(birth, identified_on)
    base = identified_on - timedelta(days=15)
    if (base.month, base.day) == (2, 29):
        base = base.replace(day=28)
    return base.replace(year=base.year - age)


def _scrub_history(model: type[models.Model], ids: Iterable[int], actions: Iterable[str] = ()) -> int:
    """The history records of these rows keep who, when, what kind of change and which fields; the
    values go (they held the names and the free text)."""
    query = WriteRecord.objects.filter(model=model._meta.label_lower, object_id__in=list(ids))
    if actions:
        query = query.filter(action__in=list(actions))
    records = list(query)
    for record in records:
        record.before = dict.fromkeys(record.before)
        record.after = dict.fromkeys(record.after)
    scrub(records, ["before", "after"])
    return len(records)


def _anonymise(batch: list[int], cutoffs: Cutoffs, *, acting_user: User | None) -> tuple[list[int], int]:
    """One batch of files, in one transaction: (the files anonymised, history records scrubbed). Each
    file is checked again under its lock: a contact recorded since the list was made, or another
    pass that got there first, leaves it alone."""
    now = cutoffs.now
    scrubbed = 0
    with transaction.atomic():
        locked = list(Youth.objects.select_for_update().filter(pk__in=batch).values_list("pk", flat=True))
        still = list(expired_files(cutoffs).filter(pk__in=locked).values_list("pk", flat=True))
        if not still:
            return [], 0
        ids = _with_absorbed(still)
        youths = list(Youth.objects.select_for_update().filter(pk__in=ids))
        signals = Signal.objects.filter(youth__in=ids).order_by("-created_at", "-pk")
        # The earliest of each youth comes last, and stays.
        first_signals = dict(signals.values_list("youth_id", "created_at"))
        for youth in youths:
            for name in FREE_TEXT[Youth][1]:
                setattr(youth, name, "")
            if youth.birth_date is not None and youth.birth_precision != BirthPrecision.UNKNOWN:
                identified = timezone.localdate(first_signals.get(youth.pk, youth.created_at))
                youth.birth_date = _birth_keeping_the_age_band(youth.birth_date, identified)
                youth.birth_precision = BirthPrecision.ESTIMATED
            youth.left_school_on = _year_only(youth.left_school_on)
            if youth.status == YouthStatus.ACTIVE:
                youth.status = YouthStatus.ANONYMISED
            youth.anonymised_at = now
            youth.refresh_search_name()
        Youth.objects.bulk_update(
            youths,
            [
                *FREE_TEXT[Youth][1],
                "birth_date",
                "birth_precision",
                "left_school_on",
                "status",
                "anonymised_at",
                "search_name",
                "sort_name",
            ],
        )
        scrubbed += _scrub_history(Youth, ids)
        for model, (path, fields) in FREE_TEXT.items():
            if model is Youth:
                continue
            rows = model._default_manager.filter(**{f"{path}__in": ids})
            row_ids = list(rows.values_list("pk", flat=True))
            rows.update(**dict.fromkeys(fields, ""))
            scrubbed += _scrub_history(model, row_ids)
        Signal.objects.filter(youth__in=ids).update(birth_date=None)  # the file's stand-in keeps the age
        for model, path in DELETED_WITH_FILE.items():
            rows = model._default_manager.filter(**{f"{path}__in": ids})
            scrubbed += _scrub_history(model, list(rows.values_list("pk", flat=True)))
            rows.delete()
        DuplicateCandidate.objects.filter(Q(youth_a__in=ids) | Q(youth_b__in=ids)).delete()
        merges = Merge.objects.filter(Q(kept__in=ids) | Q(absorbed__in=ids))
        scrubbed += _scrub_history(Merge, list(merges.values_list("pk", flat=True)))
        # A merge's record is written on the kept file and holds the fields it took from the other:
        # both sides' merge and undo records lose their values, whichever side goes.
        sides = {pk for pair in merges.values_list("kept_id", "absorbed_id") for pk in pair}
        scrubbed += _scrub_history(Youth, sides, actions=(WriteAction.MERGE, WriteAction.UNMERGE, WriteAction.IMPORT))
        merges.update(kept_before={}, kept_after={})
        _record(Youth, ids, action=WriteAction.ANONYMISE, after={"retention": "anonymised"}, acting_user=acting_user)
    return still, scrubbed


def _delete_signals(batch: list[int], cutoffs: Cutoffs, *, acting_user: User | None) -> tuple[list[int], int]:
    """One batch of signals, checked again under lock: one triaged into a file since is kept."""
    with transaction.atomic():
        locked = list(Signal.objects.select_for_update().filter(pk__in=batch).values_list("pk", flat=True))
        ids = list(expired_signals(cutoffs).filter(pk__in=locked).values_list("pk", flat=True))
        if not ids:
            return [], 0
        contacts = list(SignalContact.objects.filter(signal__in=ids).values_list("pk", flat=True))
        scrubbed = _scrub_history(SignalContact, contacts) + _scrub_history(Signal, ids)
        SignalContact.objects.filter(pk__in=contacts).delete()
        Signal.objects.filter(pk__in=ids).delete()
        _record(Signal, ids, action=WriteAction.DELETE, after={"retention": "deleted"}, acting_user=acting_user)
    return ids, scrubbed


def _stale_uploads(cutoffs: Cutoffs) -> QuerySet[ListImport]:
    """Uploaded lists never imported nor abandoned: their files hold a whole list of names."""
    return ListImport.objects.exclude(content=None).filter(
        created_at__lt=cutoffs.uploads, status__in=[ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.INVALID]
    )


def _abandon_uploads(uploads: QuerySet[ListImport], *, acting_user: User | None) -> int:
    with transaction.atomic():
        ids = list(uploads.select_for_update().values_list("pk", flat=True))
        ListImport.objects.filter(pk__in=ids).update(content=None, status=ImportStatus.CANCELLED)
        _record(
            ListImport,
            ids,
            action=WriteAction.UPDATE,
            after={"status": ImportStatus.CANCELLED, "retention": "file erased"},
            acting_user=acting_user,
        )
    return len(ids)


def run(*, dry_run: bool, acting_user: User | None = None, now: datetime | None = None) -> RetentionRun:
    """One pass of the retention rules: frozen bilans first, then files, signals and the access log,
    each in batches. Recorded whatever it did; a dry run changes nothing but its own record."""
    from reperes.exports.models import ExportJob
    from reperes.exports.services import delete_expired
    from reperes.reporting.services import freeze_bilans

    now = now or timezone.now()
    cutoffs = Cutoffs.at(now)
    record = RetentionRun.objects.create(
        dry_run=dry_run, launched_by=acting_user, started_at=timezone.now(), cutoffs=cutoffs.as_json()
    )
    outcome = Changes()
    files = dict(expired_files(cutoffs).values_list("pk", "mission_locale_id"))
    signals = dict(expired_signals(cutoffs).values_list("pk", "mission_locale_id"))
    old_reads = AccessLog.objects.filter(at__lt=cutoffs.access_log)
    uploads = _stale_uploads(cutoffs)
    if dry_run:
        outcome.files.update(files.values())
        outcome.signals.update(signals.values())
        outcome.access_log = old_reads.count()
        outcome.exports = ExportJob.objects.filter(expires_at__lte=now).count()
        outcome.uploads = uploads.count()
    else:
        if files or signals:
            freeze_bilans(today=timezone.localdate(now))
        for batch in _chunks(sorted(files)):
            done, scrubbed = _anonymise(batch, cutoffs, acting_user=acting_user)
            outcome.files.update(files[pk] for pk in done)
            outcome.history_scrubbed += scrubbed
        for batch in _chunks(sorted(signals)):
            done, scrubbed = _delete_signals(batch, cutoffs, acting_user=acting_user)
            outcome.signals.update(signals[pk] for pk in done)
            outcome.history_scrubbed += scrubbed
        outcome.access_log = purge(old_reads)
        outcome.exports = delete_expired()  # files of exports past their day, should no export have run since
        outcome.uploads = _abandon_uploads(uploads, acting_user=acting_user)
    record.counts = outcome.as_json()
    record.finished_at = timezone.now()
    record.save(update_fields=["counts", "finished_at"])
    return record
