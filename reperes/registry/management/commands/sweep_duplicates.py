from typing import Any

from django.core.management.base import BaseCommand

from reperes.network.models import Organisation
from reperes.registry.imports.worker import recover_stalled
from reperes.registry.review import sweep_duplicates


class Command(BaseCommand):
    help = "Cherche les doublons possibles dans les dossiers de chaque Mission locale (à lancer chaque nuit)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for mission in Organisation.objects.active().missions_locales():
            total += sweep_duplicates(mission)
        stalled = recover_stalled()
        self.stdout.write(
            f"{total} nouvelles paires à examiner ; {stalled} import(s) interrompu(s) marqué(s) en échec."
        )
