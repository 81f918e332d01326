from django.core.management.base import BaseCommand

from reperes.pathways.reference import load_occupations


class Command(BaseCommand):
    help = "Charge (ou met à jour) le ROME v3.46 de France Travail : grands domaines et fiches métiers."

    def handle(self, *args: object, **options: object) -> None:
        loaded = load_occupations()
        self.stdout.write(
            f"ROME v3.46 (source : France Travail, Licence Ouverte 2.0) : {loaded.occupations} fiches, "
            f"{loaded.domains} grands domaines"
        )
