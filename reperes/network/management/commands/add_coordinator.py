"""The first coordinator of a Mission locale (ADR 007): granted on the server, never in the admin."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Organisation
from reperes.network.services import Invitation, add_member, wait_for_mail


class Command(BaseCommand):
    help = (
        "Give someone the coordinator role of a Mission locale, and mail them the link to choose "
        "their password. Recorded as done by the platform's operator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mission_locale", type=int, help="id of the Mission locale")
        parser.add_argument("email")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--domain", required=True, help="host name in the link, e.g. reperes.example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        mission = Organisation.objects.filter(
            pk=options["mission_locale"], kind=OrganisationKind.MISSION_LOCALE
        ).first()
        if mission is None:
            raise CommandError("no Mission locale with this id")
        try:
            membership = add_member(
                mission,
                acting_user=None,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                role=Role.COORDINATOR,
                invitation=Invitation(domain=options["domain"], use_https=True),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        wait_for_mail()
        self.stdout.write(f"membership {membership.pk}: user {membership.user_id} coordinates {mission.pk}")
