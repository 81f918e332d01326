import pytest
from django.core.exceptions import ValidationError

from reperes.network.enums import Role
from reperes.network.models import Membership
from tests.network.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_funder_cannot_hold_a_counsellor():
    membership = Membership(user=UserFactory(), organisation=OrganisationFactory(funder=True), role=Role.COUNSELLOR)
    with pytest.raises(ValidationError) as error:
        membership.clean()
    assert "Ce rôle n'existe pas dans une structure de ce type" in str(error.value)


def test_a_mission_locale_holds_counsellors_and_coordinators():
    organisation = OrganisationFactory(mission_locale=True)
    assert organisation.allowed_roles() == {Role.COUNSELLOR, Role.COORDINATOR}
    assert organisation.is_mission_locale and not organisation.is_partner


def test_email_is_stored_lower_case():
    from reperes.network.models import User

    user = User.objects.create_user("Lea.Muller@Structure.Example", "x", first_name="Léa", last_name="Muller")
    assert user.email == "lea.muller@structure.example"
