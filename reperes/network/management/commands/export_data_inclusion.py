import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reperes.network.interop import export_directory


class Command(BaseCommand):
    help = (
        "Exporte les partenaires actifs et leurs services au format data·inclusion (JSON : structures et "
        "services), sur la sortie standard ou dans un fichier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", metavar="FICHIER", help="fichier à écrire (sortie standard sinon)")

    def handle(self, *args: Any, **options: Any) -> None:
        document = export_directory()
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as stream:
                stream.write(text + "\n")
            self.stderr.write(
                f"{len(document['structures'])} structures et {len(document['services'])} services exportés "
                f"dans {options['output']}."
            )
        else:
            self.stdout.write(text)
