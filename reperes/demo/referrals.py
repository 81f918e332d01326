"""Demo referrals (orientations): the Missions locales send youths to the partners seated with them,
who acknowledge, accept, decline or close them, through the real services
(reperes.referrals.services, and reperes.registry.services.record_consent for the consent a
referral rests on), which write the history.

Who. The youths whose open pathway is past the first meeting (stage 2 to 5), with one seeded random
draw: REFERRED of those with a need a partner answers are referred once in the last WINDOW_DAYS
days, a few days after their first meeting at the earliest, by their référent. The need is a
barrier confirmed on the file and not yet lifted (to the partner already working on it, else to a
partner seated with the Mission locale of a kind that takes it: BARRIER_PARTNERS of
reperes.demo.pathways; the justice flag is left out, the PJJ follows under a judicial mandate), else,
at stage 2 or 3, remobilisation (prevention, sport, social centre), at stage 4, getting ready for
training (E2C, training body). A youth in training or a job (stage 5) is referred for a barrier only.

Consent. Before the referral the référent records, at the meeting, the youth's consent naming the
partner (and the sensitive section the need belongs to: housing, health); OVERRIDE of the referrals
go without one, sent by the référent with the reason the service keeps (an emergency, a consent to
be signed at the next meeting).

Answers, with the synthetic rates named below. ANSWERED of the partners answer within ANSWER_DAYS,
ACKNOWLEDGED of them first marking it received the day it arrives; ACCEPTED of the answers accept,
the others decline with a reason (DECLINE_REASONS); an accepted referral is done DONE_AFTER days
later. WITHDRAWN are withdrawn by the Mission locale before any answer (the youth found another
way); the others stay unanswered and expire after the service's EXPIRY_DAYS. A referral sent too
recently for its answer stays sent or received.

The demo counsellor and the demo partner follow a script (SCRIPT), so that at first start every
status is there: the demo partner's inbox has referrals to answer (sent, received, one sent by
override) and accepted ones in progress, the counsellor's caseload has one referral expired
unanswered (« orientation … restée sans réponse ») and her home card one declined.

Dates. The services stamp `timezone.now()`. Each referral is sent and answered at once, then
backdated with queryset updates: the consent's `recorded_at`, the referral's `sent_at`,
`answered_at` and `expires_on` and its events' `at`. The daily pass of the worker is replayed once at
the end: the unanswered referrals sent three days ago or more are reminded
(`services.remind_unanswered`, `reminder_sent_at` set back to the third day), then those past their
expiry expire (`services.expire_overdue`, dated the night after the expiry). As in
reperes.demo.youths, the privacy log (WriteRecord) keeps the real time of loading."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

from django.contrib.auth.hashers import make_password
from django.db.models import Min
from django.utils import timezone
from faker import Faker

from reperes.demo import alsace
from reperes.demo.accounts import ACCOUNTS, DEMO_DOMAIN
from reperes.demo.pathways import BARRIER_PARTNERS
from reperes.demo.youths import DEMO_PARTNER
from reperes.mobilisation.selectors import youths_needing_attention
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, Service, User
from reperes.pathways.enums import BARRIER_SECTION, BarrierStatus, EventKind, Stage
from reperes.pathways.models import Pathway, PathwayEvent, YouthBarrier
from reperes.privacy import policy
from reperes.referrals import services
from reperes.referrals.enums import EXPIRY_DAYS, ReferralStatus
from reperes.referrals.models import Referral, ReferralEvent
from reperes.registry.enums import Barrier, InformedHow, YouthStatus
from reperes.registry.models import Consent
from reperes.registry.services import record_consent

SEED = 2018

WINDOW_DAYS = 90  # referrals sent in the last three months
REFERRED = 0.4  # share of the youths with a need a partner answers who are referred
OVERRIDE = 0.05  # share sent without a consent naming the partner, by the référent, with a reason
ANSWERED = 0.85  # share the partner answers before the expiry
WITHDRAWN = 0.05  # share withdrawn by the Mission locale before any answer (the rest expire)
ANSWER_DAYS = (0, 6)  # days the partner takes to answer
ACKNOWLEDGED = 0.5  # share of the answers preceded by « reçue » the day the referral arrives
ACCEPTED = 0.8  # share of the answers that accept
DONE_AFTER = (14, 60)  # days between accepting and closing as done

REMOBILISATION, TRAINING = "remobilisation", "training"
ISOLATION = Barrier.ISOLATION
# What a referral is for -> the kinds of partner that take it, by preference.
NEEDS: dict[str, list[str]] = {
    **{kind: kinds for kind, kinds in BARRIER_PARTNERS.items() if kind != Barrier.JUSTICE},
    REMOBILISATION: [OrganisationKind.PREVENTION, OrganisationKind.SPORT_CULTURE, OrganisationKind.SOCIAL_CENTRE],
    TRAINING: [OrganisationKind.E2C, OrganisationKind.TRAINING],
}
REASONS: dict[str, str] = {
    Barrier.HOUSING: "Hébergé·e chez des amis : demande de place en foyer de jeunes travailleurs",
    Barrier.HEALTH: "Pas de médecin depuis longtemps : premier rendez-vous, gratuit et confidentiel",
    Barrier.ADDICTION: "Consommation qui pèse sur le quotidien : consultation jeunes consommateurs, accord du jeune",
    Barrier.MOBILITY: "Pas de permis, commune mal desservie : aide au permis et solution de transport",
    Barrier.ISOLATION: "En rupture avec sa famille : accompagnement éducatif de proximité",
    Barrier.MONEY: "Aucune ressource : ouverture des droits et aide d'urgence",
    Barrier.CHILDCARE: "Un jeune enfant sans mode de garde : solution à trouver avant l'entrée en formation",
    Barrier.LANGUAGE: "Cours de français à reprendre avant une formation qualifiante",
    Barrier.DIGITAL: "Pas d'accès au numérique : accompagnement aux démarches en ligne",
    REMOBILISATION: "Remobilisation : une activité de groupe pour reprendre un rythme et du lien",
    TRAINING: "Projet validé : remise à niveau et positionnement avant l'entrée en formation",
}
DECLINE_REASONS = [
    "Plus de place avant la rentrée : rappelez-nous en septembre",
    "Le jeune ne s'est pas présenté aux deux rendez-vous proposés",
    "Besoin déjà couvert par un autre partenaire",
    "Hors des critères d'admission (âge, ressources)",
]
WITHDRAW_REASONS = [
    "Le jeune a trouvé une solution par lui-même",
    "Le jeune préfère attendre la fin de l'action en cours",
]
OVERRIDE_REASONS = [
    "Urgence : sans solution pour ce soir, accord donné par téléphone, consentement écrit au prochain rendez-vous",
    "Le jeune l'a demandé en entretien ; consentement écrit à recueillir à la prochaine rencontre",
]
DONE_REASON = "Accompagnement terminé"


@dataclass
class Plan:
    """One referral to send, and what becomes of it (steps: status, days after sending, reason)."""

    pathway: Pathway
    need: str
    partner: Organisation
    sent_on: date
    steps: list[tuple[str, int, str]] = field(default_factory=list)
    override: str = ""


@dataclass
class Context:
    rng: Random
    fake: Faker
    today: date
    now: datetime
    near: dict[int, list[Organisation]]  # Mission locale -> the active partners seated with it
    services: dict[int, Service]  # partner -> its first active service
    workers: dict[int, User]  # partner -> its first partner worker
    mobilised: dict[int, date]  # pathway -> the day of its first meeting
    needs: dict[int, list[tuple[str, int | None]]]  # youth -> (barrier, partner working on it) not lifted


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _worker(ctx: Context, partner: Organisation) -> User:
    """The partner's first worker; a partner without one gets a worker who never logs in (unusable
    password), named as reperes.demo.youths names those it creates."""
    if partner.pk not in ctx.workers:
        user, _created = User.objects.get_or_create(
            email=f"partenaire-{partner.pk}@{DEMO_DOMAIN}",
            defaults={
                "first_name": ctx.fake.first_name(),
                "last_name": ctx.fake.last_name(),
                "password": make_password(None),
            },
        )
        Membership.objects.get_or_create(user=user, organisation=partner, defaults={"role": Role.PARTNER_WORKER})
        ctx.workers[partner.pk] = user
    return ctx.workers[partner.pk]


def _partner(
    ctx: Context, pathway: Pathway, need: str, working: int | None, exclude: Organisation | None = None
) -> Organisation | None:
    near = [o for o in ctx.near.get(pathway.youth.mission_locale_id, []) if o != exclude]
    if working is not None:
        for organisation in near:
            if organisation.pk == working:
                return organisation
    for kind in NEEDS[need]:
        for organisation in near:
            if organisation.kind == kind:
                return organisation
    return None


def _need(ctx: Context, pathway: Pathway, exclude: Organisation | None = None) -> tuple[str, Organisation] | None:
    """What the youth would be referred for, and to whom (module docstring), `exclude` aside."""
    wanted = [(kind, partner) for kind, partner in ctx.needs.get(pathway.youth_id, []) if kind in NEEDS]
    if not wanted and pathway.stage in (Stage.MOBILISED, Stage.IN_ACTION):
        wanted = [(REMOBILISATION, None)]
    elif not wanted and pathway.stage == Stage.PROJECT:
        wanted = [(TRAINING, None)]
    for kind, working in wanted:
        partner = _partner(ctx, pathway, kind, working, exclude)
        if partner is not None:
            return kind, partner
    return None


def _sent_on(ctx: Context, pathway: Pathway) -> date:
    """A day of the last WINDOW_DAYS days, three days after the first meeting at the earliest."""
    first = max(ctx.today - timedelta(days=WINDOW_DAYS), ctx.mobilised.get(pathway.pk, ctx.today) + timedelta(days=3))
    if first >= ctx.today:
        return ctx.today
    return first + timedelta(days=ctx.rng.randint(0, (ctx.today - first).days))


def _fate(ctx: Context, plan: Plan) -> None:
    """What becomes of a referral, drawn with the rates of the module."""
    rng, age = ctx.rng, (ctx.today - plan.sent_on).days
    draw = rng.random()
    if draw < WITHDRAWN:
        after = rng.randint(1, 4)
        if after <= age:
            plan.steps.append((ReferralStatus.WITHDRAWN, after, rng.choice(WITHDRAW_REASONS)))
        return
    if draw >= WITHDRAWN + ANSWERED:
        return  # unanswered: it expires once past its expiry
    answer = rng.randint(*ANSWER_DAYS)
    if rng.random() < ACKNOWLEDGED:
        plan.steps.append((ReferralStatus.RECEIVED, 0, ""))
        answer = max(answer, 1)
    if answer > age:
        return
    if rng.random() >= ACCEPTED:
        plan.steps.append((ReferralStatus.DECLINED, answer, rng.choice(DECLINE_REASONS)))
        return
    plan.steps.append((ReferralStatus.ACCEPTED, answer, ""))
    done = answer + rng.randint(*DONE_AFTER)
    if done <= age:
        plan.steps.append((ReferralStatus.DONE, done, DONE_REASON))


# --- the script of the demo counsellor and the demo partner -----------------------------------------


@dataclass(frozen=True)
class Scripted:
    steps: list[tuple[str, int, str]]  # as Plan.steps
    days_ago: int
    to_demo_partner: bool = False
    by_demo_counsellor: bool = True
    override: str = ""


SCRIPT: list[Scripted] = [
    Scripted([], 16),  # expired unanswered: the caseload's alert
    Scripted([(ReferralStatus.RECEIVED, 0, ""), (ReferralStatus.DECLINED, 3, DECLINE_REASONS[0])], 20),
    Scripted([(ReferralStatus.ACCEPTED, 2, ""), (ReferralStatus.DONE, 40, DONE_REASON)], 70),
    Scripted([(ReferralStatus.WITHDRAWN, 2, WITHDRAW_REASONS[0])], 30),
    Scripted([(ReferralStatus.RECEIVED, 0, ""), (ReferralStatus.ACCEPTED, 2, "")], 12, to_demo_partner=True),
    Scripted([(ReferralStatus.RECEIVED, 0, "")], 4, to_demo_partner=True),
    Scripted([], 1, to_demo_partner=True),
    Scripted([], 2, to_demo_partner=True, override=OVERRIDE_REASONS[1]),
    Scripted([(ReferralStatus.ACCEPTED, 1, "")], 25, to_demo_partner=True, by_demo_counsellor=False),
    Scripted([], 0, to_demo_partner=True, by_demo_counsellor=False),
]


def _scripted(ctx: Context, pathways: list[Pathway], busy: set[int]) -> list[Plan]:
    """The plans of SCRIPT, on the demo counsellor's youths (and her colleagues' for the last ones),
    each youth once, none of those the mobilisation demo flagged absent twice (one alert each). To
    the demo partner (prevention) a youth goes for remobilisation, or, in training or a job, for
    isolation; her other referrals go, for a need of the file, to another partner, or else as the
    demo partner would take them, to another partner of the same kinds."""
    counsellor = next(a["email"] for a in ACCOUNTS if a["role"] == Role.COUNSELLOR)
    demo_partner = Organisation.objects.get(name=DEMO_PARTNER)
    with_demo_partner = [p for p in pathways if demo_partner in ctx.near.get(p.youth.mission_locale_id, [])]
    mine = [p for p in with_demo_partner if p.youth.referent is not None and p.youth.referent.email == counsellor]
    # Youths with a need of their own first.
    mine.sort(key=lambda p: (_need(ctx, p, exclude=demo_partner) is None, p.youth_id))
    colleagues = [p for p in with_demo_partner if p not in mine]
    plans: list[Plan] = []
    for script in SCRIPT:
        for pathway in mine if script.by_demo_counsellor else colleagues:
            if pathway.youth_id in busy:
                continue
            as_demo_partner = ISOLATION if pathway.stage == Stage.OUTCOME else REMOBILISATION
            if script.to_demo_partner:
                found: tuple[str, Organisation] | None = (as_demo_partner, demo_partner)
            else:
                found = _need(ctx, pathway, exclude=demo_partner)
                other = _partner(ctx, pathway, as_demo_partner, None, exclude=demo_partner)
                found = found or ((as_demo_partner, other) if other is not None else None)
            if found is None:
                continue
            busy.add(pathway.youth_id)
            sent_on = ctx.today - timedelta(days=script.days_ago)
            plans.append(Plan(pathway, found[0], found[1], sent_on, list(script.steps), script.override))
            break
    return plans


# --- sending, then dating ---------------------------------------------------------------------------


def _consent(ctx: Context, plan: Plan) -> None:
    """The youth agreed, at the meeting where the referral was decided, to share with the partner
    (and the partners an earlier consent named) what the need asks."""
    youth = plan.pathway.youth
    assert youth.referent is not None
    current = Consent.objects.filter(youth=youth, withdrawn_at=None).prefetch_related("share_with").first()
    share_with = [plan.partner] + ([o for o in current.share_with.all() if o.pk != plan.partner.pk] if current else [])
    section = BARRIER_SECTION.get(plan.need)
    sections = set(current.sensitive_sections if current else []) | ({section} if section else set())
    informed_on = plan.sent_on - timedelta(days=ctx.rng.randint(0, 2))
    consent = record_consent(
        youth,
        informed_on=informed_on,
        informed_how=InformedHow.IN_PERSON,
        share_with=share_with,
        acting_user=youth.referent,
        sensitive_sections=sorted(sections),
    )
    Consent.objects.filter(pk=consent.pk).update(recorded_at=min(_moment(informed_on, 16), ctx.now))


def _send(ctx: Context, plan: Plan) -> int:
    """Send the referral and give its answers, then date them; its pk."""
    youth = plan.pathway.youth
    referent = youth.referent
    assert referent is not None
    section = BARRIER_SECTION.get(plan.need)
    if not plan.override:
        _consent(ctx, plan)
    referral = services.send_referral(
        youth,
        to_organisation=plan.partner,
        reason=REASONS[plan.need],
        acting_user=referent,
        service=ctx.services.get(plan.partner.pk),
        shared_sections=[section] if section else [],
        consent_override_reason=plan.override,
    )
    sent_at = min(_moment(plan.sent_on, 10, ctx.rng.randint(0, 59)), ctx.now - timedelta(minutes=30))
    moments = [sent_at]
    for status, after, reason in plan.steps:
        if status == ReferralStatus.WITHDRAWN:
            referral = services.withdraw_referral(
                referral, acting_user=referent, version=referral.version, reason=reason
            )
        else:
            referral = services.answer_referral(
                referral,
                status=status,
                acting_user=_worker(ctx, plan.partner),
                version=referral.version,
                reason=reason,
            )
        hour = 15 if after == 0 else 9 + ctx.rng.randint(0, 7)
        moments.append(min(max(_moment(plan.sent_on + timedelta(days=after), hour), sent_at), ctx.now))
    answers = [
        m for (status, _, _), m in zip(plan.steps, moments[1:], strict=True) if status != ReferralStatus.WITHDRAWN
    ]
    Referral.objects.filter(pk=referral.pk).update(sent_at=sent_at, answered_at=answers[-1] if answers else None)
    for event, moment in zip(referral.events.order_by("pk"), moments, strict=True):
        ReferralEvent.objects.filter(pk=event.pk).update(at=moment)
    return referral.pk


def _daily_pass(ctx: Context, referrals: list[int]) -> None:
    """The worker's daily pass, replayed once (module docstring)."""
    reminded = services.remind_unanswered(ctx.today)
    reminder = services.reminder_days()
    for referral in Referral.objects.filter(pk__in=referrals).only("pk", "sent_at"):
        sent_on = timezone.localdate(referral.sent_at)
        Referral.objects.filter(pk=referral.pk).update(expires_on=sent_on + timedelta(days=EXPIRY_DAYS))
    for referral in reminded:
        day = timezone.localdate(referral.sent_at) + timedelta(days=reminder)
        Referral.objects.filter(pk=referral.pk).update(reminder_sent_at=min(_moment(day, 7), ctx.now))
    for pk in services.expire_overdue(ctx.today):
        expires_on = Referral.objects.values_list("expires_on", flat=True).get(pk=pk)
        at = min(_moment(expires_on + timedelta(days=1), 3), ctx.now)
        ReferralEvent.objects.filter(referral_id=pk, status=ReferralStatus.EXPIRED).update(at=at)


# --- the step -----------------------------------------------------------------------------------------


def _context(rng: Random) -> Context:
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    now = timezone.now()
    missions = {o.commune_id: o.pk for o in Organisation.objects.missions_locales()}
    near: dict[int, list[Organisation]] = {}
    for organisation in Organisation.objects.active().partners().order_by("pk"):
        if organisation.commune_id in missions:
            near.setdefault(missions[organisation.commune_id], []).append(organisation)
    first_services: dict[int, Service] = {}
    for service in Service.objects.active().order_by("pk"):
        first_services.setdefault(service.organisation_id, service)
    workers: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(role=Role.PARTNER_WORKER, is_active=True).select_related("user").order_by("pk")
    ):
        workers.setdefault(membership.organisation_id, membership.user)
    mobilised = (
        PathwayEvent.objects.filter(kind=EventKind.STAGE, stage=Stage.MOBILISED, pathway__closed_at=None)
        .values("pathway_id")
        .annotate(first=Min("at"))
        .values_list("pathway_id", "first")
    )
    needs: dict[int, list[tuple[str, int | None]]] = {}
    barriers = YouthBarrier.objects.filter(status__in=[BarrierStatus.IDENTIFIED, BarrierStatus.IN_PROGRESS])
    for youth_id, kind, partner_id in barriers.order_by("youth_id", "kind").values_list("youth_id", "kind", "partner"):
        needs.setdefault(youth_id, []).append((kind, partner_id))
    return Context(
        rng=rng,
        fake=fake,
        today=timezone.localdate(now),
        now=now,
        near=near,
        services=first_services,
        workers=workers,
        mobilised={pk: timezone.localdate(at) for pk, at in mobilised},
        needs=needs,
    )


def _plans(ctx: Context, pathways: list[Pathway]) -> list[Plan]:
    rng = ctx.rng
    busy = set(youths_needing_attention(p.youth_id for p in pathways))
    plans = _scripted(ctx, pathways, busy)
    counsellor = next(a["email"] for a in ACCOUNTS if a["role"] == Role.COUNSELLOR)
    for pathway in pathways:
        referent = pathway.youth.referent
        if pathway.youth_id in busy or referent is None or referent.email == counsellor:
            continue
        found = _need(ctx, pathway)
        if found is None or rng.random() >= REFERRED:
            continue
        plan = Plan(pathway, found[0], found[1], _sent_on(ctx, pathway))
        if rng.random() < OVERRIDE:
            plan.override = rng.choice(OVERRIDE_REASONS)
        _fate(ctx, plan)
        plans.append(plan)
    return plans


def load_referrals() -> str:
    if Referral.objects.filter(from_user__email__endswith="@" + DEMO_DOMAIN).exists():
        return "déjà chargées"
    ctx = _context(Random(SEED))
    names = [ml.name for ml in alsace.MISSIONS_LOCALES]
    pathways = list(
        Pathway.objects.filter(
            closed_at=None,
            stage__gte=Stage.MOBILISED,
            youth__status=YouthStatus.ACTIVE,
            youth__mission_locale__name__in=names,
        )
        .exclude(youth__referent=None)
        .select_related("youth__referent", "youth__commune")
        .order_by("youth_id")
    )
    sent: list[int] = []
    for plan in sorted(_plans(ctx, pathways), key=lambda p: (p.sent_on, p.pathway.youth_id)):
        youth = plan.pathway.youth
        assert youth.referent is not None
        if (
            not plan.override
            and not policy.consent_partners(youth.referent, youth).filter(pk=plan.partner.pk).exists()
        ):
            continue  # the partner neither reported the youth nor serves their commune: no consent may name it
        sent.append(_send(ctx, plan))
    _daily_pass(ctx, sent)
    return _summary()


def _summary() -> str:
    counts: Counter[str] = Counter(Referral.objects.values_list("status", flat=True))
    by_status = ", ".join(f"{counts[s.value]} {s.label}s" for s in ReferralStatus)
    overrides = Referral.objects.exclude(consent_override_reason="").count()
    return f"{sum(counts.values())} orientations ({by_status}), dont {overrides} sans consentement, motif noté"


def reset_referrals() -> None:
    """Referrals name users and organisations (PROTECT): they go before them, with their events.
    The consents they rest on go with the youths (reperes.demo.youths)."""
    ReferralEvent.objects.all().delete()
    Referral.objects.all().delete()
