from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reperes.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from reperes.network.enums import Role


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration."

    def add_arguments(self, parser: CommandParser) -> None:
        # `make run` passes the address runserver listens on (HOST, PORT).
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="L'adresse du site à ouvrir.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD})")
        for account in ACCOUNTS:
            role = Role(account["role"]).label
            self.stdout.write(f"  {account['email']:<34} {role:<30} {account['organisation']}")
        self.stdout.write(
            "Second facteur : après le mot de passe, la page « Code de connexion » affiche en démonstration "
            "le code du moment de ces comptes (en production, il vient de l'application du téléphone)."
        )
        self.stdout.write(f"Ouvrez {options['url']} dans un navigateur.")
        self.stdout.write("")
