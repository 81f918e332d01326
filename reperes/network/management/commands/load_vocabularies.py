from typing import Any

from django.core.management.base import BaseCommand

from reperes.network.services import load_vocabularies


class Command(BaseCommand):
    help = "Charge (ou met à jour) les vocabulaires data·inclusion : thématiques, publics, types de services, réseaux."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Vocabulaires data·inclusion : {load_vocabularies()} termes")
