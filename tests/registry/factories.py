"""Factories of the registry, built through its real services: a youth is opened by a signal
(`send_signal`, which stores its match keys) or by a line of an imported list, a référent is
given by triage (`assign_referent`), a consent is recorded by `record_consent` (with its history),
a merge by `merge_youths`. Only the duplicate pair is written directly: the sweep that finds
pairs is a batch over a whole Mission locale.

Every generated youth has a last name of its own (pronounceable, unlike any other) and an exact
birth date of its own, so that the engine never takes two of them for one person.

    mission = mission_locale("Saverne", "67437", "67300")
    YouthFactory(mission_locale=mission, followed=True, share_with=[partner])
    SignalFactory(opportunity=True, author=worker)
    ListImportFactory(created_by=counsellor, done=True, lines=[import_line(...)])
"""

import hashlib
from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.network.selectors import mission_locale_for
from reperes.privacy import policy
from reperes.registry.enums import CandidateStatus, ImportStatus, InformedHow, SignalConsent
from reperes.registry.imports import services as imports
from reperes.registry.imports import worker
from reperes.registry.models import Consent, DuplicateCandidate, ImportedRow, ListImport, Signal, Youth
from reperes.registry.services import assign_referent, merge_youths, record_consent, send_signal, withdraw_consent
from reperes.registry.services import update_youth as _update_youth
from reperes.territory.models import Commune
from tests.network.factories import MembershipFactory, OrganisationFactory, area

SAVERNE = "67437"
CONSONANTS, VOWELS = "bdfgklmnprstvz", "aeiou"
FIRST_NAMES = ("Inès", "Lucas", "Nadia", "Karim", "Sofia", "Hugo", "Chloé", "Enzo", "Jade", "Yanis", "Léa", "Samir")


def unique_name(n: int, syllables: int = 4) -> str:
    """A pronounceable last name drawn from a hash of n: two of them share almost no letters."""
    digest = hashlib.sha256(f"reperes-{n}".encode()).digest()
    letters = "".join(
        CONSONANTS[digest[2 * i] % len(CONSONANTS)] + VOWELS[digest[2 * i + 1] % len(VOWELS)] for i in range(syllables)
    )
    return letters.capitalize()


def birth_date(n: int) -> date:
    """An exact birth date of its own, between 17 and 23 years ago: always in the public."""
    return timezone.localdate() - timedelta(days=17 * 366 + (n * 37) % (6 * 365))


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


def mission_locale(name: str, *codes: str, **fields: Any) -> Organisation:
    """A Mission locale whose territory is made of these real communes."""
    return OrganisationFactory(
        mission_locale=True, name=name, territory=area(name, *codes), commune_id=codes[0], **fields
    )


def mission_covering(place: Commune) -> Organisation:
    """The Mission locale whose territory holds the commune; a new one covering it alone if none does."""
    return mission_locale_for(place) or mission_locale(f"Mission locale de {place.name}", place.code)


def staff_of(mission: Organisation) -> User:
    """Someone of the Mission locale who may act on its files: its first counsellor or coordinator
    (a new counsellor when it has none)."""
    return (
        policy.possible_referents(mission).first()
        or MembershipFactory(role=Role.COUNSELLOR, organisation=mission).user
    )


def partner_worker(**organisation: Any) -> User:
    return MembershipFactory(
        role=Role.PARTNER_WORKER, **{f"organisation__{k}": v for k, v in organisation.items()}
    ).user


def _commune_of(o: Any) -> Commune:
    mission = getattr(o, "mission_locale", None)
    if mission is None:
        return commune(SAVERNE)
    covered = mission.territory.communes.all() if mission.territory_id else Commune.objects.none()
    # Where the Mission locale sits, when its territory holds it; else the territory's first commune.
    place = covered.filter(pk=mission.commune_id).first() or covered.order_by("code").first()
    assert place is not None, f"{mission} covers no commune"
    return place


# --- Signals ------------------------------------------------------------------------------------


class SignalFactory(factory.django.DjangoModelFactory):
    """A fiche de repérage sent by `send_signal`: named (the youth agreed to be contacted) unless
    `opportunity`; `triaged` gives its record a référent of the Mission locale (`assign_referent`).
    The Mission locale is the one covering the commune (created when none does)."""

    class Meta:
        model = Signal

    author = factory.LazyFunction(partner_worker)
    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    last_name = factory.Sequence(unique_name)
    birth_date = factory.Sequence(birth_date)
    approximate_age = None
    commune = factory.LazyFunction(lambda: commune(SAVERNE))
    consent = SignalConsent.CONTACT
    sex = ""
    phone = ""
    met_where = ""
    barriers: list[str] = []
    referent = None  # with `triaged`: who takes the youth in

    class Params:
        named = factory.Trait(consent=SignalConsent.CONTACT)
        contact = factory.Trait(consent=SignalConsent.CONTACT)
        opportunity = factory.Trait(consent=SignalConsent.NONE, last_name="", birth_date=None, approximate_age=19)
        triaged = factory.Trait(referent=factory.LazyAttribute(lambda o: staff_of(mission_covering(o.commune))))

    @classmethod
    def _create(cls, model_class: type[Signal], *args: Any, **kwargs: Any) -> Signal:
        referent = kwargs.pop("referent")
        mission_covering(kwargs["commune"])
        signal = send_signal(**kwargs)
        if referent is not None:
            assign_referent(signal, referent=referent, acting_user=referent)
            signal.refresh_from_db()
        return signal


# --- Lists --------------------------------------------------------------------------------------

LIST_HEADER = "NOM;PRENOM;DATE_NAISSANCE;SEXE;COMMUNE;INE;DERNIERE CLASSE"


def import_line(last_name: str, first_name: str, born: date | None, *, code: str = SAVERNE, level: str = "3e") -> str:
    return (
        f"{last_name};{first_name};{born:%d/%m/%Y};;{code};;{level}"
        if born
        else f"{last_name};{first_name};;;{code};;"
    )


def list_content(lines: list[str]) -> bytes:
    return ("\n".join([LIST_HEADER, *lines]) + "\n").encode()


class ListImportFactory(factory.django.DjangoModelFactory):
    """A dropout list uploaded by a member of a Mission locale (`upload_list`), its columns as
    guessed; `checked` runs the check, `done` imports it as well (through the worker's step, in the
    request for a small file). `size` generated lines unless `lines` are given."""

    class Meta:
        model = ListImport

    created_by = factory.LazyFunction(lambda: staff_of(mission_covering(commune(SAVERNE))))
    file_name = factory.Sequence(lambda n: f"liste-{n}.csv")
    kind = "dropout"
    size = 1
    lines = factory.LazyAttributeSequence(
        lambda o, n: [
            import_line(unique_name(10_000 + n * 1000 + i), FIRST_NAMES[i % len(FIRST_NAMES)], birth_date(n * 7 + i))
            for i in range(o.size)
        ]
    )
    content = factory.LazyAttribute(lambda o: list_content(o.lines))  # or the bytes of a file
    check = False
    commit = False

    class Params:
        checked = factory.Trait(check=True)
        done = factory.Trait(check=True, commit=True)

    @classmethod
    def _create(cls, model_class: type[ListImport], *args: Any, **kwargs: Any) -> ListImport:
        user = kwargs["created_by"]
        list_import = imports.upload_list(
            user=user, file_name=kwargs["file_name"], content=kwargs["content"], kind=kwargs["kind"]
        )
        if kwargs["check"]:
            imports.set_mapping(list_import, list_import.mapping)
            worker.launch(list_import, user=user)
            assert list_import.status in (ImportStatus.CHECKED, ImportStatus.INVALID), list_import.report
        if kwargs["commit"]:
            imports.start_import(list_import)
            worker.launch(list_import, user=user)
            assert list_import.status == ImportStatus.DONE, list_import.report
        list_import.refresh_from_db()
        return list_import


# --- Youths -------------------------------------------------------------------------------------


class YouthFactory(factory.django.DjangoModelFactory):
    """A youth's record, opened by a named signal of `reported_by` (a new partner worker by
    default), or with `from_list` by a line of a dropout list imported by the Mission locale.

    `mission_locale` picks the first commune of its territory; `followed` gives the record a
    référent of its Mission locale (or pass `referent`); `with_consent` records a consent sharing
    with `share_with` (passing `share_with` is enough); `merged` merges the record into another
    new one of its Mission locale (or into `merged_into`). The record is returned as saved."""

    class Meta:
        model = Youth

    mission_locale = None
    first_names = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: unique_name(n + 500_000))
    birth_date = factory.Sequence(lambda n: birth_date(n + 500))
    approximate_age = None
    commune = factory.LazyAttribute(_commune_of)
    phone = ""
    barriers: list[str] = []
    reported_by = factory.LazyFunction(partner_worker)
    opened_by_list = False
    referent = None
    share_with = None  # a list: a consent is recorded
    sensitive_sections: list[str] = []
    merged_into = None
    merged_by = None  # who merges (a member of the Mission locale by default)

    class Params:
        followed = factory.Trait(
            referent=factory.LazyAttribute(lambda o: staff_of(o.mission_locale or mission_covering(o.commune)))
        )
        from_list = factory.Trait(opened_by_list=True)
        with_consent = factory.Trait(share_with=[])
        merged = factory.Trait(
            merged_into=factory.LazyAttribute(
                lambda o: YouthFactory(mission_locale=o.mission_locale or mission_covering(o.commune))
            )
        )

    @classmethod
    def _create(cls, model_class: type[Youth], *args: Any, **kwargs: Any) -> Youth:
        mission = kwargs["mission_locale"] or mission_covering(kwargs["commune"])
        if kwargs["opened_by_list"]:
            youth = _youth_from_list(mission, kwargs)
        else:
            signal = send_signal(
                author=kwargs["reported_by"],
                first_name=kwargs["first_names"],
                last_name=kwargs["last_name"],
                birth_date=kwargs["birth_date"],
                approximate_age=kwargs["approximate_age"],
                commune=kwargs["commune"],
                consent=SignalConsent.CONTACT,
                phone=kwargs["phone"],
                barriers=kwargs["barriers"],
            )
            assert signal.youth is not None
            youth = signal.youth
            if kwargs["referent"] is not None:
                assign_referent(signal, referent=kwargs["referent"], acting_user=kwargs["referent"])
        assert youth.mission_locale_id == mission.pk, f"{kwargs['commune']} is not covered by {mission}"
        if kwargs["opened_by_list"] and kwargs["referent"] is not None:
            youth.refresh_from_db()
            _update_youth(
                youth,
                acting_user=kwargs["referent"],
                version=youth.updated_at.isoformat(),
                referent=kwargs["referent"],
            )
        if kwargs["share_with"] is not None:
            ConsentFactory(
                youth=youth, share_with=list(kwargs["share_with"]), sensitive_sections=kwargs["sensitive_sections"]
            )
        if kwargs["merged_into"] is not None:
            kept = kwargs["merged_into"]
            merge_youths(kept, youth, acting_user=kwargs["merged_by"] or staff_of(kept.mission_locale))
        youth.refresh_from_db()
        return youth


def _youth_from_list(mission: Organisation, fields: dict[str, Any]) -> Youth:
    line = import_line(fields["last_name"], fields["first_names"], fields["birth_date"], code=fields["commune"].code)
    list_import = ListImportFactory(created_by=staff_of(mission), lines=[line], done=True)
    return ImportedRow.objects.select_related("youth").get(list_import=list_import).youth


class ConsentFactory(factory.django.DjangoModelFactory):
    """A consent recorded on the youth's file by a member of its Mission locale (`record_consent`,
    which closes the previous one and writes the history); `withdrawn` withdraws it at once."""

    class Meta:
        model = Consent

    youth = factory.SubFactory(YouthFactory)
    informed_on = factory.LazyFunction(timezone.localdate)
    informed_how = InformedHow.IN_PERSON
    share_with: list[Organisation] = []
    sensitive_sections: list[str] = []
    acting_user = factory.LazyAttribute(lambda o: staff_of(o.youth.mission_locale))
    withdraw = False

    class Params:
        withdrawn = factory.Trait(withdraw=True)

    @classmethod
    def _create(cls, model_class: type[Consent], *args: Any, **kwargs: Any) -> Consent:
        withdraw = kwargs.pop("withdraw")
        youth = kwargs.pop("youth")
        consent = record_consent(youth, **kwargs)
        if withdraw:
            withdraw_consent(youth, acting_user=kwargs["acting_user"])
            consent.refresh_from_db()
        return consent


class DuplicateCandidateFactory(factory.django.DjangoModelFactory):
    """An open pair of two active records of one Mission locale, stored in the order the table
    requires (the smaller id first), as the sweep stores it."""

    class Meta:
        model = DuplicateCandidate

    youth_a = factory.SubFactory(YouthFactory)
    youth_b = factory.SubFactory(YouthFactory, mission_locale=factory.SelfAttribute("..youth_a.mission_locale"))
    score = 10.0
    explanation = "même nom, même date de naissance"
    status = CandidateStatus.OPEN

    @classmethod
    def _create(cls, model_class: type[DuplicateCandidate], *args: Any, **kwargs: Any) -> DuplicateCandidate:
        a, b = sorted((kwargs["youth_a"], kwargs["youth_b"]), key=lambda youth: youth.pk)
        assert a.mission_locale_id == b.mission_locale_id, "the sweep compares records of one Mission locale"
        kwargs["youth_a"], kwargs["youth_b"] = a, b
        return super()._create(model_class, *args, **kwargs)
