import time

from django.core.management.base import BaseCommand

from reperes.territory.services import load_reference_data


class Command(BaseCommand):
    help = "Charge (ou met à jour) les régions, départements, EPCI et communes du Code officiel géographique."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        result = load_reference_data()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Référentiel territorial : {result.communes} communes, {result.epcis} EPCI, "
            f"{result.departements} départements, {result.regions} régions en {elapsed:.1f} s"
            + (f" ({result.retired} communes retirées)" if result.retired else "")
        )
