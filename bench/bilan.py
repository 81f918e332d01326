"""The funder's campaign bilan (issue 13) over a registry of N youths in PostgreSQL, against the same
aggregation in DuckDB over the same rows, measured in the same run.

    DATABASE_URL=… .venv-bench/bin/python bench/run.py bilan           # 1,000,000 youths
    DATABASE_URL=… .venv-bench/bin/python bench/run.py --quick bilan   # 20,000

The data: N youths (BENCH_BILAN_YOUTHS; quick 20,000, full 1,000,000) in Mission locales of 100,000
(4 at least), each carrying one project of one closed campaign (400 to 35 days ago, so the bilan's
date is its last day); the first project names its own communes (half of its carrier's). Youths
are identified during the campaign but for 3 % (before it, or after its end); 1 % merged, 1 %
closed « hors public » by an ineligible signal, 1 % closed otherwise. 80 % are reported by a
signal (from ten kinds of partners, or the Mission locale itself; a second signal for some), 12 %
come from a list import (SIEI / RIO or a partner's list), 8 % from neither. 88 % of the others
have a pathway: opened a few days after, a stage every 1–6 weeks up to the furthest (30/25/20/13/12
% at stages 1–5), 12 % exit (a fifth of them come back), events after the bilan's date left out by
the bilan itself. 35 % have 1–3 barriers (a quarter of them only reported or dismissed, not
counted); one action per 500 youths (5 % start before the campaign, 5 % after), six weekly
sessions, one or two running partners; 20 % of the youths past stage 1 enrolled (a tenth in two
actions) with 2–6 attendances each; contact opportunities (signals without a file) for 5 % of N.
All of it is written with COPY (explicit ids; model defaults for the other columns), then ANALYZE.

Timed (median of BENCH_BILAN_RUNS, 5 by default, after a warm-up; every sample checked):
1. `campaign_counts(campaign)`: the exact counts, every query of the bilan (it turns JIT off itself on PostgreSQL);
2. `campaign_bilan(campaign)`: counts, disclosure control, tables and charts — the first read of
   the bilan's date (its BilanSnapshot deleted before each sample, when the model exists) and a
   later read (from the snapshot); `protect` alone too;
3. the page `reporting:campaign` through Django's test client as the funder's officer, first and
   later read, against the accessibility page (the cheapest logged-in page) requested by the same
   officer in the same run; every answer checked: 200, the bilan's title and its first key figure;
4. DuckDB (when importable; never in requirements/base.txt): the same tables' rows exported once by
   psycopg's COPY to CSV in a temporary directory (no network, no postgres extension), loaded into
   an in-memory database, and the same counts computed as SQL; every cell of campaign_counts'
   youths' counts must EQUAL DuckDB's (the run fails otherwise). Query only, and load + query.

PostgreSQL only (COPY); on another database the benchmark says so and stops."""

import os
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reperes.mobilisation.enums import ActionFormat, ActionKind, AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways.enums import BarrierStatus, EventKind, ExitReason
from reperes.pathways.models import Pathway, PathwayEvent, YouthBarrier
from reperes.programme.disclosure import protect
from reperes.programme.models import BudgetLine, Campaign, Project
from reperes.registry.enums import Barrier, BirthPrecision, ListKind, SignalConsent, SignalStatus, YouthStatus
from reperes.registry.models import ImportedRow, ListImport, Signal, Youth
from reperes.reporting import cells
from reperes.reporting import models as reporting_models
from reperes.reporting.bilan import campaign_bilan
from reperes.reporting.enums import Situation
from reperes.reporting.selectors import COUNTED_BARRIERS, CampaignCounts, campaign_counts
from reperes.territory.models import Commune, Territory
from reperes.territory.services import load_reference_data

SEED = 13
PER_MISSION = 100_000  # 10 projects at 1,000,000 youths (a campaign has about seven)
BATCH = 50_000
YOUTHS_PER_ACTION = 500
SESSIONS = 6
SENDERS = (
    OrganisationKind.PREVENTION,
    OrganisationKind.PJJ,
    OrganisationKind.SPIP,
    OrganisationKind.CCAS,
    OrganisationKind.SOCIAL_CENTRE,
    OrganisationKind.HEALTH,
    OrganisationKind.SPORT_CULTURE,
    OrganisationKind.SCHOOL,
    OrganisationKind.FRANCE_TRAVAIL,
    OrganisationKind.OTHER_PARTNER,
)
SENDER_WEIGHTS = (20, 8, 3, 8, 12, 5, 6, 15, 10, 3)
STAGE_WEIGHTS = (30, 25, 20, 13, 12)
BARRIER_STATUSES = tuple(BarrierStatus.values)
BARRIER_WEIGHTS = {"reported": 15, "identified": 35, "in_progress": 25, "resolved": 15, "dismissed": 10}
ATTENDANCES = (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
ATTENDANCE_WEIGHTS = (70, 20, 10)
EXITS = tuple(ExitReason.values)
# A path whose first sample takes longer than SLOW seconds is sampled SLOW_RUNS times only.
SLOW = float(os.environ.get("BENCH_BILAN_SLOW", 20))
SLOW_RUNS = int(os.environ.get("BENCH_BILAN_SLOW_RUNS", 2))
SIGNAL_FIELDS = ("id", "youth_id", "author_id", "mission_locale_id", "commune_id", "status", "created_at")


# --- Writing rows with COPY -----------------------------------------------------------------------


def _template(model: type[models.Model], varying: tuple[str, ...]) -> tuple[list[str], tuple[Any, ...]]:
    """The columns of `model`'s table, the fixed ones (their model default, ready for the database)
    first, then `varying` (attnames) given row by row."""
    now = timezone.now()
    columns: list[str] = []
    fixed: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.attname in varying:
            continue
        value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        if value is None and not f.null:
            raise ValueError(f"{model.__name__}.{f.attname} needs a value")
        columns.append(f.column)
        fixed.append(f.get_db_prep_save(value, connection))
    columns += [model._meta.get_field(name).column for name in varying]  # type: ignore[union-attr]
    return columns, tuple(fixed)


def _copy(model: type[models.Model], varying: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    columns, fixed = _template(model, varying)
    qn = connection.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    n = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(fixed + row)
            n += 1
    return n


# --- The data -------------------------------------------------------------------------------------


class World:
    """What _build made, and what it expects the bilan to count (drawn beside the rows)."""

    def __init__(self) -> None:
        self.campaign: Campaign
        self.officer: User
        self.projects: list[Project] = []
        self.expected_identified = 0
        self.expected_reached: Counter[int] = Counter()  # stage -> youths whose furthest stage is it
        self.rows: Counter[str] = Counter()


def _aware(day: date, hour: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour)))


def _build(size: int) -> World:
    rng = random.Random(SEED)
    world = World()
    today = timezone.localdate()
    now = timezone.now()
    load_reference_data()
    communes = {
        dep: list(
            Commune.objects.filter(departement_id=dep, is_current=True).order_by("code").values_list("pk", flat=True)
        )
        for dep in ("67", "68")
    }
    n_missions = max(4, round(size / PER_MISSION))
    missions = Organisation.objects.bulk_create(
        Organisation(name=f"Mission locale {m + 1} du banc d'essai", kind=OrganisationKind.MISSION_LOCALE)
        for m in range(n_missions)
    )
    mission_communes = [communes["67" if m % 2 == 0 else "68"] for m in range(n_missions)]
    senders = Organisation.objects.bulk_create(
        Organisation(name=f"{kind.label} {m + 1} du banc d'essai", kind=kind)
        for m in range(n_missions)
        for kind in SENDERS
    )
    sender_of = {(m, k): senders[m * len(SENDERS) + k].pk for m in range(n_missions) for k in range(len(SENDERS))}
    funder = Organisation.objects.create(name="Région du banc d'essai", kind=OrganisationKind.FUNDER)
    unusable = make_password(None)
    staff = User.objects.create(email="equipe@banc.example", password=unusable, first_name="Équipe", last_name="Banc")
    world.officer = User.objects.create_user(
        email="chargee@banc.example", password="banc-d-essai-2026", first_name="Claire", last_name="Région"
    )
    Membership.objects.create(user=world.officer, organisation=funder, role=Role.FUNDER_OFFICER)
    starts_on, ends_on = today - timedelta(days=400), today - timedelta(days=35)
    world.campaign = campaign = Campaign.objects.create(
        name="Campagne du banc d'essai", funder=funder, starts_on=starts_on, ends_on=ends_on
    )
    own = Territory.objects.create(name="Territoire du projet 1 du banc d'essai")
    own_communes = set(mission_communes[0][::2])
    own.communes.set(own_communes)
    for m, mission in enumerate(missions):
        project = Project.objects.create(
            campaign=campaign,
            name=f"Projet {m + 1:02d} du banc d'essai",
            carrier=mission,
            territory=own if m == 0 else None,
            lead=staff,
            created_by=staff,
            updated_by=staff,
        )
        world.projects.append(project)
        BudgetLine.objects.create(project=project, kind="coordination", planned=Decimal(20000), requested=10_000)
        BudgetLine.objects.create(project=project, kind="actions", planned=Decimal(15000), requested=Decimal(6000))
    lists = {
        (m, kind): ListImport.objects.create(
            mission_locale=mission, kind=kind, file_name="liste.csv", file_format="csv", sha256="0", created_by=staff
        ).pk
        for m, mission in enumerate(missions)
        for kind in (ListKind.DROPOUT, ListKind.PARTNER)
    }
    before = _aware(ends_on + timedelta(days=1))
    campaign_seconds = (ends_on - starts_on).days * 86_400 + 86_399
    mission_of = [min(n * n_missions // size, n_missions - 1) for n in range(size)]
    sizes = Counter(mission_of)

    # Actions, their sessions and running partners (ORM: a few thousand rows).
    actions: dict[int, list[tuple[int, list[int]]]] = {m: [] for m in range(n_missions)}
    drawn = []
    for m, mission in enumerate(missions):
        for _a in range(max(2, sizes[m] // YOUTHS_PER_ACTION)):
            draw = rng.random()
            if draw < 0.05:
                start = starts_on - timedelta(days=rng.randint(1, 60))
            elif draw < 0.10:
                start = ends_on + timedelta(days=rng.randint(1, 30))
            else:
                start = starts_on + timedelta(days=rng.randrange((ends_on - starts_on).days - 7))
            cost = Decimal(rng.randrange(50_000, 500_000)) / 100
            drawn.append(
                Action(
                    title=f"Action {len(drawn) + 1}",
                    kind=rng.choice(ActionKind.values),
                    format=ActionFormat.COLLECTIVE,
                    objectives="Remobiliser",
                    mission_locale=mission,
                    commune_id=mission_communes[m][0],
                    starts_on=start,
                    ends_on=start + timedelta(days=7 * SESSIONS),
                    capacity=12,
                    cost=cost,
                    cofinancing_requested=(cost * rng.choice((0, 30, 50)) / 100).quantize(Decimal("0.01")),
                    created_by=staff,
                    updated_by=staff,
                )
            )
    made = Action.objects.bulk_create(drawn, batch_size=5_000)
    held = Session.objects.bulk_create(
        (
            Session(
                action=a,
                starts_at=_aware(a.starts_on + timedelta(days=7 * k), 14),
                duration_minutes=120,
                created_by=staff,
            )
            for a in made
            for k in range(SESSIONS)
        ),
        batch_size=5_000,
    )
    through = Action.partners.through
    through.objects.bulk_create(
        through(action_id=a.pk, organisation_id=sender_of[(m, k)])
        for a in made
        for m in [missions.index(a.mission_locale)]
        for k in rng.sample(range(len(SENDERS)), rng.choice((1, 1, 2)))
    )
    for i, a in enumerate(made):
        m = missions.index(a.mission_locale)
        actions[m].append((a.pk, [s.pk for s in held[i * SESSIONS : (i + 1) * SESSIONS]]))

    # The youths and everything about them, BATCH youths at a time, with COPY.
    ids = Counter[str]()
    for start in range(0, size, BATCH):
        youths, signals, pathways, events, barriers, listed, enrolments, marks = [], [], [], [], [], [], [], []
        for n in range(start, min(start + BATCH, size)):
            m = mission_of[n]
            yid = n + 1
            draw = rng.random()
            if draw < 0.02:
                t0 = _aware(starts_on) - timedelta(seconds=rng.randrange(1, 300 * 86_400))
            elif draw < 0.03:
                t0 = before + timedelta(seconds=rng.randrange(1, 30 * 86_400))
            else:
                t0 = _aware(starts_on) + timedelta(seconds=rng.randrange(campaign_seconds))
            in_campaign = draw >= 0.03
            draw = rng.random()
            status = YouthStatus.ACTIVE
            if draw < 0.01:
                status = YouthStatus.MERGED
            elif draw < 0.03:
                status = YouthStatus.CLOSED
            hors_public = 0.01 <= draw < 0.02
            sex = rng.choices(("f", "m", ""), (46, 50, 4))[0]
            age = rng.choices((rng.randint(16, 25), rng.choice((14, 15, 26, 27))), (97, 3))[0]
            birth = (
                None
                if rng.random() < 0.02
                else timezone.localdate(t0) - timedelta(days=age * 365 + rng.randrange(365))
            )
            precision = BirthPrecision.UNKNOWN if birth is None or rng.random() < 0.01 else BirthPrecision.DAY
            commune = None if rng.random() < 0.01 else rng.choice(mission_communes[m])
            source = rng.random()
            created = t0
            if source < 0.80 or hors_public:
                k = rng.choices(range(len(SENDERS) + 1), (*SENDER_WEIGHTS, 15))[0]
                sender = missions[m].pk if k == len(SENDERS) else sender_of[(m, k)]
                ids["signal"] += 1
                state = SignalStatus.INELIGIBLE if hors_public else SignalStatus.ASSIGNED
                signals.append(
                    (ids["signal"], yid, sender, missions[m].pk, commune or mission_communes[m][0], state, t0)
                )
                created = t0 + timedelta(minutes=5)
                if rng.random() < 0.10:
                    ids["signal"] += 1
                    later = t0 + timedelta(days=rng.randint(1, 90))
                    other = sender_of[(m, rng.randrange(len(SENDERS)))]
                    signals.append(
                        (
                            ids["signal"],
                            yid,
                            other,
                            missions[m].pk,
                            commune or mission_communes[m][0],
                            "duplicate",
                            later,
                        )
                    )
            elif source < 0.92:
                ids["row"] += 1
                kind = ListKind.DROPOUT if rng.random() < 0.6 else ListKind.PARTNER
                listed.append((ids["row"], lists[(m, kind)], ids["row"], "x", yid, "created"))
            youths.append(
                (yid, f"Jeune{yid}", f"Banc{yid}", sex, birth, precision, commune, missions[m].pk, status, created)
            )
            counted = (
                in_campaign
                and status != YouthStatus.MERGED
                and not hors_public
                and (m != 0 or commune in own_communes)
            )
            furthest = 1
            if status != YouthStatus.MERGED and not hors_public and rng.random() < 0.88:
                ids["pathway"] += 1
                pid = ids["pathway"]
                opened = min(created + timedelta(days=rng.randint(1, 10), seconds=rng.randrange(3600)), now)
                reach = rng.choices((1, 2, 3, 4, 5), STAGE_WEIGHTS)[0]
                turns = [(EventKind.OPENED, None, 1, "", opened)]
                at = opened
                for k in range(2, reach + 1):
                    at += timedelta(days=rng.randint(7, 42), seconds=rng.randrange(3600))
                    turns.append((EventKind.STAGE, k - 1, k, "", at))
                if rng.random() < 0.12:
                    at += timedelta(days=rng.randint(7, 60))
                    turns.append((EventKind.EXIT, None, None, rng.choice(EXITS), at))
                    if rng.random() < 0.2:
                        at += timedelta(days=rng.randint(10, 60))
                        turns.append((EventKind.REOPENED, None, None, "", at))
                turns = [turns[0]] + [t for t in turns[1:] if t[4] < now]  # nothing in the future
                stage = max(t[2] or 1 for t in turns)
                last = turns[-1]
                closed, reason = (last[4], last[3]) if last[0] == EventKind.EXIT else (None, "")
                pathways.append((pid, yid, opened, stage, turns[-1][4], closed, reason))
                for kind, from_stage, to_stage, exit_reason, when in turns:
                    ids["event"] += 1
                    events.append((ids["event"], pid, kind, from_stage, to_stage, exit_reason, when))
                furthest = max([t[2] or 1 for t in turns if t[4] < before] or [1])
                if stage >= 2 and actions[m] and rng.random() < 0.20:
                    for action_id, session_ids in rng.sample(actions[m], 2 if rng.random() < 0.1 else 1):
                        ids["enrolment"] += 1
                        enrolments.append((ids["enrolment"], action_id, yid, staff.pk, opened))
                        for session_id in session_ids[: rng.randint(2, SESSIONS)]:
                            ids["mark"] += 1
                            marks.append(
                                (
                                    ids["mark"],
                                    session_id,
                                    ids["enrolment"],
                                    rng.choices(ATTENDANCES, ATTENDANCE_WEIGHTS)[0],
                                    staff.pk,
                                    missions[m].pk,
                                )
                            )
            if status != YouthStatus.MERGED and rng.random() < 0.35:
                for kind in rng.sample(Barrier.values, rng.randint(1, 3)):
                    ids["barrier"] += 1
                    state = rng.choices(BARRIER_STATUSES, [BARRIER_WEIGHTS[s] for s in BARRIER_STATUSES])[0]
                    barriers.append((ids["barrier"], yid, kind, state, staff.pk))
            if counted:
                world.expected_identified += 1
                world.expected_reached[furthest] += 1
        world.rows["youths"] += _copy(
            Youth,
            (
                "id",
                "first_names",
                "last_name",
                "sex",
                "birth_date",
                "birth_precision",
                "commune_id",
                "mission_locale_id",
                "status",
                "created_at",
            ),
            youths,
        )
        world.rows["signals"] += _copy(
            Signal,
            ("first_name", "consent", "organisation_id", *SIGNAL_FIELDS),
            (
                ("X", SignalConsent.CONTACT, sender, sid, yid, staff.pk, ml, commune, state, at)
                for sid, yid, sender, ml, commune, state, at in signals
            ),
        )
        world.rows["imported rows"] += _copy(
            ImportedRow, ("id", "list_import_id", "line", "fingerprint", "youth_id", "outcome"), listed
        )
        world.rows["pathways"] += _copy(
            Pathway, ("id", "youth_id", "opened_at", "stage", "stage_since", "closed_at", "exit_reason"), pathways
        )
        world.rows["pathway events"] += _copy(
            PathwayEvent, ("id", "pathway_id", "kind", "from_stage", "stage", "exit_reason", "at"), events
        )
        world.rows["barriers"] += _copy(YouthBarrier, ("id", "youth_id", "kind", "status", "updated_by_id"), barriers)
        world.rows["enrolments"] += _copy(
            Enrolment, ("id", "action_id", "youth_id", "enrolled_by_id", "enrolled_at"), enrolments
        )
        world.rows["attendances"] += _copy(
            Attendance, ("id", "session_id", "enrolment_id", "status", "recorded_by_id", "organisation_id"), marks
        )

    # Contact opportunities: signals that opened no file, counted by the bilan's signals.
    def opportunities() -> Iterator[tuple[Any, ...]]:
        for _n in range(size // 20):
            ids["signal"] += 1
            m = rng.randrange(n_missions)
            k = rng.choices(range(len(SENDERS)), SENDER_WEIGHTS)[0]
            at = _aware(starts_on) + timedelta(seconds=rng.randrange(campaign_seconds + 30 * 86_400))
            commune = rng.choice(mission_communes[m])
            yield (
                "X",
                SignalConsent.NONE,
                sender_of[(m, k)],
                ids["signal"],
                None,
                staff.pk,
                missions[m].pk,
                commune,
                SignalStatus.OPPORTUNITY,
                at,
            )

    world.rows["signals"] += _copy(
        Signal, ("first_name", "consent", "organisation_id", *SIGNAL_FIELDS), opportunities()
    )
    world.rows["actions"], world.rows["sessions"] = len(made), len(held)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Youth, Signal, ImportedRow, Pathway, PathwayEvent, YouthBarrier, Enrolment, Attendance]
        ):
            cursor.execute(sql)
        cursor.execute("ANALYZE")  # as autovacuum would have, long before the bilan is read
    return world


# --- The same counts, compared cell by cell -------------------------------------------------------

Cells = dict[str, dict[Any, Any]]
PARTS = ("pathways", "profiles", "barriers", "actions", "action_kinds", "partner_actions", "signals")


def _nonzero(found: dict[Any, Any]) -> dict[Any, Any]:
    return {key: value for key, value in found.items() if value}


def django_cells(counts: CampaignCounts) -> Cells:
    """The youths' and actions' counts of campaign_counts, keyed as DuckDB's (rows summed by key)."""
    pathways: Counter[tuple[Any, ...]] = Counter()
    for row in counts.pathways:
        pathways[(row.project, row.stage, row.situation, row.sex)] += row.count
    profiles: Counter[tuple[Any, ...]] = Counter()
    for p in counts.profiles:
        profiles[(p.project, p.sex, p.age, p.area, p.departement, p.source)] += p.count
    actions = {
        project: (f.actions, f.sessions, f.minutes, f.cost, f.cofinancing, f.enrolled, f.present, f.absent, f.excused)
        for project, f in counts.actions.items()
    }
    found: Cells = {
        "pathways": dict(pathways),
        "profiles": dict(profiles),
        "barriers": counts.barriers,
        "actions": {k: v for k, v in actions.items() if any(v)},
        "action_kinds": counts.action_kinds,
        "partner_actions": counts.partner_actions,
        "signals": counts.signals,
    }
    return {part: _nonzero(values) for part, values in found.items()}


def funnel(found: Cells) -> list[int]:
    return [sum(n for (_p, stage, _s, _x), n in found["pathways"].items() if stage >= k) for k in cells.STAGES]


def check_equal(django: Cells, duck: Cells) -> int:
    """Fails loudly unless every cell is the same; the number of cells compared."""
    wrong = []
    for part in PARTS:
        a, b = django[part], duck[part]
        wrong += [
            f"{part} {key}: Django {a.get(key)} ≠ DuckDB {b.get(key)}"
            for key in sorted(set(a) | set(b), key=repr)
            if a.get(key) != b.get(key)
        ]
    if wrong:
        raise AssertionError(
            f"DuckDB's counts differ from campaign_counts' in {len(wrong)} cells:\n" + "\n".join(wrong[:20])
        )
    return sum(len(django[part]) for part in PARTS)


# --- DuckDB ----------------------------------------------------------------------------------------


def _exports() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Table -> (PostgreSQL table, [(column, DuckDB type)]). A column named *_local is the same
    column's local time (settings.TIME_ZONE), for dates read as the platform reads them; every other
    timestamp is exported in UTC."""
    t = {name: model._meta.db_table for name, model in _MODELS.items()}
    return {
        "youth": (
            t["youth"],
            [
                ("id", "BIGINT"),
                ("sex", "VARCHAR"),
                ("birth_date", "DATE"),
                ("birth_precision", "VARCHAR"),
                ("commune_id", "VARCHAR"),
                ("mission_locale_id", "BIGINT"),
                ("status", "VARCHAR"),
                ("created_at", "TIMESTAMP"),
                ("created_at_local", "TIMESTAMP"),
            ],
        ),
        "signal": (
            t["signal"],
            [
                ("id", "BIGINT"),
                ("youth_id", "BIGINT"),
                ("organisation_id", "BIGINT"),
                ("mission_locale_id", "BIGINT"),
                ("commune_id", "VARCHAR"),
                ("status", "VARCHAR"),
                ("created_at", "TIMESTAMP"),
                ("created_at_local", "TIMESTAMP"),
            ],
        ),
        "organisation": (t["organisation"], [("id", "BIGINT"), ("kind", "VARCHAR")]),
        "commune": (t["commune"], [("code", "VARCHAR"), ("area_class", "VARCHAR"), ("departement_id", "VARCHAR")]),
        "territory_communes": (t["territory_communes"], [("territory_id", "BIGINT"), ("commune_id", "VARCHAR")]),
        "project": (
            t["project"],
            [("id", "BIGINT"), ("campaign_id", "BIGINT"), ("carrier_id", "BIGINT"), ("territory_id", "BIGINT")],
        ),
        "pathway": (t["pathway"], [("id", "BIGINT"), ("youth_id", "BIGINT")]),
        "event": (
            t["event"],
            [
                ("id", "BIGINT"),
                ("pathway_id", "BIGINT"),
                ("kind", "VARCHAR"),
                ("stage", "INTEGER"),
                ("exit_reason", "VARCHAR"),
                ("at", "TIMESTAMP"),
            ],
        ),
        "barrier": (t["barrier"], [("youth_id", "BIGINT"), ("kind", "VARCHAR"), ("status", "VARCHAR")]),
        "importedrow": (t["importedrow"], [("id", "BIGINT"), ("youth_id", "BIGINT"), ("list_import_id", "BIGINT")]),
        "listimport": (t["listimport"], [("id", "BIGINT"), ("kind", "VARCHAR")]),
        "action": (
            t["action"],
            [
                ("id", "BIGINT"),
                ("mission_locale_id", "BIGINT"),
                ("kind", "VARCHAR"),
                ("starts_on", "DATE"),
                ("cost", "DECIMAL(10,2)"),
                ("cofinancing_requested", "DECIMAL(10,2)"),
            ],
        ),
        "session": (
            t["session"],
            [("id", "BIGINT"), ("action_id", "BIGINT"), ("starts_at", "TIMESTAMP"), ("duration_minutes", "INTEGER")],
        ),
        "enrolment": (
            t["enrolment"],
            [("id", "BIGINT"), ("action_id", "BIGINT"), ("youth_id", "BIGINT"), ("enrolled_at", "TIMESTAMP")],
        ),
        "attendance": (t["attendance"], [("id", "BIGINT"), ("session_id", "BIGINT"), ("status", "VARCHAR")]),
        "action_partners": (t["action_partners"], [("action_id", "BIGINT"), ("organisation_id", "BIGINT")]),
    }


_MODELS: dict[str, type[models.Model]] = {
    "youth": Youth,
    "signal": Signal,
    "organisation": Organisation,
    "commune": Commune,
    "territory_communes": Territory.communes.through,
    "project": Project,
    "pathway": Pathway,
    "event": PathwayEvent,
    "barrier": YouthBarrier,
    "importedrow": ImportedRow,
    "listimport": ListImport,
    "action": Action,
    "session": Session,
    "enrolment": Enrolment,
    "attendance": Attendance,
    "action_partners": Action.partners.through,
}


def export_csv(directory: Path) -> tuple[int, int]:
    """Every table's rows DuckDB reads, by psycopg's COPY … TO STDOUT (CSV): bytes and rows."""
    qn = connection.ops.quote_name
    zone = settings.TIME_ZONE.replace("'", "")
    size = rows = 0
    for name, (table, columns) in _exports().items():
        selected = []
        for column, kind in columns:
            if kind == "TIMESTAMP":
                base, local = (column[: -len("_local")], True) if column.endswith("_local") else (column, False)
                selected.append(f"{qn(base)} AT TIME ZONE '{zone if local else 'UTC'}'")
            else:
                selected.append(qn(column))
        sql = f"COPY (SELECT {', '.join(selected)} FROM {qn(table)}) TO STDOUT (FORMAT csv, HEADER)"
        path = directory / f"{name}.csv"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy, path.open("wb") as out:
            for data in copy:
                out.write(data)
        size += path.stat().st_size
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {qn(table)}")
            rows += cursor.fetchone()[0]
    return size, rows


DUCK_NAMES = {"at": "happened_at"}  # a keyword in DuckDB


def duck_load(duckdb: Any, directory: Path) -> Any:
    con = duckdb.connect()  # in memory
    for name, (_table, columns) in _exports().items():
        spec = ", ".join(f"'{DUCK_NAMES.get(column, column)}': '{kind}'" for column, kind in columns)
        path = directory / f"{name}.csv"
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, "
            f"allow_quoted_nulls = false, columns = {{{spec}}})"
        )
    return con


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


SITUATIONS = ", ".join(f"'{s}'" for s in Situation.values)
COUNTED = ", ".join(f"'{s}'" for s in COUNTED_BARRIERS)


def _band(on: str, birth: str) -> str:
    difference = (
        f"((year({on}) * 10000 + month({on}) * 100 + day({on})) - "
        f"(year({birth}) * 10000 + month({birth}) * 100 + day({birth})))"
    )
    return (
        f"CASE WHEN {difference} >= 160000 AND {difference} < 180000 THEN '16-17' "
        f"WHEN {difference} >= 180000 AND {difference} < 220000 THEN '18-21' "
        f"WHEN {difference} >= 220000 AND {difference} < 260000 THEN '22-25' ELSE 'other' END"
    )


DUCK_QUERIES = {
    # The youths of each project (programme.selectors.youths_of, identified before the bilan's date).
    "setup_youths": """
        CREATE OR REPLACE TEMP TABLE py AS
        WITH fs AS (
            SELECT s.youth_id, s.created_at, s.created_at_local, o.kind AS sender
            FROM signal s JOIN organisation o ON o.id = s.organisation_id
            WHERE s.youth_id IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY s.youth_id ORDER BY s.created_at, s.id) = 1
        ),
        li AS (
            SELECT r.youth_id, CASE l.kind WHEN 'dropout' THEN 'list_dropout' WHEN 'partner' THEN 'list_partner'
                ELSE 'unknown' END AS kind
            FROM importedrow r JOIN listimport l ON l.id = r.list_import_id
            QUALIFY row_number() OVER (PARTITION BY r.youth_id ORDER BY r.id) = 1
        ),
        y AS (
            SELECT y.*, coalesce(fs.created_at, y.created_at) AS identified_at,
                coalesce(fs.created_at_local, y.created_at_local) AS identified_local, fs.sender, li.kind AS list_kind
            FROM youth y LEFT JOIN fs ON fs.youth_id = y.id LEFT JOIN li ON li.youth_id = y.id
            WHERE y.status <> 'merged' AND NOT (y.status = 'closed' AND y.id IN (
                SELECT youth_id FROM signal WHERE status = 'ineligible' AND youth_id IS NOT NULL))
        )
        SELECT p.id AS project, y.* FROM y JOIN project p ON p.carrier_id = y.mission_locale_id
        WHERE p.campaign_id = $campaign
            AND y.identified_at >= $received_from AND y.identified_at < $received_before
            AND y.identified_at < $before
            AND (p.territory_id IS NULL OR y.commune_id IN (
                SELECT commune_id FROM territory_communes tc WHERE tc.territory_id = p.territory_id))
    """,
    "setup_actions": """
        CREATE OR REPLACE TEMP TABLE acts AS
        SELECT p.id AS project, a.* FROM action a JOIN project p ON p.carrier_id = a.mission_locale_id
        WHERE p.campaign_id = $campaign AND a.starts_on >= $starts_on AND a.starts_on <= $ends_on
            AND a.starts_on <= $day
    """,
    "pathways": f"""
        WITH ev AS (
            SELECT p.youth_id, e.id, e.kind, e.stage, e.exit_reason, e.happened_at
            FROM event e JOIN pathway p ON p.id = e.pathway_id WHERE e.happened_at < $before
        ),
        far AS (SELECT youth_id, max(stage) AS stage FROM ev WHERE stage IS NOT NULL GROUP BY youth_id),
        turn AS (
            SELECT youth_id, CASE WHEN kind = 'exit' AND exit_reason <> '' THEN exit_reason
                ELSE 'in_progress' END AS situation
            FROM ev WHERE kind IN ('opened', 'reopened', 'exit')
            QUALIFY row_number() OVER (PARTITION BY youth_id ORDER BY happened_at DESC, id DESC) = 1
        ),
        rows AS (
            SELECT py.project, coalesce(far.stage, 1) AS stage,
                coalesce(turn.situation, 'in_progress') AS situation, coalesce(py.sex, '') AS sex
            FROM py LEFT JOIN far ON far.youth_id = py.id LEFT JOIN turn ON turn.youth_id = py.id
        )
        SELECT project, stage, CASE WHEN situation IN ({SITUATIONS}) THEN situation ELSE 'other' END, sex, count(*)
        FROM rows GROUP BY ALL
    """,
    "profiles": f"""
        SELECT py.project, coalesce(py.sex, ''),
            CASE WHEN py.birth_date IS NULL OR py.birth_precision = 'unknown' THEN 'other'
                ELSE {_band("py.identified_local", "py.birth_date")} END,
            coalesce(c.area_class, 'unknown'), coalesce(c.departement_id, 'unknown'),
            coalesce(py.sender, py.list_kind, 'unknown'), count(*)
        FROM py LEFT JOIN commune c ON c.code = py.commune_id GROUP BY ALL
    """,
    "barriers": f"""
        SELECT py.project, b.kind, count(*) FROM barrier b JOIN py ON py.id = b.youth_id
        WHERE b.status IN ({COUNTED}) GROUP BY ALL
    """,
    "actions": """
        WITH held AS (
            SELECT acts.project, count(*) AS sessions, sum(s.duration_minutes) AS minutes
            FROM session s JOIN acts ON acts.id = s.action_id WHERE s.starts_at < $before GROUP BY ALL
        ),
        enrolled AS (
            SELECT acts.project, count(DISTINCT e.youth_id) AS enrolled
            FROM enrolment e JOIN acts ON acts.id = e.action_id WHERE e.enrolled_at < $before GROUP BY ALL
        ),
        marks AS (
            SELECT acts.project, count(*) FILTER (WHERE m.status = 'present') AS present,
                count(*) FILTER (WHERE m.status = 'absent') AS absent,
                count(*) FILTER (WHERE m.status = 'excused') AS excused
            FROM attendance m JOIN session s ON s.id = m.session_id JOIN acts ON acts.id = s.action_id
            WHERE s.starts_at < $before GROUP BY ALL
        ),
        run AS (
            SELECT project, count(*) AS actions, sum(cost) AS cost, sum(cofinancing_requested) AS cofinancing
            FROM acts GROUP BY ALL
        )
        SELECT run.project, run.actions, coalesce(held.sessions, 0), coalesce(held.minutes, 0), run.cost,
            run.cofinancing, coalesce(enrolled.enrolled, 0), coalesce(marks.present, 0),
            coalesce(marks.absent, 0), coalesce(marks.excused, 0)
        FROM run LEFT JOIN held USING (project) LEFT JOIN enrolled USING (project) LEFT JOIN marks USING (project)
    """,
    "action_kinds": "SELECT project, kind, count(*) FROM acts GROUP BY ALL",
    "partner_actions": """
        SELECT acts.project, o.kind, count(DISTINCT ap.action_id)
        FROM action_partners ap JOIN acts ON acts.id = ap.action_id JOIN organisation o ON o.id = ap.organisation_id
        GROUP BY ALL
    """,
    "signals": """
        SELECT p.id, o.kind, count(*)
        FROM signal s JOIN project p ON p.carrier_id = s.mission_locale_id
            AND (p.territory_id IS NULL OR s.commune_id IN (
                SELECT commune_id FROM territory_communes tc WHERE tc.territory_id = p.territory_id))
            JOIN organisation o ON o.id = s.organisation_id
        WHERE p.campaign_id = $campaign AND s.created_at >= $received_from AND s.created_at < $before
        GROUP BY ALL
    """,
}


def duck_parameters(campaign: Campaign, day: date) -> dict[str, Any]:
    return {
        "campaign": campaign.pk,
        "received_from": _utc(campaign.received_from),
        "received_before": _utc(campaign.received_before),
        "before": _utc(_aware(day + timedelta(days=1))),
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "day": day,
    }


def duck_cells(con: Any, parameters: dict[str, Any]) -> Cells:
    """The same counts as campaign_counts, as DuckDB computes them from the exported rows."""
    found: Cells = {}
    for name, sql in DUCK_QUERIES.items():
        used = {key: value for key, value in parameters.items() if f"${key}" in sql}
        result = con.execute(sql, used).fetchall() if used else con.execute(sql).fetchall()
        if name.startswith("setup_"):
            continue
        if name in ("pathways", "profiles"):
            summed: Counter[tuple[Any, ...]] = Counter()
            for *key, n in result:
                summed[tuple(key)] += n
            found[name] = dict(summed)
        elif name == "actions":
            found[name] = {row[0]: tuple(row[1:]) for row in result}
        else:
            found[name] = {(row[0], row[1]): row[2] for row in result}
    return {part: _nonzero(values) for part, values in found.items()}


# --- Timing ----------------------------------------------------------------------------------------


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _time(
    work: Callable[[], Any],
    check: Callable[[Any], None],
    *,
    warmup: int,
    runs: int,
    before_each: Callable[[], Any] | None = None,
) -> list[float]:
    for _n in range(warmup):
        if before_each:
            before_each()
        check(work())
    samples: list[float] = []
    while len(samples) < (runs if not samples or samples[0] < SLOW else SLOW_RUNS):
        if before_each:
            before_each()
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
        check(result)  # every sample, outside the timing
    return samples


def _settings() -> str:
    with connection.cursor() as cursor:
        shown = []
        for name in ("jit", "work_mem", "shared_buffers", "max_parallel_workers_per_gather", "random_page_cost"):
            cursor.execute(f"SHOW {name}")
            shown.append(f"{name}={cursor.fetchone()[0]}")
    return ", ".join(shown)


def _profile(timed: list[tuple[float, str]], directory: Path, settings_tried: tuple[str, ...]) -> list[str]:
    """EXPLAIN ANALYZE of the three slowest queries of campaign_counts, for each JIT setting
    tried, written to `directory`: the plans' summary lines."""
    summary = []
    with connection.cursor() as cursor, (directory / "bilan-explain.txt").open("w") as out:
        for setting in settings_tried:
            cursor.execute(f"SET jit = {setting}")
            for seconds, sql in timed[:3]:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
                out.write(f"-- jit = {setting}; {seconds * 1000:.0f} ms in the timed run\n{sql}\n\n")
                out.write("\n".join(plan) + "\n\n\n")
                jit = next((line.split("Total")[-1].strip() for line in plan if "Timing: Generation" in line), "—")
                total = next((line.split(":")[-1].strip() for line in plan if line.startswith("Execution Time")), "?")
                summary.append(f"jit = {setting:3}  {_label(sql):36} execution {total:>14}, of which JIT {jit}")
        cursor.execute("RESET jit")
    return summary


def _label(sql: str) -> str:
    for table, label in (
        ("pathways_pathwayevent", "youth rows (stage, situation, profile)"),
        ("registry_importedrow", "profile rows (age, area, source)"),
        ("pathways_youthbarrier", "barriers"),
        ("mobilisation_attendance", "attendance"),
        ("mobilisation_enrolment", "enrolments"),
        ("mobilisation_session", "sessions"),
        ("mobilisation_action_partners", "partner actions"),
        ("registry_signal", "signals"),
        ("mobilisation_action", "actions"),
    ):
        if f'"{table}"' in sql.split(" FROM ", 1)[-1][:400] or f'FROM "{table}"' in sql:
            return label
    return sql[:60]


def run(*, quick: bool) -> None:
    if connection.vendor != "postgresql":
        print("The bilan benchmark writes with PostgreSQL's COPY: run it with DATABASE_URL (see bench/run.py).")
        return
    size = int(os.environ.get("BENCH_BILAN_YOUTHS", 20_000 if quick else 1_000_000))
    runs = int(os.environ.get("BENCH_BILAN_RUNS", 5))
    load_before = os.getloadavg()
    started = time.perf_counter()
    world = _build(size)
    campaign = world.campaign
    built = time.perf_counter() - started
    print(
        f"Built {size:,} youths in {len(world.projects)} Mission locales, one project each, in {built:.0f} s: "
        + ", ".join(f"{n:,} {what}" for what, n in world.rows.items())
    )
    print(f"PostgreSQL settings: {_settings()}; small-cell threshold {settings.REPERES_SMALL_CELL_THRESHOLD}")
    print(f"Load average before the build {load_before[0]:.1f}, after it {os.getloadavg()[0]:.1f}")

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        counts = campaign_counts(campaign)
    first = time.perf_counter() - started
    timed = sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)
    warm = 0 if first > SLOW else 1  # a first call that slow warmed the caches enough
    print(f"First campaign_counts: {first * 1000:.0f} ms")
    assert counts.reference_date == campaign.ends_on, counts.reference_date
    django = django_cells(counts)
    expected_funnel = [sum(n for stage, n in world.expected_reached.items() if stage >= k) for k in cells.STAGES]
    assert counts.identified == world.expected_identified, (counts.identified, world.expected_identified)
    assert funnel(django) == expected_funnel, (funnel(django), expected_funnel)
    print(
        f"The bilan counts {counts.identified:,} youths of {size:,} (funnel {funnel(django)}), "
        f"{sum(f.actions for f in counts.actions.values()):,} actions, "
        f"{sum(counts.signals.values()):,} signals; as drawn by the build"
    )

    def counted(found: CampaignCounts) -> None:
        assert found.identified == world.expected_identified and funnel(django_cells(found)) == expected_funnel

    snapshot = getattr(reporting_models, "BilanSnapshot", None)

    def forget() -> None:
        if snapshot is not None:
            snapshot.objects.filter(campaign=campaign).delete()

    def whole(bilan: Any) -> None:
        label, figure, _kind = bilan.key_figures[0]
        assert not figure.suppressed and figure.value == world.expected_identified, (label, figure)
        assert bilan.sections and bilan.tables, "an empty bilan"

    url = reverse("reporting:campaign", args=[campaign.pk])
    client = Client()
    client.force_login(world.officer)
    expected_title = escape(f"Bilan — {campaign.name}")

    def page(response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code
        content = response.content.decode()
        bilan = response.context["bilan"]
        whole(bilan)
        assert expected_title in content, "not the campaign's bilan"
        assert escape(bilan.figures[0][1]) in content, "the first key figure is not on the page"

    def bare(response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code

    print(f"\n{f'PostgreSQL (server time; median of {runs} after a warm-up)':70} {'median ms':>10} {'× base':>8}")
    base = _median_ms(_time(lambda: client.get(reverse("web:accessibility")), bare, warmup=10, runs=50))
    print(f"{'baseline: accessibility page, the officer logged in (50 runs)':70} {base:10.1f} {1:8.1f}")
    results: dict[str, float] = {}
    plan: list[tuple[str, Callable[[], Any], Callable[[Any], None], int, int, Callable[[], Any] | None]] = [
        ("campaign_counts (every query of the bilan)", lambda: campaign_counts(campaign), counted, warm, runs, None),
        (
            "protect(cells.tables(counts)) alone (disclosure control)",
            lambda: protect(cells.tables(counts)),
            bool,
            1,
            runs,
            None,
        ),
        (
            "campaign_bilan, first read of its date (no snapshot)",
            lambda: campaign_bilan(campaign),
            whole,
            warm,
            runs,
            forget,
        ),
        ("page reporting:campaign, first read (no snapshot)", lambda: client.get(url), page, warm, runs, forget),
    ]
    if snapshot is not None:
        plan += [
            (
                "campaign_bilan, later read (from its BilanSnapshot)",
                lambda: campaign_bilan(campaign),
                whole,
                3,
                20,
                None,
            ),
            (
                "page reporting:campaign, later read (from its BilanSnapshot)",
                lambda: client.get(url),
                page,
                3,
                20,
                None,
            ),
        ]
    for label, work, check, warmup, n, before_each in plan:
        if work is plan[0][1] and first > SLOW:
            median = first * 1000  # that slow, the first call (checked above) is its one sample
        else:
            median = _median_ms(_time(work, check, warmup=warmup, runs=n, before_each=before_each))
        results[label] = median
        print(f"{label:70} {median:10.1f} {median / base:8.1f}")
    # No « jit = off » variant any more: campaign_counts turns JIT off itself (SET LOCAL).

    keep = Path(tempfile.mkdtemp(prefix="reperes-bench-bilan-"))
    summary = _profile(timed, keep, ("off",) if first > SLOW else ("on", "off"))
    print(
        f"\nThe {len(timed)} queries of one campaign_counts, slowest first "
        f"(EXPLAIN ANALYZE of the three slowest: {keep}/bilan-explain.txt):"
    )
    for seconds, sql in timed[:6]:
        print(f"  {seconds * 1000:8.1f} ms  {_label(sql)}")
    print(f"  {sum(s for s, _q in timed) * 1000:8.1f} ms  in all (the first call, jit as configured)")
    for line in summary:
        print(f"  EXPLAIN ANALYZE, {line}")

    try:
        import duckdb  # noqa: PLC0415  # the benchmark's venv only
    except ImportError:
        print(
            "\nDuckDB is not installed here: skipped. In a venv of its own (never requirements/):\n"
            "  python3.13 -m venv .venv-bench\n"
            "  .venv-bench/bin/pip install -r requirements/base.txt -r bench/requirements-bilan.txt\n"
            "  DATABASE_URL=… .venv-bench/bin/python bench/run.py bilan"
        )
        return
    with tempfile.TemporaryDirectory(prefix="reperes-bench-duckdb-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        size_bytes, rows = export_csv(directory)
        exported = time.perf_counter() - started
        parameters = duck_parameters(campaign, counts.reference_date)
        loads, queries = [], []
        for n in range(1 + runs):
            started = time.perf_counter()
            con = duck_load(duckdb, directory)
            loaded = time.perf_counter()
            duck = duck_cells(con, parameters)
            done = time.perf_counter()
            compared = check_equal(django, duck)  # every run, outside the timing
            threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
            con.close()
            if n:  # the first is the warm-up
                loads.append(loaded - started)
                queries.append(done - loaded)
    load, query = _median_ms(loads), _median_ms(queries)
    both = _median_ms([a + b for a, b in zip(loads, queries, strict=True)])
    print(
        f"\nDuckDB {duckdb.__version__} ({threads} threads, in memory): {rows:,} rows exported once by COPY to CSV "
        f"({size_bytes / 1e6:.0f} MB) in {exported:.1f} s; its counts EQUAL campaign_counts' in all "
        f"{compared:,} cells (funnel {funnel(duck)})"
    )
    pg = results["campaign_counts (every query of the bilan)"]
    print(f"{'DuckDB (median of ' + str(runs) + ' after a warm-up)':70} {'median ms':>10} {'PG / Duck':>10}")
    print(f"{'DuckDB: the same aggregation, query only':70} {query:10.1f} {pg / query:10.1f}")
    print(f"{'DuckDB: load the CSV files + query':70} {both:10.1f} {pg / both:10.1f}")
    print(f"{'DuckDB: load only':70} {load:10.1f}")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
