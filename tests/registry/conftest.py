import pytest

from reperes.network.enums import Role
from tests.network.factories import MembershipFactory, OrganisationFactory, area


@pytest.fixture
def mission():
    """The Mission locale of the Pays de Saverne: Saverne (67437) and Haguenau (67300)."""
    territory = area("Saverne", "67437", "67300")
    return OrganisationFactory(mission_locale=True, territory=territory)


@pytest.fixture
def counsellor(mission):
    return MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
