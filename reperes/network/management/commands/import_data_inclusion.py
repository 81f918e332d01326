from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reperes.network.interop import InvalidDocument, import_directory, read_document


class Command(BaseCommand):
    help = (
        "Importe des structures et des services au format data·inclusion (JSON). Tout ou rien : un seul "
        "enregistrement invalide et rien n'est importé ; les erreurs sont toutes listées."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FICHIER", help="fichier JSON data·inclusion")
        parser.add_argument("--dry-run", action="store_true", help="vérifie et compte sans rien enregistrer")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_directory(read_document(options["file"]), dry_run=options["dry_run"])
        except InvalidDocument as refused:
            for error in refused.report.errors:
                self.stderr.write(str(error))
            raise CommandError(str(refused)) from refused
        except OSError as error:
            raise CommandError(f"Fichier introuvable ou illisible : {options['file']}") from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(str(warning)))
        for line in report.summary_lines():
            self.stdout.write(line)
