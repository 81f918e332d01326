"""An action of a Mission locale run by a partner, through the real services.

world = mobilisation_world()   # Mission locale (Saverne), its counsellor, partner P and its worker
action = new_action(world.counsellor, partners=[world.partner])
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reperes.mobilisation.enums import ActionFormat, ActionKind
from reperes.mobilisation.models import Action, Session
from reperes.mobilisation.services import add_session, create_action
from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area
from tests.registry.factories import mission_locale


@dataclass
class World:
    mission: Organisation
    counsellor: User
    partner: Organisation
    worker: User
    other_partner: Organisation
    other_worker: User


def mobilisation_world() -> World:
    mission = mission_locale("Mission locale de Saverne", "67437", "67300")
    partner = OrganisationFactory(name="Horizons", territory=area("Horizons", "67437"), commune_id="67437")
    other = OrganisationFactory(name="Ailleurs", commune_id="67482")
    return World(
        mission=mission,
        counsellor=MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user,
        partner=partner,
        worker=MembershipFactory(role=Role.PARTNER_WORKER, organisation=partner).user,
        other_partner=other,
        other_worker=MembershipFactory(role=Role.PARTNER_WORKER, organisation=other).user,
    )


def new_action(user: User, *, partners: list[Organisation], **fields: Any) -> Action:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "title": "Atelier théâtre",
        "kind": ActionKind.CULTURE,
        "format": ActionFormat.COLLECTIVE,
        "objectives": "Reprendre confiance en soi.",
        "commune_id": "67437",
        "starts_on": today - timedelta(days=20),
        "ends_on": today + timedelta(days=40),
        "capacity": 8,
        "cost": Decimal("2400.00"),
        "cofinancing_requested": Decimal("1200.00"),
        **fields,
    }
    values["commune"] = Commune.objects.get(code=values.pop("commune_id"))
    return create_action(acting_user=user, partners=partners, **values)


def past_session(action: Action, *, days_ago: int = 1, minutes: int = 120, at: datetime | None = None) -> Session:
    return add_session(
        action,
        acting_user=action.created_by,
        starts_at=at or timezone.now() - timedelta(days=days_ago),
        duration_minutes=minutes,
        place="Salle des fêtes",
    )
