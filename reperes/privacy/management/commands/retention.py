"""`manage.py retention [--dry-run]`: one pass of the retention rules now (ADR 013), as the clock's
nightly job does; with --dry-run, what it would change, changing nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reperes.network.models import Organisation
from reperes.privacy import retention


class Command(BaseCommand):
    help = "Anonymise les dossiers et supprime les données arrivés au terme de leur durée de conservation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="compte ce qui changerait, sans rien changer")

    def handle(self, *args: Any, **options: Any) -> None:
        run = retention.run(dry_run=options["dry_run"])
        counts = run.counts
        verb = "seraient" if run.dry_run else "ont été"
        names = dict(Organisation.objects.values_list("pk", "name"))
        self.stdout.write(f"Dates limites : {run.cutoffs}")
        self.stdout.write(f"{counts['files']} dossier(s) {verb} anonymisé(s)")
        for mission, count in counts["files_by_mission"].items():
            self.stdout.write(f"  {names.get(int(mission), mission)} : {count}")
        self.stdout.write(f"{counts['signals']} signalement(s) sans dossier {verb} supprimé(s)")
        for mission, count in counts["signals_by_mission"].items():
            self.stdout.write(f"  {names.get(int(mission), mission)} : {count}")
        self.stdout.write(f"{counts['access_log']} consultation(s) du journal {verb} supprimée(s)")
        self.stdout.write(f"{counts['exports']} export(s) expiré(s) {verb} supprimé(s)")
        if not run.dry_run:
            self.stdout.write(f"{counts['history_scrubbed']} entrée(s) de l'historique vidée(s) de leurs valeurs")
