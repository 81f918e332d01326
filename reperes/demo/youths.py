"""Demo young people, reported by the demo partners through the real services.

Synthetic people only (Faker fr_FR, seeded). Dates are relative to the day the demo is loaded, so
the queue and ages are live. More young men than young women are identified, as the seed says
young women are harder to reach; about one youth in ten is reported a second time by another
partner, with the variations people make (dropped accent, nickname, no birth date)."""

from datetime import timedelta
from random import Random

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from faker import Faker

from reperes.demo.accounts import DEMO_DOMAIN
from reperes.network.enums import Role
from reperes.network.models import Membership, Organisation, User
from reperes.registry.enums import Barrier, SignalConsent
from reperes.registry.models import Signal
from reperes.registry.services import assign_referent, send_signal

YOUTHS = 120
SEED = 2015


def _worker(organisation: Organisation, fake: Faker) -> User:
    """A partner worker who never logs in (unusable password), authoring the demo signals."""
    email = f"partenaire-{organisation.pk}@{DEMO_DOMAIN}"
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": fake.first_name(), "last_name": fake.last_name(), "password": make_password(None)},
    )
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.PARTNER_WORKER})
    return user


def _strip_accents(text: str) -> str:
    return text.translate(str.maketrans("éèêëàâîïôöûüç", "eeeeaaiioouuc"))


def load_youths() -> str:
    if Signal.objects.filter(author__email__endswith="@" + DEMO_DOMAIN).exists():
        return "déjà chargés"
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    rng = Random(SEED)
    today = timezone.localdate()
    identifiers = list(Organisation.objects.active().partners().filter(can_identify=True).select_related("territory"))
    communes_of = {p.pk: list(p.territory.communes.order_by("code")) if p.territory else [] for p in identifiers}
    sent = 0
    for n in range(YOUTHS):
        partner = identifiers[n % len(identifiers)]
        served = communes_of.get(partner.pk)
        if not served:
            continue
        commune = rng.choice(served)
        female = rng.random() < 0.38
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        age = rng.randint(16, 25)
        birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
        named = rng.random() < 0.8
        signal = send_signal(
            author=_worker(partner, fake),
            first_name=first,
            last_name=last if named else "",
            commune=commune,
            consent=SignalConsent.CONTACT if named else SignalConsent.NONE,
            birth_date=birth if named and rng.random() < 0.7 else None,
            approximate_age=age,
            sex="f" if female else "m",
            met_where=rng.choice(["travail de rue", "permanence", "match de foot", "abribus", "accueil de jour"]),
            barriers=rng.sample(list(Barrier.values), k=rng.randint(0, 2)),
        )
        Signal.objects.filter(pk=signal.pk).update(created_at=timezone.now() - timedelta(days=rng.randint(0, 120)))
        sent += 1
        if named and rng.random() < 0.1:
            # The same youth met by another partner, typed differently.
            other = identifiers[(n + 3) % len(identifiers)]
            send_signal(
                author=_worker(other, fake),
                first_name=_strip_accents(first),
                last_name=last.upper(),
                commune=commune,
                consent=SignalConsent.CONTACT,
                approximate_age=age,
                sex="f" if female else "m",
            )
            sent += 1
    _assign_half()
    return f"{sent} signalements"


def _assign_half() -> None:
    """The older half of the named signals already have a référent."""
    queue = Signal.objects.filter(status="new", youth__isnull=False).select_related("mission_locale")
    for signal in list(queue.order_by("created_at"))[: queue.count() // 2]:
        staff = Membership.objects.filter(
            organisation=signal.mission_locale, role__in=[Role.COUNSELLOR, Role.COORDINATOR], is_active=True
        ).first()
        if staff is not None:
            assign_referent(signal, referent=staff.user, acting_user=staff.user)


def reset_youths() -> None:
    """Youths and signals cannot be deleted through the models (history, PROTECT): the demo
    reset removes them with their history, which only a demo may do."""
    from reperes.privacy.models import AccessLog, WriteRecord
    from reperes.registry.models import Consent, Youth, YouthMatchKey

    for model in (AccessLog, WriteRecord):
        # Bypasses the append-only guard on purpose: demo data only.
        model.objects.all()._raw_delete(model.objects.db)  # type: ignore[attr-defined]
    Signal.objects.all().delete()
    YouthMatchKey.objects.all().delete()
    Consent.objects.all().delete()
    Youth.objects.all().delete()
