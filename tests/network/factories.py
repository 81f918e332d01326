import factory

from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.territory.models import Commune, Territory

TEST_PASSWORD = "mot-de-passe-de-test"

KIND_FOR_ROLE = {
    Role.COUNSELLOR: OrganisationKind.MISSION_LOCALE,
    Role.COORDINATOR: OrganisationKind.MISSION_LOCALE,
    Role.PARTNER_WORKER: OrganisationKind.PREVENTION,
    Role.FUNDER_OFFICER: OrganisationKind.FUNDER,
    Role.ADMIN: OrganisationKind.OPERATOR,
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@structure.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(TEST_PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = OrganisationKind.PREVENTION
    commune_id = "67482"

    class Params:
        mission_locale = factory.Trait(
            kind=OrganisationKind.MISSION_LOCALE, name=factory.Sequence(lambda n: f"Mission locale {n}")
        )
        funder = factory.Trait(kind=OrganisationKind.FUNDER, name=factory.Sequence(lambda n: f"Région {n}"))
        operator = factory.Trait(kind=OrganisationKind.OPERATOR)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.COUNSELLOR
    organisation = factory.SubFactory(
        OrganisationFactory, kind=factory.LazyAttribute(lambda o: KIND_FOR_ROLE[o.factory_parent.role])
    )


def area(name: str, *codes: str) -> Territory:
    """A territory made of the real communes with these INSEE codes."""
    territory = Territory.objects.create(name=name)
    territory.communes.set(Commune.objects.filter(code__in=codes))
    return territory
