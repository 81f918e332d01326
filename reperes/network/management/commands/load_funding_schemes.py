from typing import Any

from django.core.management.base import BaseCommand

from reperes.network.services import load_funding_schemes


class Command(BaseCommand):
    help = "Ajoute les dispositifs de droit commun de référence qui manquent (sans écraser les fiches modifiées)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Dispositifs de droit commun : {load_funding_schemes()} ajoutés")
