"""Backups of the whole database and their restore (docs/deployment.md).

PostgreSQL is saved by `pg_dump` in its custom format (compressed, restored by `pg_restore`,
table by table if need be); the embedded SQLite database by SQLite's online backup, consistent
even while the site writes. A backup holds every youth's file: the file is created readable by
its owner only, and is to be stored encrypted, off the server (docs/deployment.md)."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils import timezone

SUFFIX = {"postgresql": ".dump", "sqlite": ".sqlite3"}


class BackupError(Exception):
    """What went wrong, for the operator, in French (the command prints it)."""


def default_path(directory: Path, alias: str = "default") -> Path:
    vendor = connections[alias].vendor
    return directory / f"reperes-{timezone.now():%Y%m%d-%H%M%S}{SUFFIX[vendor]}"


def backup(target: Path, alias: str = "default") -> Path:
    """Write a full, consistent copy of the database to `target` (which must not exist)."""
    connection = connections[alias]
    if target.exists():
        raise BackupError(f"{target} existe déjà : une sauvegarde n'en écrase jamais une autre.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o600)
    try:
        if connection.vendor == "sqlite":
            _copy_sqlite(connection.settings_dict["NAME"], target)
        else:
            _run(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
                connection.settings_dict,
            )
    except BaseException:
        target.unlink(missing_ok=True)  # never leave half a backup that looks like one
        raise
    return target


def restore(source: Path, alias: str = "default") -> None:
    """Replace the whole database by the backup `source`: every table as it was saved. The web
    processes, the worker and the clock are to be stopped first (docs/deployment.md)."""
    connection = connections[alias]
    if not source.is_file():
        raise BackupError(f"{source} n'existe pas ou n'est pas un fichier.")
    expected = SUFFIX[connection.vendor]
    if source.suffix != expected:
        raise BackupError(
            f"{source.name} n'est pas une sauvegarde de cette base ({connection.vendor} attend un fichier {expected})."
        )
    connection.close()
    if connection.vendor == "sqlite":
        _copy_sqlite(source, connection.settings_dict["NAME"], check=True)
    else:
        # One transaction: a damaged dump or a failing statement leaves the database as it was.
        _run(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
            + [f"--dbname={connection.settings_dict['NAME']}"],
            connection.settings_dict,
            str(source),
        )


def _copy_sqlite(source: Path | str, target: Path | str, *, check: bool = False) -> None:
    """SQLite's online backup: page by page, consistent, the target replaced in one step."""
    saved = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            damaged = check and saved.execute("PRAGMA integrity_check").fetchone() != ("ok",)
        except sqlite3.DatabaseError:
            damaged = True
        if damaged:
            raise BackupError(f"{Path(source).name} est endommagée ou n'est pas une base SQLite : rien n'a changé.")
        copy = sqlite3.connect(target)
        try:
            saved.backup(copy)
        finally:
            copy.close()
    finally:
        saved.close()


def _run(program: str, options: list[str], database: dict[str, Any], *arguments: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} est introuvable : installez le client PostgreSQL (paquet postgresql-client).")
    # The connection's parameters through libpq's variables: no password on a command line.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    done = subprocess.run(  # noqa: S603 (a fixed program, options built here)
        [executable, *options, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{program} a échoué ({done.returncode}) : {done.stderr.strip()[-2000:]}")
