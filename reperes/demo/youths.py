"""Demo young people of the three campaigns, reported by the demo partners through the real services.

Counts. Each campaign identifies the number of youths its seed gives (reperes.demo.campaigns): 233
in the first, 280 in the second, and about a hundred so far in the one in progress. A youth belongs
to the campaign of their first signal (programme.selectors). The two seed figures alone make 513,
so the demo holds about 620 records, not the issue's « about 500 ». On top of these, the current
campaign has a few contact opportunities (signals without the youth's agreement: no record), which
the Mission locale works through their partners (meetings asked, some answered).

People. Synthetic only (Faker fr_FR, seeded: the same names at every load); each youth is 16 to 25
on the day they are met, lives in a commune of the reporting partner's area (weighted by
population) and is reported by a partner able to identify young people, of several kinds. Four
in ten are young women: the seed says they are harder to reach. One youth in ten is met again,
one to ten weeks later, by another partner who types them differently (dropped accents, a
nickname, capitals, a one-letter slip, and mostly without the birth date).

Triage. Events are replayed in date order through send_signal, assign_referent and
merge_signal_into, so match keys, history and merges are real. The Mission locale has long
triaged the closed campaigns: every youth has a référent, and a second report that opened its own
record has been merged into the first. In the current campaign, signals older than
TRIAGE_LAG_DAYS are triaged the same way, except one in FORGOTTEN_EVERY, overdue; recent ones wait
in the queue, some flagged « peut-être déjà connu ». Each Mission locale has at least
COUNSELLORS_PER_MISSION counsellors (generated ones never log in). Files of the closed campaigns
stay open: the registry has no service to close a file yet (exits belong to pathways).

Dates. The services stamp `timezone.now()`. Afterwards the demo backdates, with queryset updates,
what they stamped: signals (created_at, met_on, handled_at), records (created_at, and an estimated
birth date computed from the age on the day met rather than today) and merges (merged_at). The
privacy log (AccessLog, WriteRecord) is append-only and keeps the real time of loading: even the
demo never rewrites it."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import cycle
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from faker import Faker

from reperes.demo import campaigns, programme
from reperes.demo.accounts import ACCOUNTS, DEMO_DOMAIN
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways.enums import Channel, ContactOutcome
from reperes.registry.enums import Barrier, BirthPrecision, MeetingAnswer, SignalConsent, SignalStatus
from reperes.registry.models import Merge, Signal, Youth
from reperes.registry.services import (
    answer_meeting_request,
    ask_partner_for_meeting,
    assign_referent,
    merge_signal_into,
    record_opportunity_contact,
    send_signal,
)
from reperes.territory.models import Commune
from reperes.territory.text import fold

SEED = 2015
FEMALE_SHARE = 0.4
MET_AGAIN_EVERY = 10
BIRTH_DATE_KNOWN = 0.7
OPPORTUNITIES = 20
TRIAGE_LAG_DAYS = 45
FORGOTTEN_EVERY = 15
COUNSELLORS_PER_MISSION = 2

# The demo partner account's organisation never makes a second report: its list of signals sent
# stays plain, and the browser journey that classifies one of them « jeune déjà connu » finds one.
DEMO_PARTNER = next(a["organisation"] for a in ACCOUNTS if a["role"] == Role.PARTNER_WORKER)

NICKNAMES = {
    "alexandre": "Alex",
    "alexandra": "Alex",
    "anthony": "Tony",
    "christophe": "Chris",
    "guillaume": "Guigui",
    "jonathan": "Jo",
    "julien": "Juju",
    "maxime": "Max",
    "mohamed": "Momo",
    "nicolas": "Nico",
    "sebastien": "Seb",
    "stephanie": "Steph",
    "thomas": "Tom",
    "timothee": "Tim",
    "valentin": "Valou",
    "camille": "Cam",
    "elodie": "Elo",
    "margaux": "Margot",
    "jessica": "Jess",
    "benjamin": "Ben",
    "matthieu": "Matt",
    "mathieu": "Math",
    "raphael": "Raph",
}

MET_WHERE: dict[str, list[str]] = {
    OrganisationKind.PREVENTION: ["travail de rue", "accueil de jour", "pied d'immeuble", "abribus"],
    OrganisationKind.SPORT_CULTURE: ["entraînement de foot", "tournoi de quartier", "atelier rap"],
    OrganisationKind.PJJ: ["entretien éducatif", "permanence au tribunal"],
    OrganisationKind.SOCIAL_CENTRE: ["permanence", "accueil du centre", "sortie familiale"],
    OrganisationKind.SCHOOL: ["entretien au CIO", "liste MLDS", "rendez-vous de l'assistante sociale"],
}


@dataclass
class Report:
    """One signal to send: a first report, a second one by another partner, or an opportunity."""

    at: datetime
    partner: Organisation
    commune: Commune
    first_name: str
    last_name: str
    sex: str
    age: int  # on the day met
    birth_date: date | None
    person: int | None = None  # index in the plan; None for a contact opportunity
    second: bool = False


@dataclass
class Replay:
    """What the services returned, to backdate afterwards."""

    now: datetime
    current_from: datetime  # first instant of the campaign in progress
    rng: Random
    staff: dict[int, Iterator[User]]
    youth_of: dict[int, int] = field(default_factory=dict)  # person -> record opened by the first report
    signal_dates: dict[int, tuple[datetime, datetime | None]] = field(default_factory=dict)
    opened: dict[int, Report] = field(default_factory=dict)  # record -> the report that opened it
    merges: dict[int, datetime] = field(default_factory=dict)
    current_reports: int = 0


def _strip_accents(text: str) -> str:
    return text.translate(str.maketrans("éèêëàâäîïôöûüùçÉÈ", "eeeeaaaiioouuucEE"))


def _slip(name: str, rng: Random) -> str:
    """One vowel typed as another, as heard over a noisy street: Vogtlander, Vogtlender."""
    vowels = [i for i, c in enumerate(name) if c in "aeiou" and 0 < i < len(name) - 1]
    if not vowels:
        return name
    i = rng.choice(vowels)
    return name[:i] + rng.choice([v for v in "aeiou" if v != name[i]]) + name[i + 1 :]


def _worker(organisation: Organisation, fake: Faker) -> User:
    """A partner worker who never logs in (unusable password), authoring the demo signals."""
    user, _created = User.objects.get_or_create(
        email=f"partenaire-{organisation.pk}@{DEMO_DOMAIN}",
        defaults={"first_name": fake.first_name(), "last_name": fake.last_name(), "password": make_password(None)},
    )
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.PARTNER_WORKER})
    return user


def _counsellors(mission: Organisation, fake: Faker) -> list[User]:
    """The Mission locale's counsellors, completed with generated ones who never log in."""
    people = [
        m.user
        for m in Membership.objects.filter(organisation=mission, role=Role.COUNSELLOR, is_active=True)
        .select_related("user")
        .order_by("pk")
    ]
    for k in range(len(people), COUNSELLORS_PER_MISSION):
        user, _created = User.objects.get_or_create(
            email=f"conseiller-{mission.pk}-{k}@{DEMO_DOMAIN}",
            defaults={"first_name": fake.first_name(), "last_name": fake.last_name(), "password": make_password(None)},
        )
        Membership.objects.get_or_create(user=user, organisation=mission, defaults={"role": Role.COUNSELLOR})
        people.append(user)
    return people


def _birth_date(age: int, met_on: date, rng: Random) -> date:
    return date(met_on.year - age, met_on.month, min(met_on.day, 28)) - timedelta(days=rng.randint(0, 364))


def _estimated_birth_date(age: int, met_on: date) -> date:
    # As registry.services does from today: half a year past the birthday, on the day met.
    return date(met_on.year - age, met_on.month, min(met_on.day, 28)) - timedelta(days=182)


def _moment(first: date, last: date, rng: Random) -> datetime:
    day = first + timedelta(days=rng.randint(0, (last - first).days))
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59))))


def _plan(fake: Faker, rng: Random, identifiers: list[Organisation], now: datetime) -> list[Report]:
    """Every signal of the demo, in date order."""
    served = {p.pk: list(p.territory.communes.order_by("code")) if p.territory else [] for p in identifiers}
    reporters = [p for p in identifiers if served[p.pk]]
    yesterday = now.date() - timedelta(days=1)
    reports: list[Report] = []
    names: set[str] = set()
    person = 0
    spans = [(c.starts_on, c.ends_on) for c in campaigns.demo_campaigns()]
    for index, (seed, (starts_on, ends_on)) in enumerate(zip(campaigns.SEEDS, spans, strict=True)):
        # A campaign's youths live where one of its projects is carried: the seed counts them in its
        # projects (233 in the seven of the first), and the Missions locales without one then lacked
        # partners able to identify youths.
        apart = _communes_of(programme.LATE_CARRIERS[index])
        open_to = {pk: [c for c in communes if c.pk not in apart] for pk, communes in served.items()}
        reporting = [p for p in reporters if open_to[p.pk]]
        for _n in range(seed.youths):
            partner = rng.choice(reporting)
            communes = open_to[partner.pk]
            commune = rng.choices(communes, weights=[c.population + 50 for c in communes])[0]
            female = rng.random() < FEMALE_SHARE
            while True:  # two demo youths never share a name: the counts stay exact
                first = fake.first_name_female() if female else fake.first_name_male()
                last = fake.last_name()
                if fold(f"{first} {last}") not in names:
                    names.add(fold(f"{first} {last}"))
                    break
            at = _moment(starts_on, min(ends_on, yesterday), rng)
            age = rng.randint(16, 25)
            birth = _birth_date(age, at.date(), rng)
            known = birth if rng.random() < BIRTH_DATE_KNOWN else None
            sex = "f" if female else "m"
            reports.append(Report(at, partner, commune, first, last, sex, age, known, person))
            if person % MET_AGAIN_EVERY == MET_AGAIN_EVERY - 3:
                reports.append(_met_again(reports[-1], birth, reporters, served, rng, now))
            person += 1
    for _n in range(OPPORTUNITIES):
        partner = rng.choice(reporters)
        female = rng.random() < FEMALE_SHARE
        first = fake.first_name_female() if female else fake.first_name_male()
        at = _moment(spans[-1][0], min(spans[-1][1], yesterday), rng)
        commune = rng.choice(served[partner.pk])
        reports.append(Report(at, partner, commune, first, "", "f" if female else "m", rng.randint(16, 25), None))
    return sorted(reports, key=lambda r: r.at)


def _communes_of(missions: set[str]) -> set[str]:
    """The communes the Missions locales named serve."""
    areas = Organisation.objects.missions_locales().filter(name__in=missions).values("territory")
    return set(Commune.objects.filter(territories__in=areas).values_list("pk", flat=True))


def _met_again(
    first: Report,
    birth: date,
    reporters: list[Organisation],
    served: dict[int, list[Commune]],
    rng: Random,
    now: datetime,
) -> Report:
    """The same youth met by another partner, of another kind when one serves the commune."""
    others = [p for p in reporters if p.pk != first.partner.pk and p.name != DEMO_PARTNER]
    nearby = [p for p in others if first.commune in served[p.pk]]
    other_kind = [p for p in nearby if p.kind != first.partner.kind]
    partner = rng.choice(other_kind or nearby or others)
    at = first.at + timedelta(days=rng.randint(7, 70), minutes=rng.randint(0, 600))
    if at >= now:
        at = first.at + (now - first.at) / 2
    variation = rng.choice(["accents", "nickname", "slip"])
    first_name, last_name = _strip_accents(first.first_name), first.last_name
    if variation == "nickname":
        first_name = NICKNAMES.get(fold(first.first_name), first_name)
    elif variation == "slip":
        last_name = _slip(last_name, rng)
    if rng.random() < 0.5:
        last_name = last_name.upper()
    age = first.age + (at.date() - first.at.date()).days // 365
    known = birth if rng.random() < 0.3 else None
    return Report(at, partner, first.commune, first_name, last_name, first.sex, age, known, first.person, True)


def load_youths() -> str:
    if Signal.objects.filter(author__email__endswith="@" + DEMO_DOMAIN).exists():
        return "déjà chargés"
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    rng = Random(SEED)
    now = timezone.now()
    identifiers = list(
        Organisation.objects.active().partners().filter(can_identify=True).select_related("territory").order_by("pk")
    )
    reports = _plan(fake, rng, identifiers, now)
    workers = {p.pk: _worker(p, fake) for p in identifiers}
    replay = Replay(
        now=now,
        current_from=campaigns.demo_campaigns()[-1].received_from,
        rng=rng,
        staff={m.pk: cycle(_counsellors(m, fake)) for m in Organisation.objects.missions_locales().order_by("pk")},
    )
    for report in reports:
        _send(report, workers[report.partner.pk], replay)
    _backdate(replay)
    asked = _work_opportunities(replay, workers)
    return (
        f"{len(reports)} signalements, {len(replay.opened)} dossiers ouverts, {len(replay.merges)} fusions, "
        f"{asked} rendez-vous demandés aux partenaires"
    )


def _work_opportunities(replay: Replay, workers: dict[int, User]) -> int:
    """The Mission locale works the contact opportunities through their partners, in turn: a
    meeting asked and still unanswered; asked and accepted; tried in the street, then asked and not
    seen again; not yet worked. The demo partner's first one always waits for its answer. Returns
    how many meetings were asked."""
    opportunities = list(
        Signal.objects.filter(status=SignalStatus.OPPORTUNITY).select_related("organisation").order_by("created_at")
    )
    waiting = next((s.pk for s in opportunities if s.organisation.name == DEMO_PARTNER), None)
    asked = 0
    for n, signal in enumerate(opportunities):
        staff = next(replay.staff[signal.mission_locale_id])
        step = 0 if signal.pk == waiting else n % 4
        if step == 2:
            tried_on = max(signal.met_on, replay.now.date() - timedelta(days=replay.rng.randint(2, 10)))
            record_opportunity_contact(
                signal,
                acting_user=staff,
                channel=Channel.STREET,
                outcome=ContactOutcome.NOT_REACHED,
                happened_on=tried_on,
            )
        if step == 3:
            continue
        ask_partner_for_meeting(signal, acting_user=staff)
        asked += 1
        if step:
            answer = MeetingAnswer.ACCEPTED if step == 1 else MeetingAnswer.NOT_SEEN
            answer_meeting_request(signal, answer=answer, acting_user=workers[signal.organisation_id])
    return asked


def _send(report: Report, author: User, replay: Replay) -> None:
    named = report.person is not None
    signal = send_signal(
        author=author,
        first_name=report.first_name,
        last_name=report.last_name,
        commune=report.commune,
        consent=SignalConsent.CONTACT if named else SignalConsent.NONE,
        birth_date=report.birth_date,
        approximate_age=report.age,
        sex=report.sex,
        met_where=replay.rng.choice(MET_WHERE.get(report.partner.kind, ["permanence"])),
        barriers=replay.rng.sample(list(Barrier.values), k=replay.rng.choice([0, 0, 1, 1, 2])),
    )
    handled_at: datetime | None = None
    if signal.youth_id is not None and signal.youth_id not in replay.opened:
        replay.opened[signal.youth_id] = report
        if not report.second:
            assert report.person is not None
            replay.youth_of[report.person] = signal.youth_id
    if report.at >= replay.current_from:
        replay.current_reports += 1
    forgotten = report.at >= replay.current_from and replay.current_reports % FORGOTTEN_EVERY == 0
    triaged = replay.now - report.at > timedelta(days=TRIAGE_LAG_DAYS) and not forgotten
    if signal.status == SignalStatus.NEW and triaged:
        handled_at = min(report.at + timedelta(days=replay.rng.randint(1, 5)), replay.now)
        staff = next(replay.staff[signal.mission_locale_id])
        known = replay.youth_of.get(report.person) if report.second and report.person is not None else None
        if known is not None and known != signal.youth_id:
            merge = merge_signal_into(signal, Youth.objects.get(pk=known), acting_user=staff)
            replay.merges[merge.pk] = handled_at
        else:
            # A youth already followed keeps their référent: the signal is acknowledged.
            followed_by = signal.youth.referent if signal.youth is not None else None
            assign_referent(signal, referent=followed_by or staff, acting_user=staff)
    replay.signal_dates[signal.pk] = (report.at, handled_at)


def _backdate(replay: Replay) -> None:
    """Give back to signals, records and merges the dates of the events they stand for. One
    update per row: faster here than bulk_update, whose CASE expressions Django builds slowly."""
    for pk, (at, handled_at) in replay.signal_dates.items():
        Signal.objects.filter(pk=pk).update(created_at=at, met_on=timezone.localdate(at), handled_at=handled_at)
    estimated = set(
        Youth.objects.filter(pk__in=replay.opened, birth_precision=BirthPrecision.ESTIMATED).values_list(
            "pk", flat=True
        )
    )
    for pk, report in replay.opened.items():
        changes: dict[str, object] = {"created_at": report.at}
        if pk in estimated:
            changes["birth_date"] = _estimated_birth_date(report.age, timezone.localdate(report.at))
        Youth.objects.filter(pk=pk).update(**changes)
    for pk, merged_at in replay.merges.items():
        Merge.objects.filter(pk=pk).update(merged_at=merged_at)


def reset_youths() -> None:
    """Youths and signals cannot be deleted through the models (history, PROTECT): the demo
    reset removes them with their history, which only a demo may do."""
    from reperes.privacy.models import AccessLog, WriteRecord
    from reperes.registry.models import Consent, ImportedRow, ListImport, YouthMatchKey

    for model in (AccessLog, WriteRecord):
        # Bypasses the append-only guard on purpose: demo data only.
        model.objects.all()._raw_delete(model.objects.db)
    Merge.objects.all().delete()
    ImportedRow.objects.all().delete()  # lists imported while trying the demo
    ListImport.objects.all().delete()
    Youth.objects.exclude(merged_into=None).update(merged_into=None)  # a self-reference, PROTECT
    Signal.objects.all().delete()
    YouthMatchKey.objects.all().delete()
    Consent.objects.all().delete()
    Youth.objects.all().delete()


LOOK_ALIKE_PLACE = "Rencontré·e à la gare routière, ne se souvenait plus bien de sa date de naissance"
LOOK_ALIKES = 4


def _look_alike(youth: Youth, rng: Random) -> dict[str, Any] | None:
    """What another partner might note of this youth: a vowel misheard, a birth date off by ten
    days or a year; kept only when the engine cannot decide alone (a pair to review)."""
    from reperes.matching import Outcome
    from reperes.registry.identity import find_known, record_of
    from reperes.registry.services import draft_youth

    born, age = youth.birth_date, youth.age()
    if born is None or age is None or not 17 <= age <= 24:  # still in the programme's public
        return None
    for birth_date in (born + timedelta(days=10), born.replace(day=min(born.day, 28)) + timedelta(days=365)):
        variant: dict[str, Any] = {
            "first_name": youth.first_names,
            "last_name": _slip(youth.last_name, rng),
            "birth_date": birth_date,
            "sex": youth.sex,
            "commune": youth.commune,
        }
        decision, _youths = find_known(record_of(draft_youth(**variant)))
        if decision.outcome == Outcome.REVIEW:
            return variant
    return None


def load_look_alikes() -> str:
    """A few youths already followed, met again by another partner: each opens a record to
    triage (« peut-être déjà connu ») and a pair for the review queue (the nightly sweep, run once)."""
    from reperes.registry.review import sweep_duplicates

    if not Signal.objects.filter(met_where=LOOK_ALIKE_PLACE).exists():
        fake = Faker("fr_FR")
        fake.seed_instance(SEED + 1)
        rng = Random(SEED + 1)
        known = (
            Youth.objects.active()
            .filter(mission_locale__name="Mission locale de Strasbourg", birth_precision=BirthPrecision.DAY)
            .exclude(referent=None)
            .exclude(commune=None)
            .select_related("commune")
            .order_by("pk")
        )
        partners = list(Organisation.objects.active().partners().filter(can_identify=True).order_by("pk"))
        sent = 0
        for youth in known:
            variant = _look_alike(youth, rng)
            if variant is None:
                continue
            reporters = {s.organisation_id for s in youth.signals.all()}
            partner = next(p for p in partners if p.pk not in reporters)
            send_signal(
                author=_worker(partner, fake), met_where=LOOK_ALIKE_PLACE, consent=SignalConsent.CONTACT, **variant
            )
            sent += 1
            if sent == LOOK_ALIKES:
                break
    found = sum(sweep_duplicates(mission) for mission in Organisation.objects.missions_locales())
    return f"{found} paires de doublons possibles à examiner"
