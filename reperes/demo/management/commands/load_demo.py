import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from reperes.demo import steps


class Command(BaseCommand):
    help = "Charge le jeu de démonstration (idempotent). --reset le supprime d'abord."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="supprime puis recharge les données de démo")
        parser.add_argument("--force", action="store_true", help="autorise le chargement sans DEBUG")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Les données de démonstration ne se chargent qu'en développement (DEBUG) ; --force.")
        if options["reset"]:
            steps.reset()
            self.stdout.write("Données de démonstration supprimées.")
        # Each demo signal goes through the real service, which logs it: one line each is noise here.
        logging.getLogger("reperes").setLevel(logging.WARNING)
        steps.load(report=lambda line: self.stdout.write(f"  {line}"))
        if connection.vendor == "postgresql":
            # The planner's statistics still describe the tables before the load (empty, or emptied
            # by tests rolled back): the bilans' and caseloads' counts then ran for minutes on nested
            # loops. ANALYZE counts the rows the load wrote, inside its transaction if there is one.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
