from datetime import date

from reperes.network.enums import Role
from reperes.registry.enums import SignalConsent
from reperes.registry.models import Signal
from reperes.registry.services import send_signal
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory


def report(
    first_name: str, last_name: str, *, birth_date: date | None = None, phone: str = "", code: str = "67437"
) -> Signal:
    """A named signal from a new partner worker; an approximate age when no birth date is known."""
    return send_signal(
        author=MembershipFactory(role=Role.PARTNER_WORKER).user,
        first_name=first_name,
        last_name=last_name,
        commune=Commune.objects.get(code=code),
        consent=SignalConsent.CONTACT,
        birth_date=birth_date,
        approximate_age=None if birth_date else 19,
        phone=phone,
    )
