"""The demo dataset, built by small idempotent steps run in order.

Each step is a pair (load, reset). Later features add their own steps at the end of STEPS;
running `load_demo` twice leaves the same data, `load_demo --reset` removes it first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from reperes.demo import (
    accounts,
    alsace,
    campaigns,
    mobilisation,
    partners,
    pathways,
    programme,
    referrals,
    reporting,
    timesheets,
    youths,
)
from reperes.network import second_factor
from reperes.network.enums import OrganisationKind, Vocabulary
from reperes.network.models import Contact, Membership, Organisation, Service, Term, User
from reperes.network.services import create_service, load_funding_schemes, load_vocabularies
from reperes.territory.models import Commune, Territory
from reperes.territory.services import load_reference_data


@dataclass(frozen=True)
class Step:
    name: str
    load: Callable[[], str]
    reset: Callable[[], None]


def load_territory() -> str:
    terms = load_vocabularies()
    schemes = load_funding_schemes()
    loaded = (
        "communes déjà chargées"
        if Commune.objects.current().exists()
        else f"{load_reference_data().communes} communes"
    )
    return f"{loaded}, {terms} termes data·inclusion, {schemes} dispositifs ajoutés"


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


def _partner_plan() -> list[tuple[str, partners.PartnerTemplate, alsace.MissionLocaleSeed]]:
    """(name, template, Mission locale) of every demo partner: the named ones of alsace.PARTNERS,
    then four generated per Mission locale."""
    by_kind = {t.kind: t for t in partners.TEMPLATES}
    seats = dict(
        Commune.objects.filter(code__in=[ml.seat for ml in alsace.MISSIONS_LOCALES]).values_list("code", "name")
    )
    # The named partners stand in a Mission locale's seat.
    mission_at = {ml.seat: ml for ml in alsace.MISSIONS_LOCALES}
    plan = [(p["name"], by_kind.get(p["kind"], by_kind["autre"]), mission_at[p["seat"]]) for p in alsace.PARTNERS]
    for index, ml in enumerate(alsace.MISSIONS_LOCALES):
        for k in range(4):
            template = partners.TEMPLATES[(index * 4 + k) % len(partners.TEMPLATES)]
            plan.append((template.name.format(place=seats[ml.seat]), template, ml))
    return plan


def load_partners() -> str:
    fake = Faker("fr_FR")
    fake.seed_instance(2013)
    today = timezone.localdate()
    terms = {(t.vocabulary, t.code): t for t in Term.objects.all()}
    plan = _partner_plan()
    gap = set(Commune.objects.filter(epci_id__in=partners.RURAL_GAP_EPCIS).values_list("code", flat=True))
    for index, (name, template, ml) in enumerate(plan):
        mission = Organisation.objects.get(name=ml.name)
        organisation = _organisation(name, template.kind, ml.seat)
        if organisation.territory is None:
            organisation.territory = Territory.objects.create(name=f"Zone d'intervention — {name}")
        assert mission.territory is not None
        area = mission.territory.communes.all()
        if template.can_identify:
            area = area.exclude(code__in=gap)
        organisation.territory.communes.set(area)
        organisation.can_identify = template.can_identify
        organisation.description = template.service + "."
        organisation.save(update_fields=["territory", "can_identify", "description"])
        organisation.themes.set([terms[(Vocabulary.THEME, code)] for code in template.themes])
        contact_name = fake.name()
        Contact.objects.update_or_create(
            organisation=organisation,
            defaults={"name": contact_name, "job_title": "référent·e jeunesse", "phone": fake.phone_number()},
        )
        if not organisation.services.exists():
            # One in seven was last reviewed more than a year ago: the directory flags it.
            age = timedelta(days=400 if index % 7 == 3 else index * 11 % 300)
            create_service(
                organisation,
                name=template.service,
                description=template.service + ".",
                themes=[terms[(Vocabulary.THEME, code)] for code in template.themes],
                publics=[terms[(Vocabulary.PUBLIC, code)] for code in template.publics],
                types=[terms[(Vocabulary.SERVICE_TYPE, code)] for code in template.types],
                how_to_refer=template.how_to_refer,
                commune_id=ml.seat,
                updated_on=today - age,
                acting_user=None,
            )
    return f"{len(plan)} partenaires avec leurs services"


def reset_partners() -> None:
    names = [name for name, _, _ in _partner_plan()]
    organisations = Organisation.objects.filter(name__in=names)
    territory_ids = list(organisations.exclude(territory=None).values_list("territory_id", flat=True))
    Service.objects.filter(organisation__in=organisations).delete()
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
        # Its second factor is ready: in `make run` the code page shows the current code.
        second_factor.give_demo_device(user)
    return f"{len(accounts.ACCOUNTS)} comptes"


def reset_accounts() -> None:
    User.objects.filter(email__endswith="@" + accounts.DEMO_DOMAIN).delete()


def _nothing() -> None:
    return None


STEPS: list[Step] = [
    Step("territoire", load_territory, _nothing),
    Step("structures", load_organisations, reset_organisations),
    Step("partenaires", load_partners, reset_partners),
    Step("comptes", load_accounts, reset_accounts),
    Step("campagnes", campaigns.load_campaigns, campaigns.reset_campaigns),
    Step("jeunes", youths.load_youths, youths.reset_youths),
    Step("doublons", youths.load_look_alikes, _nothing),  # pairs go with their youths (CASCADE)
    Step("parcours", pathways.load_pathways, pathways.reset_pathways),  # loads the ROME first if needed
    # After « parcours »: a first presence puts a mobilised youth « en action de mobilisation », and a
    # referral reads the barriers the pathways confirmed. Reset in reverse order: before the pathways.
    Step("actions", mobilisation.load_mobilisation, mobilisation.reset_mobilisation),
    Step("orientations", referrals.load_referrals, referrals.reset_referrals),
    Step("projets", programme.load_programme, programme.reset_programme),  # after the actions they budget
    Step("bilans", reporting.load_assessments, reporting.reset_assessments),  # the projects' qualitative part
    Step("heures", timesheets.load_timesheets, timesheets.reset_timesheets),  # by the coordinators « bilans » made
]


@transaction.atomic
def reset() -> None:
    for step in reversed(STEPS):
        step.reset()


def load(report: Callable[[str], None] = lambda line: None) -> None:
    for step in STEPS:
        with transaction.atomic():
            report(f"{step.name} : {step.load()}")
