#!/usr/bin/env python
"""Run every benchmark of bench/ against a throwaway database of its own.

    .venv/bin/python bench/run.py                 # SQLite (a temporary file)
    scripts/with-postgres .venv/bin/python bench/run.py
                                                  # PostgreSQL: DATABASE_URL points at it
    .venv/bin/python bench/run.py --quick         # smaller data, for a quick look
    .venv/bin/python bench/run.py directory       # only the named modules

A benchmark is a module of bench/ (not starting with « _ », not this file) with a function
``run(*, quick: bool) -> None`` that builds its data and prints its numbers, each compared to a
baseline measured in the same run. The database is created before the first module and dropped
after the last: on PostgreSQL a database « reperes_bench » next to the one DATABASE_URL names, on
SQLite a file in a temporary directory. db.sqlite3 and the developer's databases are never touched.
"""

import argparse
import importlib
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BENCH_DB_NAME = "reperes_bench"


def available_modules() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem != "run" and not p.stem.startswith("_"))


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            return f"PostgreSQL — {cursor.fetchone()[0]}"
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (file {connection.settings_dict['NAME']})"
        return connection.vendor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller data sets (a few seconds per benchmark)")
    parser.add_argument("modules", nargs="*", help=f"benchmarks to run (default: all of {available_modules()})")
    args = parser.parse_args()
    modules = args.modules or available_modules()
    unknown = set(modules) - set(available_modules())
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    tmpdir = None
    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="reperes-bench-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmpdir) / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = BENCH_DB_NAME

    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    # autoclobber: the name is ours alone, a leftover of an interrupted run is dropped.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"Database: {database_description()}")
        print(
            f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"Django {django.get_version()}, {'quick' if args.quick else 'full'} size"
        )
        for name in modules:
            print(f"\n=== {name} ===")
            module = importlib.import_module(f"bench.{name}")
            module.run(quick=args.quick)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
