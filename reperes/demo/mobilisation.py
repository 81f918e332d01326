"""Demo mobilisation actions: each Mission locale runs a few actions with the partners seated with it,
enrols the youths it follows and the partners record who came, through the real services
(reperes.mobilisation.services), which write the history and move a youth first marked present to
the pathway's stage 3.

Actions. Each Mission locale runs, in the campaign in progress, up to four actions, each at a place in
the calendar (SLOTS): a collective one held weekly for six weeks (its last session yesterday or in
the last three days) with three sessions to come, individual appointments every four days, each for
one youth, a collective one begun two weeks ago, and a collective one starting next week, whose
enrolments are open. A Mission locale with fewer than FULL_PROGRAMME youths to enrol runs only the
first and the last; one without any, only the last. Titles, kinds and places come from a catalogue
rotated from one Mission locale to the next (COLLECTIVE, INDIVIDUAL), run by one or two partners
seated with it of the kinds the action asks for; the demo partner runs the first action of its
Mission locale, so that the demo partner account has a sheet to fill. Costs: the template's price
of a session (animation, hire, transport) times the sessions; the Mission locale asks the funder for
COFINANCING of it (the seed: the Région cofinances the mobilisation actions). Actions that ended
are not in the demo: the service refuses to enrol a youth in an action already over, and the demo
does not rewrite an action's dates.

Who is enrolled. The youths of the Mission locale whose open pathway stands at stage 2 to 4
(mobilised, in action, project validated), with one seeded random draw: IN_RUNNING join an action
under way (a week before its first session at the earliest, a few days after their first meeting at
the latest), ALSO_UPCOMING of them also the coming one; the others only the coming one.

Attendance. Partners fill the sheet within two days: the sessions of the last LEFT_TO_RECORD_DAYS
days are not recorded yet (the partner's home card « présences à saisir »), and FORGOTTEN of the
older sheets were never filled. Among the youths enrolled, REGULAR come to PRESENT_REGULAR of the
sessions, IRREGULAR to PRESENT_IRREGULAR; DROPPING come once or twice then stop (« deux absences de
suite » in the caseload). A missed session is excused (EXCUSED) or not. The sheet is filled by a worker of
the first partner running the action that has one, else by the Mission locale's staff who created it.

The demo counsellor's youths follow a script (so that her caseload shows the alert at first start):
one at stage 2 (else 3 or 4), enrolled in the first action, was excused at its first session and absent at all
the others (« deux absences de suite »; never present, the youth stays at stage 2); those at stage 3 or 4
attend an action under way regularly (hours attended); her other youths at stage 2 are enrolled in
the coming action only, so that the stage counts of her caseload do not move.

Dates. The services stamp `timezone.now()`; afterwards the demo backdates, with queryset updates,
the actions' and sessions' `created_at` (three weeks before the first session), the enrolments'
`enrolled_at`, the attendances' `recorded_at` (the evening of the session or the next day), and the
stage-3 events that a first presence wrote (`at`, and the pathway's `stage_since`: the end of that
session). As in reperes.demo.youths, the privacy log (WriteRecord) keeps the real time of loading."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from django.db.models import Max, Min
from django.utils import timezone

from reperes.demo import alsace
from reperes.demo.accounts import ACCOUNTS, DEMO_DOMAIN
from reperes.demo.youths import DEMO_PARTNER
from reperes.mobilisation import services
from reperes.mobilisation.enums import ActionFormat, ActionKind, AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.mobilisation.selectors import youths_needing_attention
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways.enums import EventKind, Stage
from reperes.pathways.models import Pathway, PathwayEvent
from reperes.registry.enums import YouthStatus

SEED = 2017

FULL_PROGRAMME = 5  # youths to enrol (stage 2 to 4) for a Mission locale to run its four actions
COLLECTIVE_CAPACITY = 10  # places of a collective action
INDIVIDUAL_CAPACITY = 4  # youths followed by an action of individual appointments
COFINANCING = Decimal("0.5")  # share of the cost asked of the funder
# Who is enrolled.
IN_RUNNING = 0.75  # share of the youths to enrol who join an action under way
ALSO_UPCOMING = 0.3  # share of those who also join the coming one
INDIVIDUAL_WEIGHT = 2  # against 3 for each collective action under way: the odds of individual appointments
# Attendance.
LEFT_TO_RECORD_DAYS = 2  # the sessions of the last two days have no attendance yet
FORGOTTEN = 0.05  # share of the older sheets never filled
REGULAR, IRREGULAR, DROPPING, ABSENT = "regular", "irregular", "dropping", "absent"
PROFILES = {REGULAR: 0.6, IRREGULAR: 0.3, DROPPING: 0.1}  # how the youths enrolled come (ABSENT: the script)
PRESENT_REGULAR = 0.9  # share of the sessions a regular youth comes to
PRESENT_IRREGULAR = 0.6  # share of the sessions an irregular youth comes to
EXCUSED = 0.4  # share of the missed sessions excused beforehand
RECORDED_AFTER_HOURS = (1, 20)  # the sheet is filled that evening or the next morning


@dataclass(frozen=True)
class Template:
    title: str
    kind: str
    objectives: str
    innovation: str
    minutes: int
    place: str
    per_session: int  # euros: animation, hire, transport
    partner_kinds: tuple[str, ...]  # the partners who run it, by preference


COLLECTIVE = [
    Template(
        "Remise en forme et sports collectifs",
        ActionKind.SPORT,
        "Reprendre un rythme, retrouver le goût de l'effort en groupe, rencontrer l'équipe de la Mission locale.",
        "Séances encadrées par un éducateur sportif et un éducateur de rue que les jeunes connaissent déjà.",
        120,
        "Gymnase du quartier",
        190,
        (OrganisationKind.SPORT_CULTURE, OrganisationKind.PREVENTION),
    ),
    Template(
        "Théâtre d'improvisation : prendre la parole",
        ActionKind.CULTURE,
        "Oser parler devant les autres, se préparer à un entretien, reprendre confiance.",
        "Un comédien anime ; les jeunes rejouent à la dernière séance un entretien d'embauche.",
        150,
        "Salle du centre social",
        240,
        (OrganisationKind.SOCIAL_CENTRE, OrganisationKind.SPORT_CULTURE),
    ),
    Template(
        "Découverte des métiers en entreprise",
        ActionKind.JOB_DISCOVERY,
        "Visiter des entreprises qui recrutent, essayer des gestes professionnels, rencontrer des salariés.",
        "Une demi-journée par semaine chez un employeur du bassin, avec un formateur.",
        180,
        "Entreprises du bassin d'emploi",
        260,
        (OrganisationKind.TRAINING, OrganisationKind.E2C, OrganisationKind.SCHOOL),
    ),
    Template(
        "Sorties nature et patrimoine",
        ActionKind.OUTING,
        "Sortir du quartier, découvrir la région, vivre une journée en groupe.",
        "Les jeunes choisissent et préparent eux-mêmes la sortie suivante.",
        240,
        "Départ devant la Mission locale",
        420,
        (OrganisationKind.PREVENTION, OrganisationKind.SOCIAL_CENTRE),
    ),
    Template(
        "Confiance en soi et bien-être",
        ActionKind.WORKSHOP,
        "Prendre soin de soi, dormir, manger, gérer son stress ; repérer où trouver de l'aide.",
        "Co-animé par une psychologue de la maison des adolescents et une conseillère.",
        150,
        "Locaux de la Mission locale",
        200,
        (OrganisationKind.HEALTH, OrganisationKind.SOCIAL_CENTRE, OrganisationKind.PREVENTION),
    ),
    Template(
        "Bus, train, vélo : se déplacer seul·e",
        ActionKind.MOBILITY,
        "Lire un plan, acheter un titre de transport, faire seul·e le trajet jusqu'à un lieu de formation.",
        "Trajets réels vers les organismes de formation du territoire, vélo prêté.",
        180,
        "Gare routière",
        210,
        (OrganisationKind.OTHER_PARTNER, OrganisationKind.SOCIAL_CENTRE),
    ),
    Template(
        "Atelier numérique : ses démarches en ligne",
        ActionKind.WORKSHOP,
        "Créer une adresse e-mail, un espace France Travail, un CV en ligne ; garder ses codes.",
        "Chaque jeune repart avec un téléphone configuré et ses identifiants notés.",
        120,
        "Espace numérique du centre social",
        150,
        (OrganisationKind.SOCIAL_CENTRE, OrganisationKind.TRAINING),
    ),
]
INDIVIDUAL = [
    Template(
        "Rendez-vous individuels avec un éducateur",
        ActionKind.INTERVIEW,
        "Un rendez-vous régulier, hors les murs, pour garder le lien et préparer la suite.",
        "Au café, au city-stade ou à l'accueil de jour : le jeune choisit le lieu.",
        60,
        "Accueil de jour",
        70,
        (OrganisationKind.PREVENTION, OrganisationKind.SOCIAL_CENTRE),
    ),
    Template(
        "Code de la route accompagné",
        ActionKind.MOBILITY,
        "Réviser le code avec un moniteur, s'inscrire à l'examen, financer le permis.",
        "Séances individuelles sur tablette, examen blanc avant l'inscription.",
        90,
        "Plateforme mobilité",
        80,
        (OrganisationKind.OTHER_PARTNER, OrganisationKind.SOCIAL_CENTRE),
    ),
]


@dataclass(frozen=True)
class Slot:
    """Where an action stands in the calendar: its first session (days from today, before the
    Mission locale's shift), the days between two sessions, and how many."""

    first: int
    every: int
    sessions: int
    individual: bool = False
    shifted: bool = True  # moved back by 0 to 2 days from one Mission locale to the next


RUNNING = Slot(-43, 7, 10)  # seven sessions held, the last one yesterday (before the shift), three to come
APPOINTMENTS = Slot(-30, 4, 15, individual=True, shifted=False)  # eight held, seven to come
STARTED = Slot(-17, 7, 7)  # three held, four to come
UPCOMING = Slot(9, 7, 6, shifted=False)  # enrolments open
SLOTS = [RUNNING, APPOINTMENTS, STARTED, UPCOMING]


@dataclass
class Member:
    """A youth enrolled, and how they come."""

    enrolment: Enrolment
    joined: date
    profile: str
    drop_after: int = 1
    seen: int = 0

    def status(self, rng: Random) -> str:
        k, self.seen = self.seen, self.seen + 1
        if self.profile == ABSENT:
            return AttendanceStatus.EXCUSED if k == 0 else AttendanceStatus.ABSENT
        if self.profile == DROPPING:
            return AttendanceStatus.PRESENT if k < self.drop_after else AttendanceStatus.ABSENT
        if rng.random() < (PRESENT_REGULAR if self.profile == REGULAR else PRESENT_IRREGULAR):
            return AttendanceStatus.PRESENT
        return AttendanceStatus.EXCUSED if rng.random() < EXCUSED else AttendanceStatus.ABSENT


@dataclass
class Run:
    """One action of the demo, its sessions and the youths enrolled."""

    action: Action
    slot: Slot
    sessions: list[Session]
    recorder: User
    members: list[Member] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return len(self.members) >= self.action.capacity


@dataclass
class Context:
    rng: Random
    today: date
    now: datetime
    counsellor: str  # e-mail of the demo counsellor
    mobilised: dict[int, date]  # pathway -> the day of its first meeting (stage 2)
    workers: dict[int, User]  # partner -> its first partner worker
    first_present: dict[int, datetime] = field(default_factory=dict)  # youth -> end of the first session attended


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _organiser(mission: Organisation) -> User:
    """The Mission locale's coordinator when it has one, else its first counsellor."""
    staff = Membership.objects.filter(organisation=mission, is_active=True).select_related("user").order_by("pk")
    for role in (Role.COORDINATOR, Role.COUNSELLOR):
        for membership in staff:
            if membership.role == role:
                return membership.user
    raise ValueError(mission.name)


def _partners_for(template: Template, near: list[Organisation], first: Organisation | None) -> list[Organisation]:
    """One or two partners seated with the Mission locale, of the kinds the action asks for."""
    chosen = [first] if first is not None else []
    for kind in template.partner_kinds:
        for organisation in near:
            if organisation.kind == kind and organisation not in chosen and len(chosen) < 2:
                chosen.append(organisation)
                break
    return chosen or near[:1]


def _slot_days(slot: Slot, shift: int) -> list[date]:
    today = timezone.localdate()
    first = slot.first - (shift if slot.shifted else 0)
    return [today + timedelta(days=first + k * slot.every) for k in range(slot.sessions)]


def _create(
    ctx: Context, mission: Organisation, slot: Slot, template: Template, partners: list[Organisation], shift: int
) -> Run:
    organiser = _organiser(mission)
    days = _slot_days(slot, shift)
    assert mission.commune is not None
    cost = Decimal(template.per_session * len(days))
    action = services.create_action(
        acting_user=organiser,
        title=template.title,
        kind=template.kind,
        format=ActionFormat.INDIVIDUAL if slot.individual else ActionFormat.COLLECTIVE,
        objectives=template.objectives,
        innovation=template.innovation,
        partners=partners,
        commune=mission.commune,
        starts_on=days[0],
        ends_on=days[-1],
        capacity=INDIVIDUAL_CAPACITY if slot.individual else COLLECTIVE_CAPACITY,
        cost=cost,
        cofinancing_requested=(cost * COFINANCING).quantize(Decimal("1")),
    )
    sessions = []
    for k, day in enumerate(days):
        hour = 9 + 2 * (k % 4) if slot.individual else 14
        sessions.append(
            services.add_session(
                action,
                acting_user=organiser,
                starts_at=_moment(day, hour),
                duration_minutes=template.minutes,
                place=template.place,
            )
        )
    created = min(_moment(days[0] - timedelta(days=21), 10), ctx.now)
    Action.objects.filter(pk=action.pk).update(created_at=created, updated_at=created)
    Session.objects.filter(action=action).update(created_at=created)
    recorder = next((ctx.workers[p.pk] for p in partners if p.pk in ctx.workers), organiser)
    return Run(action, slot, sessions, recorder)


def _enrol(ctx: Context, run: Run, pathway: Pathway, profile: str, joined: date | None = None) -> None:
    """Enrol the youth, by their référent, on `joined` (drawn when not given): never before their
    first meeting, nor a week before the action's first session, nor after today."""
    youth = pathway.youth
    assert youth.referent is not None
    mobilised = ctx.mobilised.get(pathway.pk, timezone.localdate(pathway.opened_at))
    if joined is None:
        first = timezone.localdate(run.sessions[0].starts_at)
        joined = max(first - timedelta(days=ctx.rng.randint(2, 7)), mobilised + timedelta(days=ctx.rng.randint(2, 10)))
    joined = min(max(joined, mobilised + timedelta(days=1)), ctx.today)
    enrolment = services.enrol_youth(run.action, youth=youth, acting_user=youth.referent)
    at = min(_moment(joined, 11, ctx.rng.randint(0, 59)), ctx.now - timedelta(minutes=1))
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=at)
    run.members.append(Member(enrolment, joined, profile, drop_after=ctx.rng.randint(1, 2)))


def _recorded(session: Session, today: date) -> bool:
    """Whether the sheet of a session is filled: held before the last LEFT_TO_RECORD_DAYS days."""
    return timezone.localdate(session.starts_at) < today - timedelta(days=LEFT_TO_RECORD_DAYS)


def _held_after(run: Run, joined: date, today: date) -> int:
    return sum(1 for s in run.sessions if _recorded(s, today) and timezone.localdate(s.starts_at) >= joined)


def _profile(rng: Random) -> str:
    return rng.choices(list(PROFILES), weights=list(PROFILES.values()))[0]


def _script_counsellor(ctx: Context, runs: dict[Slot, Run], mine: list[Pathway]) -> None:
    """The demo counsellor's youths (module docstring): one absent twice in a row, the others
    present regularly (stage 3 or 4) or enrolled in the coming action (stage 2)."""
    running, upcoming = runs.get(RUNNING), runs.get(UPCOMING)
    if running is None or upcoming is None:
        return
    by_stage = sorted(mine, key=lambda p: (p.stage, ctx.mobilised.get(p.pk, ctx.today), p.pk))
    absent: Pathway | None = None
    for pathway in by_stage:
        joined = max(running.action.starts_on - timedelta(days=3), ctx.mobilised.get(pathway.pk, ctx.today))
        if _held_after(running, joined + timedelta(days=2), ctx.today) >= 4:  # excused, then absent at least thrice
            absent = pathway
            _enrol(ctx, running, pathway, ABSENT, joined + timedelta(days=2))
            break
    under_way = [run for slot, run in runs.items() if slot is not UPCOMING]
    for index, pathway in enumerate(p for p in by_stage if p is not absent):
        if pathway.stage == Stage.MOBILISED:
            _enrol(ctx, upcoming, pathway, REGULAR, ctx.today - timedelta(days=ctx.rng.randint(0, 6)))
            continue
        run = under_way[index % len(under_way)]
        if not run.full:
            _enrol(ctx, run, pathway, REGULAR)


def _enrol_youths(ctx: Context, runs: dict[Slot, Run], pathways: list[Pathway]) -> None:
    rng = ctx.rng
    under_way = [run for slot, run in runs.items() if slot is not UPCOMING]
    upcoming = runs[UPCOMING]
    for pathway in pathways:
        joined_any = False
        if under_way and rng.random() < IN_RUNNING:
            open_ = [run for run in under_way if not run.full]
            if open_:
                run = rng.choices(open_, weights=[INDIVIDUAL_WEIGHT if r.slot.individual else 3 for r in open_])[0]
                _enrol(ctx, run, pathway, _profile(rng))
                joined_any = True
        if (not joined_any or rng.random() < ALSO_UPCOMING) and not upcoming.full:
            _enrol(ctx, upcoming, pathway, REGULAR, ctx.today - timedelta(days=rng.randint(0, 6)))


def _record(ctx: Context, runs: Iterable[Run]) -> None:
    """Fill the sheets of the sessions held, in date order (the first presence moves the stage)."""
    rng = ctx.rng
    held = sorted(
        ((session, run) for run in runs for session in run.sessions if _recorded(session, ctx.today)),
        key=lambda pair: (pair[0].starts_at, pair[0].pk),
    )
    turn = 0
    for session, run in held:
        if rng.random() < FORGOTTEN:
            continue
        day = timezone.localdate(session.starts_at)
        there = [m for m in run.members if m.joined <= day]
        if run.slot.individual and there:  # one youth's appointment, in turn
            there = [there[turn % len(there)]]
            turn += 1
        statuses = {m.enrolment.pk: m.status(rng) for m in there}
        if not statuses:
            continue
        services.record_attendance(session, acting_user=run.recorder, statuses=statuses)
        end = session.starts_at + timedelta(minutes=session.duration_minutes)
        recorded = min(end + timedelta(hours=rng.randint(*RECORDED_AFTER_HOURS)), ctx.now - timedelta(minutes=1))
        Attendance.objects.filter(session=session).update(recorded_at=recorded)
        for member in there:
            if statuses[member.enrolment.pk] == AttendanceStatus.PRESENT:
                ctx.first_present.setdefault(member.enrolment.youth_id, end)


def _date_stage_events(ctx: Context, after: int) -> None:
    """The stage-3 events a first presence wrote (pk above `after`) happened at the end of that session."""
    events = PathwayEvent.objects.filter(pk__gt=after, kind=EventKind.STAGE, stage=Stage.IN_ACTION)
    for pk, pathway_id, youth_id in events.values_list("pk", "pathway_id", "pathway__youth_id"):
        at = ctx.first_present[youth_id]
        PathwayEvent.objects.filter(pk=pk).update(at=at)
        Pathway.objects.filter(pk=pathway_id, stage=Stage.IN_ACTION).update(stage_since=at)


def _context(rng: Random) -> Context:
    now = timezone.now()
    mobilised = dict(
        PathwayEvent.objects.filter(kind=EventKind.STAGE, stage=Stage.MOBILISED, pathway__closed_at=None)
        .values("pathway_id")
        .annotate(first=Min("at"))
        .values_list("pathway_id", "first")
    )
    workers: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(role=Role.PARTNER_WORKER, is_active=True).select_related("user").order_by("pk")
    ):
        workers.setdefault(membership.organisation_id, membership.user)
    return Context(
        rng=rng,
        today=timezone.localdate(now),
        now=now,
        counsellor=next(a["email"] for a in ACCOUNTS if a["role"] == Role.COUNSELLOR),
        mobilised={pk: timezone.localdate(at) for pk, at in mobilised.items()},
        workers=workers,
    )


def load_mobilisation() -> str:
    if Action.objects.filter(created_by__email__endswith="@" + DEMO_DOMAIN).exists():
        return "déjà chargées"
    ctx = _context(Random(SEED))
    events_after = PathwayEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    demo_partner = Organisation.objects.get(name=DEMO_PARTNER)
    for index, seed in enumerate(alsace.MISSIONS_LOCALES):
        mission = Organisation.objects.select_related("commune").get(name=seed.name)
        near = list(Organisation.objects.active().partners().filter(commune_id=mission.commune_id).order_by("pk"))
        if not near:
            continue
        pathways = list(
            Pathway.objects.filter(
                closed_at=None,
                stage__in=[Stage.MOBILISED, Stage.IN_ACTION, Stage.PROJECT],
                youth__mission_locale=mission,
                youth__status=YouthStatus.ACTIVE,
            )
            .exclude(youth__referent=None)
            .select_related("youth__referent")
            .order_by("youth_id")
        )
        slots = [UPCOMING] if not pathways else [RUNNING, UPCOMING]
        if len(pathways) >= FULL_PROGRAMME:
            slots = SLOTS
        runs: dict[Slot, Run] = {}
        for slot in slots:
            position = SLOTS.index(slot)
            catalogue = INDIVIDUAL if slot.individual else COLLECTIVE
            template = catalogue[(index + 2 * position) % len(catalogue)]
            lead = demo_partner if slot is RUNNING and demo_partner in near else None
            runs[slot] = _create(ctx, mission, slot, template, _partners_for(template, near, lead), index % 3)
        mine = [p for p in pathways if p.youth.referent is not None and p.youth.referent.email == ctx.counsellor]
        _script_counsellor(ctx, runs, mine)
        _enrol_youths(ctx, runs, [p for p in pathways if p not in mine])
        _record(ctx, runs.values())
    _date_stage_events(ctx, events_after)
    return _summary()


def _summary() -> str:
    enrolled = Enrolment.objects.filter(withdrawn_at=None)
    absent = youths_needing_attention(enrolled.values_list("youth_id", flat=True).distinct())
    present = Attendance.objects.filter(status=AttendanceStatus.PRESENT).count()
    return (
        f"{Action.objects.count()} actions, {Session.objects.count()} séances, {enrolled.count()} inscriptions, "
        f"{Attendance.objects.count()} présences saisies ({present} présent·es), "
        f"{len(absent)} jeunes absent·es deux fois de suite"
    )


def reset_mobilisation() -> None:
    """Attendance names users and organisations (PROTECT): it goes first; an action takes its
    sessions and enrolments along. The stage-3 events a first presence wrote go with the pathways
    (reset_pathways runs next: the demo is only ever reset whole)."""
    Attendance.objects.all().delete()
    Action.objects.all().delete()
