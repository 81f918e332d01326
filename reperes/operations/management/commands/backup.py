"""`manage.py backup [--output FILE | --directory DIR]`: a full copy of the database
(reperes/operations/backup.py, docs/deployment.md)."""

from pathlib import Path
from typing import Any

from django.core.management import BaseCommand, CommandError, CommandParser

from reperes.operations.backup import BackupError, backup, default_path


class Command(BaseCommand):
    help = "Sauvegarde complète de la base (pg_dump pour PostgreSQL, sauvegarde en ligne pour SQLite)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="fichier à écrire (il ne doit pas exister)")
        parser.add_argument(
            "--directory", type=Path, default=Path("backups"), help="dossier où nommer le fichier (défaut : backups/)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["output"] or default_path(options["directory"])
        try:
            written = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Sauvegarde écrite : {written} ({written.stat().st_size:,} octets)".replace(",", " "))
