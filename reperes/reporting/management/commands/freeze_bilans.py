from typing import Any

from django.core.management.base import BaseCommand

from reperes.reporting.services import freeze_bilans


class Command(BaseCommand):
    help = (
        "Arrête le bilan de chaque campagne à sa date (dernier jour, ou fin du mois dernier) "
        "avant sa première lecture."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = freeze_bilans()
        self.stdout.write(f"frozen={counts['frozen']} already={counts['already']}")
