"""`manage.py restore FILE [--yes]`: the database replaced by a backup of `manage.py backup`
(reperes/operations/backup.py, docs/deployment.md)."""

from pathlib import Path
from typing import Any

from django.core.management import BaseCommand, CommandError, CommandParser

from reperes.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "Remplace toute la base par une sauvegarde (arrêtez d'abord le site, le worker et l'horloge)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="fichier écrit par manage.py backup")
        parser.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"]
        if not options["yes"]:
            answer = input(
                f"Toutes les données actuelles seront remplacées par celles de {source.name}. Taper « restaurer » : "
            )
            if answer.strip() != "restaurer":
                raise CommandError("Restauration annulée : rien n'a changé.")
        try:
            restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Base restaurée depuis {source.name}.")
