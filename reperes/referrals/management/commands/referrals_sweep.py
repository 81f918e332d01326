from typing import Any

from django.core.management.base import BaseCommand

from reperes.referrals.services import sweep


class Command(BaseCommand):
    help = "Expire les orientations restées sans réponse au-delà de leur échéance et note les relances dues."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sweep()
        self.stdout.write(f"expired={counts['expired']} reminded={counts['reminded']}")
