from typing import Any

from django.core.management.base import BaseCommand

from reperes.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from reperes.network.enums import Role


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD})")
        for account in ACCOUNTS:
            role = Role(account["role"]).label
            self.stdout.write(f"  {account['email']:<34} {role:<30} {account['organisation']}")
        self.stdout.write("Ouvrez http://127.0.0.1:8000/ dans un navigateur.")
        self.stdout.write("")
