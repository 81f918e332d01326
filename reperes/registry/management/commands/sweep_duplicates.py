from typing import Any

from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus

from reperes.registry.tasks import nightly_sweep


class Command(BaseCommand):
    help = (
        "Cherche les doublons possibles dans les dossiers de chaque Mission locale et reprend les imports "
        "interrompus (à lancer chaque nuit) : la tâche est confiée au worker, ou lancée ici avec --now."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="Lancer le balayage ici, sans passer par le worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            counts = nightly_sweep.call()
        else:
            result = nightly_sweep.enqueue()
            if result.status != TaskResultStatus.SUCCESSFUL:  # the database backend: run by the worker
                self.stdout.write(f"Balayage confié au worker (tâche {result.id}).")
                return
            counts = result.return_value
        self.stdout.write(
            f"{counts['candidates']} nouvelles paires à examiner ; "
            f"{counts['stalled']} import(s) interrompu(s) marqué(s) en échec."
        )
