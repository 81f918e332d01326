"""The demo dataset, built by small idempotent steps run in order.

Each step is a pair (load, reset). Later features add their own steps at the end of STEPS;
running `load_demo` twice leaves the same data, `load_demo --reset` removes it first."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from reperes.demo import accounts, alsace
from reperes.network.enums import OrganisationKind
from reperes.network.models import Membership, Organisation, User
from reperes.territory.models import Commune, Territory
from reperes.territory.services import load_reference_data


@dataclass(frozen=True)
class Step:
    name: str
    load: Callable[[], str]
    reset: Callable[[], None]


def load_territory() -> str:
    if Commune.objects.current().exists():
        return "déjà chargé"
    result = load_reference_data()
    return f"{result.communes} communes"


def _organisation(name: str, kind: str, seat: str) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        name=name, kind=kind, defaults={"commune_id": seat, "is_active": True}
    )
    return organisation


def _mission_locale_communes() -> dict[str, list[str]]:
    """INSEE codes of each demo Mission locale's territory: its EPCI, then its arrondissements
    for the Alsace communes that no listed EPCI covers."""
    by_epci = {epci: ml.name for ml in alsace.MISSIONS_LOCALES for epci in ml.epcis}
    by_arrondissement = {arr: ml.name for ml in alsace.MISSIONS_LOCALES for arr in ml.arrondissements}
    territories: dict[str, list[str]] = {ml.name: [] for ml in alsace.MISSIONS_LOCALES}
    rows = Commune.objects.current().filter(departement_id__in=alsace.ALSACE_DEPARTEMENTS)
    for code, epci, arrondissement in rows.values_list("code", "epci_id", "arrondissement"):
        name = by_epci.get(epci) or by_arrondissement.get(arrondissement)
        if name:
            territories[name].append(code)
    return territories


def load_organisations() -> str:
    communes = _mission_locale_communes()
    for ml in alsace.MISSIONS_LOCALES:
        organisation = _organisation(ml.name, OrganisationKind.MISSION_LOCALE, ml.seat)
        if organisation.territory is None:
            organisation.territory = Territory.objects.create(name=f"Territoire — {ml.name}")
            organisation.save(update_fields=["territory"])
        organisation.territory.communes.set(Commune.objects.filter(code__in=communes[ml.name]))
    _organisation(alsace.FUNDER["name"], OrganisationKind.FUNDER, alsace.FUNDER["seat"])
    _organisation(alsace.OPERATOR["name"], OrganisationKind.OPERATOR, alsace.OPERATOR["seat"])
    for partner in alsace.PARTNERS:
        _organisation(partner["name"], partner["kind"], partner["seat"])
    return f"{len(alsace.MISSIONS_LOCALES)} Missions locales, {len(alsace.PARTNERS)} partenaires"


def reset_organisations() -> None:
    names = [ml.name for ml in alsace.MISSIONS_LOCALES]
    names += [alsace.FUNDER["name"], alsace.OPERATOR["name"]] + [p["name"] for p in alsace.PARTNERS]
    organisations = Organisation.objects.filter(name__in=names)
    territory_ids = list(organisations.exclude(territory=None).values_list("territory_id", flat=True))
    Membership.objects.filter(organisation__in=organisations).delete()
    organisations.delete()
    Territory.objects.filter(pk__in=territory_ids).delete()


def load_accounts() -> str:
    for account in accounts.ACCOUNTS:
        user, created = User.objects.update_or_create(
            email=account["email"],
            defaults={"first_name": account["first_name"], "last_name": account["last_name"], "is_active": True},
        )
        is_admin = account["role"] == "admin"
        if created or not user.check_password(accounts.DEMO_PASSWORD) or user.is_staff != is_admin:
            user.set_password(accounts.DEMO_PASSWORD)
            user.is_staff = user.is_superuser = is_admin
            user.save(update_fields=["password", "is_staff", "is_superuser"])
        organisation = Organisation.objects.get(name=account["organisation"])
        membership = Membership(user=user, organisation=organisation, role=account["role"])
        membership.clean()
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": account["role"], "is_active": True}
        )
    return f"{len(accounts.ACCOUNTS)} comptes"


def reset_accounts() -> None:
    User.objects.filter(email__endswith="@" + accounts.DEMO_DOMAIN).delete()


def _nothing() -> None:
    return None


STEPS: list[Step] = [
    Step("territoire", load_territory, _nothing),
    Step("structures", load_organisations, reset_organisations),
    Step("comptes", load_accounts, reset_accounts),
]


@transaction.atomic
def reset() -> None:
    for step in reversed(STEPS):
        step.reset()


def load(report: Callable[[str], None] = lambda line: None) -> None:
    for step in STEPS:
        with transaction.atomic():
            report(f"{step.name} : {step.load()}")
