"""Demo pathways: the triaged demo youths walk through the programme's five stages, through the real
services (reperes.pathways.services), which write the history.

Who. Every active youth with a référent (the Mission locale has triaged their signal) has a
pathway, in the order of the records, with one seeded random draw: the same pathways at every load.
A youth still in the triage queue has no pathway yet. The youths reported in the last
FULL_HISTORY_DAYS walk step by step; the older files were taken over in summary (TAKEN_OVER_*): an
outcome with its follow-ups, or an exit. A handful of the demo counsellor's youths follow a written
script instead (SCRIPTS below), so that at first start her caseload shows each alert this module can
produce, and the demo partner's « Jeunes à recontacter » list has plans due today.

The walk, with the synthetic rates named below (plausible orders of magnitude for a « perdus de vue »
public, not measurements):
1. repéré·e: the référent calls a few days after triage; REACHED_AT_FIRST_CALL are reached at once,
   then REACHED_AT_RETRY at each of up to MAX_CALLS calls (WRONG_DETAILS of the misses are a wrong
   number); after that the partner who reported the youth tries (THROUGH_PARTNER_REACHED), or the
   file closes « perdu·e de vue à nouveau ».
   Of the youths reached, DECLINES decline: a re-approach is planned two to six weeks later, given
   to the reporting partner (REAPPROACH_BY_PARTNER, in the street) or kept by the Mission locale;
   REAPPROACH_SUCCESS agree at the first re-approach, REAPPROACH_SUCCESS_AGAIN at the second (the
   service plans it a month after a second refusal); the others refuse for good (REFUSED_FOR_GOOD)
   or cannot be found again (lost again).
2. mobilisé·e: a first meeting (« entretien réalisé ») mobilises the youth; the barriers the partners
   suspected on their signals are confirmed (BARRIER_CONFIRMED, in progress with a partner of the
   Mission locale when one fits) or dismissed, and one more is found at the meeting now and then
   (BARRIER_FOUND_AT_MEETING). SKIP_TO_JOB find a job on their own (stage 5 with a reason).
3. en action de mobilisation: IN_ACTION of the mobilised enter an action (the stage is set by the
   référent here: the mobilisation app's own demo will add the actions and attendance).
4. projet professionnel validé: PROJECT of the youths in action validate a ROME project.
5. en formation / en emploi: OUTCOME of validated projects lead to training or a job (OUTCOME_KINDS),
   with the 3- and 6-month follow-ups: FOLLOW_UP_DONE_SOON of those due this month are done,
   FOLLOW_UP_DONE_LATE of those due one to three months ago, all the older ones (the rest stay due:
   the caseload's alert); STILL_THERE find the youth still there.
At each of stages 2 to 4 the others stop answering: after one or two unanswered calls, a pathway
without a real contact for LOST_AFTER_DAYS closes « perdu·e de vue à nouveau » (MOVED of them
« déménagé·e »); until then it stays open and the caseload says « aucun contact depuis N jours ».
CAME_BACK of the youths lost again come back later through the partner (a new pathway).
Each step (entering an action, validating the project) is taken at a meeting with the youth, and a
youth waiting for the next step for more than CHECK_IN_AFTER days was seen in the last few weeks;
the history keeps no other routine meeting (the demo must load fast).

Dates. The services take the dates of contacts, projects and outcome starts. What they stamp with
`timezone.now()` is backdated afterwards, with queryset updates, to the day of the event it stands
for, so that the timeline and the alerts read as a real history: the pathway events (`at`), and on
Pathway `opened_at` (a reopening), `stage_since`, `last_contact_at` and `closed_at`; besides, the
`recorded_at`, `created_at`, `done_at`, `updated_at` and `at` of contacts, re-approach plans,
barriers, projects, outcomes and notes, and a follow-up's `done_on`. As in reperes.demo.youths, the
privacy log (WriteRecord) keeps the real time of loading."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

from django.db.models import Max
from django.utils import timezone

from reperes.demo.accounts import ACCOUNTS, DEMO_DOMAIN
from reperes.demo.youths import DEMO_PARTNER
from reperes.network.enums import OrganisationKind, Role
from reperes.network.models import Membership, Organisation, User
from reperes.pathways import services
from reperes.pathways.enums import (
    REACHED,
    BarrierStatus,
    Channel,
    ContactOutcome,
    DeclineReason,
    EventKind,
    ExitReason,
    NoteScope,
    OutcomeKind,
    ReapproachStatus,
    Stage,
)
from reperes.pathways.models import (
    ContactAttempt,
    FollowUp,
    Note,
    Occupation,
    Outcome,
    Pathway,
    PathwayEvent,
    ProfessionalProject,
    Reapproach,
    YouthBarrier,
)
from reperes.pathways.reference import load_occupations
from reperes.registry.enums import Barrier
from reperes.registry.models import Signal, Youth

SEED = 2016

# The files reported more than this many days ago were taken over in summary when the pathways
# came to Repères: only how each one ended (an outcome or an exit), not every call. Replaying two
# more years of calls would triple the load time (every step writes its history).
FULL_HISTORY_DAYS = 400
TAKEN_OVER = "Parcours repris de l'ancien suivi : seule l'issue est enregistrée"
TAKEN_OVER_OUTCOME = 0.4  # share of the files taken over that ended in training or a job
TAKEN_OVER_REFUSED = 0.15  # share of the other ones that ended in a refusal (the rest: lost again, or moved)

# Stage 1: reaching the youth.
FIRST_CALL_AFTER = (2, 12)  # days after the report: triage (one to five days), then the first call
REACHED_AT_FIRST_CALL = 0.45  # share reached at the first call
REACHED_AT_RETRY = 0.35  # share reached at each later call
WRONG_DETAILS = 0.15  # share of the calls without an answer that find a wrong number
MAX_CALLS = 3  # calls before asking the reporting partner (the service caps unanswered ones at 5)
THROUGH_PARTNER_REACHED = 0.55  # share reached through the partner once the calls failed
# Declining, and the re-approach.
DECLINES = 0.2  # share of the youths reached who decline
REAPPROACH_BY_PARTNER = 0.8  # share of the re-approaches given to the partner who reported the youth
REAPPROACH_SUCCESS = 0.5  # share re-approached successfully at the first re-approach
REAPPROACH_SUCCESS_AGAIN = 0.35  # share who agree at the second re-approach, a month later
REFUSED_FOR_GOOD = 0.5  # of those still declining, share who refuse for good (the others: lost again)
# Stages 2 to 5.
SKIP_TO_JOB = 0.05  # share of the mobilised who find a job on their own
IN_ACTION = 0.85  # share of the mobilised who enter a mobilisation action
PROJECT = 0.75  # share of the youths in action who validate a professional project
OUTCOME = 0.8  # share of validated projects that lead to training or a job
CHECK_IN_AFTER = 30  # days of waiting for the next step after which the youth has been seen again
# Barriers.
BARRIER_CONFIRMED = 0.75  # share of the suspected barriers confirmed at the first meeting
BARRIER_IN_PROGRESS = 0.6  # share of the confirmed ones a partner starts working on
BARRIER_FOUND_AT_MEETING = 0.15  # share of the first meetings that find a barrier nobody suspected
BARRIER_LIFTED = 0.6  # share of the barriers in progress lifted when the youth starts training or a job
# Losing the youth again, and coming back.
LOST_AFTER_DAYS = 90  # without a real contact that long, the référent closes the pathway
MOVED = 0.08  # share of those exits that are a move rather than « perdu·e de vue à nouveau »
CAME_BACK = 0.15  # share of the youths lost again after a meeting who come back through the partner
# Notes and follow-ups.
NOTE_AT_MEETING = 0.35  # share of first meetings after which the référent writes a note
PARTNER_NOTE = 0.5  # share of the re-approaches after which the partner writes a note
FOLLOW_UP_DONE_SOON = 0.4  # share of the follow-ups due this month already done
FOLLOW_UP_DONE_LATE = 0.8  # share of those due one to three months ago done (older ones all are)
STILL_THERE = 0.8  # share of the follow-ups that find the youth still in training or employment

# What the youths go on to, with weights (an E2C, an EPIDE or the CEJ are outcomes of their own).
OUTCOME_KINDS: dict[str, int] = {
    OutcomeKind.QUALIFYING_TRAINING: 20,
    OutcomeKind.APPRENTICESHIP: 14,
    OutcomeKind.PRO_CONTRACT: 5,
    OutcomeKind.CDI: 5,
    OutcomeKind.CDD_LONG: 8,
    OutcomeKind.CDD_SHORT: 10,
    OutcomeKind.TEMPING: 10,
    OutcomeKind.CIVIC_SERVICE: 7,
    OutcomeKind.E2C: 7,
    OutcomeKind.EPIDE: 3,
    OutcomeKind.CEJ: 7,
    OutcomeKind.BACK_TO_SCHOOL: 3,
    OutcomeKind.SELF_EMPLOYED: 1,
}
USUAL_OUTCOME = 0.75  # share of the outcomes that are the usual next step of the project (PROJECTS)
OWN_JOB_KINDS: list[str] = [OutcomeKind.CDD_SHORT, OutcomeKind.TEMPING, OutcomeKind.CDD_LONG, OutcomeKind.CDI]
WHERE: dict[str, str] = {
    OutcomeKind.QUALIFYING_TRAINING: "Centre de formation professionnelle de {place}",
    OutcomeKind.APPRENTICESHIP: "CFA des métiers de {place}",
    OutcomeKind.PRO_CONTRACT: "Supermarché du centre, {place}",
    OutcomeKind.CDI: "Entreprise de propreté Rhin Services",
    OutcomeKind.CDD_LONG: "Entrepôt logistique de {place}",
    OutcomeKind.CDD_SHORT: "Restaurant Au Bœuf rouge, {place}",
    OutcomeKind.TEMPING: "Agence d'intérim de {place}",
    OutcomeKind.CIVIC_SERVICE: "Association sportive de {place}",
    OutcomeKind.E2C: "École de la 2e chance d'Alsace",
    OutcomeKind.EPIDE: "Centre EPIDE",
    OutcomeKind.CEJ: "{mission}",
    OutcomeKind.BACK_TO_SCHOOL: "Lycée professionnel de {place}",
    OutcomeKind.SELF_EMPLOYED: "",
}

# Professional projects: a ROME fiche, a few words, the outcomes that usually follow.
PROJECTS: list[tuple[str, str, list[str]]] = [
    ("G1602", "CAP cuisine en apprentissage, après un stage en restauration collective", ["apprenticeship"]),
    ("H2909", "Opérateur·rice de montage : formation qualifiante puis intérim industriel", ["training", "temping"]),
    ("K2204", "Agent·e de propreté, un premier emploi pour financer le permis", ["cdi", "cdd_long"]),
    ("N1103", "Préparation de commandes, CACES 1 à passer", ["temping", "cdd_short", "training"]),
    ("F1703", "CAP maçon en apprentissage, patron trouvé par le forum de l'alternance", ["apprenticeship"]),
    ("D1507", "Employé·e de libre-service en contrat de professionnalisation", ["pro_contract", "cdd_long"]),
    ("J1501", "Aide-soignant·e : service civique en EHPAD avant la formation", ["civic_service", "training"]),
    ("D1102", "Boulangerie : CAP en apprentissage", ["apprenticeship"]),
    ("I1604", "Mécanique automobile, d'abord l'E2C pour reprendre les bases", ["e2c", "apprenticeship"]),
    ("A1203", "Entretien des espaces verts, chantier d'insertion puis CDD", ["cdd_long", "training"]),
    ("K1302", "Aide à domicile, titre professionnel ADVF", ["training", "cdd_long"]),
    ("G1803", "Service en salle, saison d'été puis formation", ["cdd_short", "temping"]),
    ("N4105", "Livraison, permis B financé par la Région", ["cdd_short", "temping"]),
]

# Partners who take up a barrier, by preference.
BARRIER_PARTNERS: dict[str, list[str]] = {
    Barrier.HOUSING: [OrganisationKind.HOUSING, OrganisationKind.SOCIAL_CENTRE],
    Barrier.HEALTH: [OrganisationKind.HEALTH],
    Barrier.ADDICTION: [OrganisationKind.CSAPA, OrganisationKind.HEALTH],
    Barrier.JUSTICE: [OrganisationKind.PJJ],
    Barrier.MOBILITY: [OrganisationKind.OTHER_PARTNER],
    Barrier.ISOLATION: [OrganisationKind.PREVENTION, OrganisationKind.SOCIAL_CENTRE, OrganisationKind.SPORT_CULTURE],
    Barrier.MONEY: [OrganisationKind.SOCIAL_CENTRE],
    Barrier.CHILDCARE: [OrganisationKind.SOCIAL_CENTRE],
    Barrier.LANGUAGE: [OrganisationKind.SOCIAL_CENTRE, OrganisationKind.TRAINING],
    Barrier.DIGITAL: [OrganisationKind.SOCIAL_CENTRE],
}
BARRIER_DETAILS: dict[str, str] = {
    Barrier.HOUSING: "Hébergé·e chez un ami, demande de place en FJT",
    Barrier.HEALTH: "Pas de médecin traitant, rendez-vous pris",
    Barrier.ADDICTION: "Consommation de cannabis, accepte une consultation jeunes consommateurs",
    Barrier.JUSTICE: "",  # a flag only (GDPR art. 10): the service refuses a detail
    Barrier.MOBILITY: "Pas de permis, commune mal desservie le matin",
    Barrier.ISOLATION: "En rupture avec sa famille",
    Barrier.MONEY: "Aucune ressource, dossier d'aide à ouvrir",
    Barrier.CHILDCARE: "Un enfant de deux ans, pas de mode de garde",
    Barrier.LANGUAGE: "Arrivé·e il y a deux ans, cours de français à reprendre",
    Barrier.DIGITAL: "Pas d'ordinateur, téléphone sans forfait",
}
FOUND_AT_MEETING = [Barrier.MOBILITY, Barrier.MONEY, Barrier.DIGITAL, Barrier.HOUSING]

MEETING_NOTES = [
    "Premier entretien détendu, veut travailler vite",
    "Venu·e avec l'éducateur, un peu méfiant·e au début",
    "Intéressé·e par les métiers de la cuisine, à creuser",
    "Préfère les rendez-vous l'après-midi",
    "Parle d'un projet de permis, à relier à une action mobilité",
]
PARTNER_NOTES = [
    "Croisé·e au city-stade, préfère qu'on passe par moi pour l'instant",
    "Vu·e à l'accueil de jour, d'accord pour que je l'accompagne au premier rendez-vous",
    "Pas le bon moment, je repasse le voir le mois prochain",
]
DECLINE_NOTES = ["Ne veut pas entendre parler de la Mission locale pour l'instant", "Dit qu'il ou elle se débrouille"]
FOLLOW_UP_GONE = [
    "Contrat non renouvelé",
    "A arrêté la formation, trop loin de chez lui ou d'elle",
    "Rupture de période d'essai",
]


@dataclass
class Context:
    rng: Random
    today: date
    now: datetime
    occupations: dict[str, Occupation]
    first_partner: dict[int, int]  # youth -> the partner of their first signal
    suspected: dict[int, list[str]]  # youth -> barriers suspected on their signals
    workers: dict[int, User]  # partner -> its first partner worker
    organisations: dict[int, Organisation]
    partners_near: dict[int, list[Organisation]]  # Mission locale -> the partners seated with it
    last_contact: dict[int, datetime] = field(default_factory=dict)  # pathway -> last real contact


def _days(rng: Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _any_outcome_kind(rng: Random) -> str:
    return rng.choices(list(OUTCOME_KINDS), weights=list(OUTCOME_KINDS.values()))[0]


class Walk:
    """One youth's pathway, step by step, each through a service, then dated."""

    def __init__(self, youth: Youth, referent: User, ctx: Context) -> None:
        self.youth, self.referent, self.ctx, self.rng = youth, referent, ctx, ctx.rng
        self.today = ctx.today
        partner_id = ctx.first_partner.get(youth.pk)
        self.partner = ctx.organisations.get(partner_id) if partner_id is not None else None
        self.partner_worker = ctx.workers.get(partner_id) if partner_id is not None else None
        self.mission = ctx.organisations[youth.mission_locale_id]
        self.barriers: dict[str, YouthBarrier] = {}
        self.came_back = False
        self.planned = False  # a re-approach plan is pending
        self.mobilised = False  # the first meeting of the open pathway happened
        self.seq = 0

    # --- dating what the services stamp ----------------------------------------------------

    def at(self, day: date) -> datetime:
        """The moment of a step on `day`: the steps of one day follow each other, none in the future."""
        self.seq += 1
        moment = timezone.make_aware(datetime.combine(day, time(9, 30))) + timedelta(minutes=7 * self.seq)
        return min(moment, self.ctx.now - timedelta(minutes=1))

    def _date_events(self, at: datetime) -> None:
        """The events the last service wrote (stamped during this load) happened at `at`. The
        opening keeps the day the youth was reported (the service sets it from the record)."""
        # The pathway ids first: an UPDATE filtered through a join becomes `id IN (subquery with
        # the join)`, which PostgreSQL plans as nested sequential scans when its statistics say the
        # tables are empty (as after a rolled-back load), and the demo load then stalls for minutes.
        pathways = list(Pathway.objects.filter(youth_id=self.youth.pk).values_list("pk", flat=True))
        PathwayEvent.objects.filter(pathway_id__in=pathways, at__gte=self.ctx.now).exclude(
            kind=EventKind.OPENED
        ).update(at=at)

    def _dated_contact(self, attempt: ContactAttempt, day: date) -> None:
        at = self.at(day)  # its recorded_at is dated by _date_contacts, day by day
        if attempt.outcome in REACHED:
            self.ctx.last_contact[attempt.pathway_id] = at
            if self.planned:  # the service marked the plan done
                Reapproach.objects.filter(pathway_id=attempt.pathway_id, done_at__gte=self.ctx.now).update(done_at=at)
            self.planned = False
        if attempt.outcome == ContactOutcome.REACHED_DECLINES:
            Reapproach.objects.filter(declined=attempt).update(created_at=at)
            self.planned = True
        if attempt.outcome == ContactOutcome.MET and not self.mobilised:  # a stage event
            self.mobilised = True
            self._date_events(at)

    def _version(self) -> int:
        return Pathway.objects.filter(youth=self.youth, closed_at=None).values_list("version", flat=True).first() or 0

    # --- the steps -------------------------------------------------------------------------

    def contact(
        self,
        day: date,
        channel: str,
        outcome: str,
        *,
        through: Organisation | None = None,
        note: str = "",
        decline_reason: str = "",
        reapproach_on: date | None = None,
        reapproach_by: Organisation | None = None,
        reapproach_how: str = "",
    ) -> ContactAttempt:
        attempt = services.record_contact(
            self.youth,
            acting_user=self.referent,
            channel=channel,
            outcome=outcome,
            happened_on=day,
            through=through,
            note=note,
            decline_reason=decline_reason,
            reapproach_on=reapproach_on,
            reapproach_by=reapproach_by,
            reapproach_how=reapproach_how,
        )
        self._dated_contact(attempt, day)
        return attempt

    def decline(
        self,
        day: date,
        *,
        due_on: date,
        by: Organisation,
        channel: str = Channel.PHONE,
        through: Organisation | None = None,
    ) -> None:
        self.contact(
            day,
            channel,
            ContactOutcome.REACHED_DECLINES,
            through=through,
            decline_reason=self.rng.choice(DeclineReason.values[:4]),
            note=self.rng.choice(DECLINE_NOTES),
            reapproach_on=due_on,
            reapproach_by=by,
            reapproach_how=Channel.STREET if by.pk != self.mission.pk else Channel.PHONE,
        )

    def report(self, day: date, outcome: str) -> None:
        """The organisation given the planned re-approach says how it went."""
        plan = Reapproach.objects.get(youth=self.youth, pathway__closed_at=None, status=ReapproachStatus.PLANNED)
        by_partner = plan.by_organisation_id != self.mission.pk
        reporter = self.ctx.workers[plan.by_organisation_id] if by_partner else self.referent
        attempt = services.report_reapproach(
            plan, acting_user=reporter, channel=Channel.STREET, outcome=outcome, happened_on=day
        )
        self._dated_contact(attempt, day)
        if by_partner and outcome in REACHED and self.rng.random() < PARTNER_NOTE:
            self.note(day, self.rng.choice(PARTNER_NOTES), author=reporter, scope=NoteScope.SHARED)

    def note(self, day: date, text: str, *, author: User | None = None, scope: str = NoteScope.SHARED) -> None:
        note = services.add_note(self.youth, acting_user=author or self.referent, text=text, scope=scope)
        Note.objects.filter(pk=note.pk).update(at=self.at(day))

    def stage(self, day: date, stage: int) -> None:
        """A step taken with the youth, at a meeting."""
        self.contact(day, Channel.MEETING, ContactOutcome.MET)
        services.change_stage(self.youth, stage=stage, acting_user=self.referent, version=self._version())
        self._date_events(self.at(day))

    def leave(self, day: date, reason: str, note: str = "") -> None:
        services.exit_pathway(self.youth, reason=reason, acting_user=self.referent, version=self._version(), note=note)
        self._date_events(self.at(day))
        self.planned = False  # the exit cancelled it

    def reopen(self, day: date) -> None:
        services.reopen_pathway(self.youth, acting_user=self.referent)
        self._date_events(self.at(day))
        self.barriers.clear()
        self.mobilised = False

    def set_barrier(self, day: date, kind: str, status: str, partner: Organisation | None = None) -> None:
        known = self.barriers.get(kind)
        barrier = services.set_barrier(
            self.youth,
            acting_user=self.referent,
            kind=kind,
            status=status,
            partner=partner,
            detail=BARRIER_DETAILS[kind] if status != BarrierStatus.DISMISSED else "",
            version=known.version if known is not None else None,
        )
        YouthBarrier.objects.filter(pk=barrier.pk).update(updated_at=self.at(day))
        self.barriers[kind] = barrier

    def project(self, day: date) -> tuple[str, str, list[str]]:
        chosen = self.rng.choice(PROJECTS)
        code, text, _kinds = chosen
        self.contact(day, Channel.MEETING, ContactOutcome.MET)  # validated with the youth
        project = services.validate_project(
            self.youth, acting_user=self.referent, occupation=self.ctx.occupations[code], text=text, validated_on=day
        )
        at = self.at(day)
        ProfessionalProject.objects.filter(pk=project.pk).update(recorded_at=at)
        self._date_events(at)
        return chosen

    def outcome(self, day: date, starts_on: date, kind: str, skip_reason: str = "") -> Outcome:
        place = self.mission.commune.name if self.mission.commune else ""
        outcome = services.record_outcome(
            self.youth,
            acting_user=self.referent,
            kind=kind,
            starts_on=starts_on,
            organisation_name=WHERE[kind].format(place=place, mission=self.mission.name),
            skip_reason=skip_reason,
        )
        at = self.at(day)
        Outcome.objects.filter(pk=outcome.pk).update(recorded_at=at)
        self._date_events(at)
        for kind_, barrier in list(self.barriers.items()):
            if barrier.status == BarrierStatus.IN_PROGRESS and self.rng.random() < BARRIER_LIFTED:
                self.set_barrier(day, kind_, BarrierStatus.RESOLVED, barrier.partner)
        return outcome

    def follow_ups(self, outcome: Outcome) -> None:
        rng, today = self.rng, self.today
        gone = ""
        for follow_up in outcome.follow_ups.order_by("months"):
            late = (today - follow_up.due_on).days
            done_on = follow_up.due_on + _days(rng, 0, min(21, max(late, 0)))
            share = FOLLOW_UP_DONE_SOON if late <= 30 else FOLLOW_UP_DONE_LATE if late <= 90 else 1
            if late < 0 or rng.random() >= share:
                return  # still due: the caseload's alert
            gone = gone or ("" if rng.random() < STILL_THERE else rng.choice(FOLLOW_UP_GONE))
            services.record_follow_up(follow_up, acting_user=self.referent, still_there=not gone, reason=gone)
            FollowUp.objects.filter(pk=follow_up.pk).update(done_on=done_on)

    # --- the walk --------------------------------------------------------------------------

    def take_over(self) -> None:
        """An old file: only how it ended, three to ten months after the report."""
        rng = self.rng
        ended = timezone.localdate(self.youth.created_at) + _days(rng, 90, 300)
        if rng.random() < TAKEN_OVER_OUTCOME:
            self.follow_ups(self.outcome(ended, ended, _any_outcome_kind(rng), TAKEN_OVER))
            return
        if rng.random() < TAKEN_OVER_REFUSED:
            reason = ExitReason.REFUSED
        else:
            reason = ExitReason.MOVED if rng.random() < MOVED else ExitReason.LOST_AGAIN
        self.leave(ended, reason, TAKEN_OVER)

    def walk(self, start: date) -> None:
        meeting = self.reach(start)
        if meeting is not None:
            self.meet(meeting)

    def reach(self, day: date) -> date | None:
        """Stage 1: calls until the youth answers, then the partner; the day of the first meeting."""
        rng = self.rng
        for call in range(MAX_CALLS):
            if day > self.today:
                return None
            if rng.random() < (REACHED_AT_FIRST_CALL if call == 0 else REACHED_AT_RETRY):
                return self.answer(day, rng.choice([Channel.PHONE, Channel.PHONE, Channel.SMS]))
            missed = ContactOutcome.WRONG_DETAILS if rng.random() < WRONG_DETAILS else ContactOutcome.NOT_REACHED
            self.contact(day, rng.choice([Channel.PHONE, Channel.PHONE, Channel.SMS]), missed)
            day += _days(rng, 3, 10)
        day += _days(rng, 5, 15)
        if day > self.today:
            return None
        if self.partner is not None and rng.random() < THROUGH_PARTNER_REACHED:
            return self.answer(day, Channel.PARTNER, through=self.partner)
        if self.partner is not None:
            self.contact(day, Channel.PARTNER, ContactOutcome.NOT_REACHED, through=self.partner)
        self.lose(day, rng.randint(30, 60))
        return None

    def answer(self, day: date, channel: str, through: Organisation | None = None) -> date | None:
        rng = self.rng
        if rng.random() >= DECLINES:
            self.contact(day, channel, ContactOutcome.REACHED_AGREES, through=through)
            return day + _days(rng, 2, 10)
        by = self.partner if self.partner is not None and rng.random() < REAPPROACH_BY_PARTNER else self.mission
        due = day + _days(rng, 14, 42)
        self.decline(day, due_on=due, by=by, channel=channel, through=through)
        # The first re-approach, then the one the service plans a month after a second refusal.
        for success in (REAPPROACH_SUCCESS, REAPPROACH_SUCCESS_AGAIN):
            reported = due + _days(rng, 0, 14)
            if reported > self.today:
                return None  # still planned: the partner's list, and the alert once due
            if rng.random() < success:
                self.report(reported, ContactOutcome.REACHED_AGREES)
                return reported + _days(rng, 2, 10)
            self.report(reported, ContactOutcome.REACHED_DECLINES)
            due = reported + services.REAPPROACH_AGAIN_AFTER
            day = reported
        if rng.random() < REFUSED_FOR_GOOD:
            end = day + _days(rng, 7, 20)
            if end <= self.today:
                self.leave(end, ExitReason.REFUSED, "A redit non au partenaire, qui garde le lien")
        else:
            self.lose(day, LOST_AFTER_DAYS)
        return None

    def meet(self, day: date, through: Organisation | None = None) -> None:
        """Stage 2, mobilised at the first meeting; then on through the stages."""
        if day > self.today:
            return
        channel = Channel.PARTNER if through is not None else Channel.MEETING
        self.contact(day, channel, ContactOutcome.MET, through=through)
        self.confirm_barriers(day)
        if self.rng.random() < NOTE_AT_MEETING:
            self.note(day, self.rng.choice(MEETING_NOTES))
        self.progress(day)

    def confirm_barriers(self, day: date) -> None:
        rng = self.rng
        kinds = list(self.ctx.suspected.get(self.youth.pk, []))
        if rng.random() < BARRIER_FOUND_AT_MEETING:
            kinds += [k for k in [rng.choice(FOUND_AT_MEETING)] if k not in kinds]
        for kind in kinds:
            if rng.random() >= BARRIER_CONFIRMED:
                self.set_barrier(day, kind, BarrierStatus.DISMISSED)
                continue
            partner = self.barrier_partner(kind) if rng.random() < BARRIER_IN_PROGRESS else None
            status = BarrierStatus.IN_PROGRESS if partner is not None else BarrierStatus.IDENTIFIED
            self.set_barrier(day, kind, status, partner)

    def barrier_partner(self, kind: str) -> Organisation | None:
        near = self.ctx.partners_near.get(self.mission.pk, [])
        for wanted in BARRIER_PARTNERS[kind]:
            for organisation in near:
                if organisation.kind == wanted:
                    return organisation
        return None

    def progress(self, day: date) -> None:
        rng = self.rng
        if rng.random() < SKIP_TO_JOB:
            found = self.advance(day, 14, 60)
            if found is not None:
                kind = rng.choice(OWN_JOB_KINDS)
                self.follow_ups(self.outcome(found, found + _days(rng, 0, 10), kind, "Emploi trouvé seul·e"))
            return
        if rng.random() >= IN_ACTION:
            self.stall(day)
            return
        moved = self.advance(day, 14, 42)
        if moved is None:
            return
        self.stage(moved, Stage.IN_ACTION)
        if rng.random() >= PROJECT:
            self.stall(moved)
            return
        validated = self.advance(moved, 28, 84)
        if validated is None:
            return
        _code, _text, usual = self.project(validated)
        if rng.random() >= OUTCOME:
            self.stall(validated)
            return
        entered = self.advance(validated, 21, 100)
        if entered is None:
            return
        kind = rng.choice(usual) if rng.random() < USUAL_OUTCOME else _any_outcome_kind(rng)
        self.follow_ups(self.outcome(entered, entered + _days(rng, 0, 21), kind))

    def advance(self, day: date, low: int, high: int) -> date | None:
        """The day of the next step, or None when it would come after today: the youth stays at
        this stage, and a youth waiting that long was seen in the last few weeks."""
        rng = self.rng
        target = day + _days(rng, low, high)
        if target <= self.today:
            return target
        seen = self.today - _days(rng, 3, 25)
        if (seen - day).days > CHECK_IN_AFTER:
            self.contact(seen, rng.choice([Channel.MEETING, Channel.PHONE]), ContactOutcome.MET)
        return None

    def stall(self, day: date) -> None:
        """The youth stops answering: a few calls, then the pathway closes, unless it is recent."""
        rng = self.rng
        tried = day
        for _n in range(rng.randint(1, 2)):
            tried += _days(rng, 10, 25)
            if tried > self.today:
                return
            self.contact(tried, rng.choice([Channel.PHONE, Channel.SMS]), ContactOutcome.NOT_REACHED)
        self.lose(day, LOST_AFTER_DAYS + rng.randint(0, 30), may_come_back=True)

    def lose(self, last_contact: date, after: int, *, may_come_back: bool = False) -> None:
        rng = self.rng
        closed = last_contact + timedelta(days=after)
        if closed > self.today:
            return  # still open: « aucun contact depuis N jours »
        moved = rng.random() < MOVED
        self.leave(closed, ExitReason.MOVED if moved else ExitReason.LOST_AGAIN)
        if moved or not may_come_back or self.came_back or self.partner is None or rng.random() >= CAME_BACK:
            return
        back = closed + _days(rng, 30, 240)
        if back <= self.today:
            self.came_back = True
            self.reopen(back)
            self.note(back, "Revenu·e par l'éducateur, qui l'a recroisé·e", author=self.partner_worker)
            self.meet(back + _days(rng, 0, 7), through=self.partner)


# --- the demo counsellor's scripted youths --------------------------------------------------------


def _due_today(w: Walk) -> None:
    today = w.today
    w.contact(today - timedelta(days=27), Channel.PHONE, ContactOutcome.NOT_REACHED)
    assert w.partner is not None
    w.decline(today - timedelta(days=24), due_on=today, by=w.partner)


def _due_last_week(w: Walk) -> None:
    assert w.partner is not None
    w.decline(w.today - timedelta(days=34), due_on=w.today - timedelta(days=6), by=w.partner)


def _due_later(w: Walk) -> None:
    assert w.partner is not None
    w.contact(w.today - timedelta(days=30), Channel.PHONE, ContactOutcome.NOT_REACHED)
    w.contact(w.today - timedelta(days=18), Channel.SMS, ContactOutcome.NOT_REACHED)
    w.decline(w.today - timedelta(days=5), due_on=w.today + timedelta(days=16), by=w.partner)


def _came_back(w: Walk) -> None:
    today = w.today
    assert w.partner is not None
    w.contact(today - timedelta(days=330), Channel.PHONE, ContactOutcome.REACHED_AGREES)
    w.contact(today - timedelta(days=325), Channel.MEETING, ContactOutcome.MET)
    w.confirm_barriers(today - timedelta(days=325))
    w.contact(today - timedelta(days=300), Channel.PHONE, ContactOutcome.NOT_REACHED)
    w.contact(today - timedelta(days=280), Channel.SMS, ContactOutcome.NOT_REACHED)
    w.leave(today - timedelta(days=220), ExitReason.LOST_AGAIN)
    w.reopen(today - timedelta(days=20))
    w.note(today - timedelta(days=20), "Revenu·e par l'éducateur, qui l'a recroisé·e", author=w.partner_worker)
    w.contact(today - timedelta(days=14), Channel.PARTNER, ContactOutcome.MET, through=w.partner)


def _follow_up_due(days_ago: int) -> Callable[[Walk], None]:
    def script(w: Walk) -> None:
        starts_on = w.today - timedelta(days=days_ago)
        w.contact(starts_on - timedelta(days=160), Channel.PHONE, ContactOutcome.REACHED_AGREES)
        w.contact(starts_on - timedelta(days=155), Channel.MEETING, ContactOutcome.MET)
        w.confirm_barriers(starts_on - timedelta(days=155))
        w.stage(starts_on - timedelta(days=125), Stage.IN_ACTION)
        w.contact(starts_on - timedelta(days=100), Channel.MEETING, ContactOutcome.MET)
        w.project(starts_on - timedelta(days=70))
        w.contact(starts_on - timedelta(days=40), Channel.MEETING, ContactOutcome.MET)
        w.outcome(starts_on - timedelta(days=15), starts_on, OutcomeKind.APPRENTICESHIP)

    return script


def _quiet_mobilised(w: Walk) -> None:
    today = w.today
    w.contact(today - timedelta(days=52), Channel.PHONE, ContactOutcome.REACHED_AGREES)
    w.contact(today - timedelta(days=46), Channel.MEETING, ContactOutcome.MET)
    w.confirm_barriers(today - timedelta(days=46))
    w.contact(today - timedelta(days=25), Channel.PHONE, ContactOutcome.NOT_REACHED)
    w.contact(today - timedelta(days=11), Channel.SMS, ContactOutcome.NOT_REACHED)


def _quiet_in_action(w: Walk) -> None:
    today = w.today
    w.contact(today - timedelta(days=120), Channel.PHONE, ContactOutcome.REACHED_AGREES)
    w.contact(today - timedelta(days=115), Channel.MEETING, ContactOutcome.MET)
    w.confirm_barriers(today - timedelta(days=115))
    w.stage(today - timedelta(days=85), Stage.IN_ACTION)
    w.contact(today - timedelta(days=61), Channel.MEETING, ContactOutcome.MET)
    w.contact(today - timedelta(days=33), Channel.PHONE, ContactOutcome.NOT_REACHED)
    w.contact(today - timedelta(days=17), Channel.PHONE, ContactOutcome.NOT_REACHED)


def _project_validated(w: Walk) -> None:
    today = w.today
    w.contact(today - timedelta(days=160), Channel.PARTNER, ContactOutcome.REACHED_AGREES, through=w.partner)
    w.contact(today - timedelta(days=152), Channel.MEETING, ContactOutcome.MET)
    w.confirm_barriers(today - timedelta(days=152))
    w.note(today - timedelta(days=152), w.rng.choice(MEETING_NOTES))
    w.stage(today - timedelta(days=120), Stage.IN_ACTION)
    w.contact(today - timedelta(days=75), Channel.MEETING, ContactOutcome.MET)
    w.project(today - timedelta(days=20))


def _lost_again(w: Walk) -> None:
    today = w.today
    w.contact(today - timedelta(days=200), Channel.PHONE, ContactOutcome.REACHED_AGREES)
    w.contact(today - timedelta(days=195), Channel.MEETING, ContactOutcome.MET)
    w.contact(today - timedelta(days=170), Channel.PHONE, ContactOutcome.NOT_REACHED)
    w.contact(today - timedelta(days=150), Channel.SMS, ContactOutcome.NOT_REACHED)
    w.leave(today - timedelta(days=90), ExitReason.LOST_AGAIN, "Plus de nouvelles depuis trois mois")


# (script, needs a youth reported by the demo partner, reported at least this many days ago)
SCRIPTS: list[tuple[Callable[[Walk], None], bool, int]] = [
    (_due_today, True, 35),
    (_due_today, True, 35),
    (_due_last_week, True, 40),
    (_due_later, True, 35),
    (_came_back, True, 340),
    (_follow_up_due(100), False, 270),
    (_follow_up_due(112), False, 290),
    (_quiet_mobilised, False, 60),
    (_quiet_in_action, False, 130),
    (_project_validated, True, 170),
    (_lost_again, False, 210),
]


def _scripted(youths: list[Youth], ctx: Context) -> dict[int, Callable[[Walk], None]]:
    counsellor = next(a["email"] for a in ACCOUNTS if a["role"] == Role.COUNSELLOR)
    partner = Organisation.objects.get(name=DEMO_PARTNER).pk
    # The most recently reported youths old enough for the script: their story fits their record.
    mine = [y for y in reversed(youths) if y.referent is not None and y.referent.email == counsellor]
    chosen: dict[int, Callable[[Walk], None]] = {}
    for script, by_partner, age in SCRIPTS:
        for youth in mine:
            if youth.pk in chosen or (by_partner and ctx.first_partner.get(youth.pk) != partner):
                continue
            if (ctx.today - timezone.localdate(youth.created_at)).days >= age:
                chosen[youth.pk] = script
                break
    return chosen


# --- the step ---------------------------------------------------------------------------------------


def _context(rng: Random, youths: list[Youth]) -> Context:
    codes = {code for code, _text, _kinds in PROJECTS}
    if Occupation.objects.filter(code__in=codes).count() < len(codes):
        load_occupations()
    first_partner: dict[int, int] = {}
    suspected: dict[int, list[str]] = defaultdict(list)
    signals = Signal.objects.filter(youth__in=youths).order_by("created_at", "pk")
    for youth_id, organisation_id, barriers in signals.values_list("youth_id", "organisation_id", "barriers"):
        first_partner.setdefault(youth_id, organisation_id)
        suspected[youth_id] += [kind for kind in barriers if kind not in suspected[youth_id]]
    workers: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(role=Role.PARTNER_WORKER, is_active=True).select_related("user").order_by("pk")
    ):
        workers.setdefault(membership.organisation_id, membership.user)
    organisations = {o.pk: o for o in Organisation.objects.select_related("commune")}
    partners_near: dict[int, list[Organisation]] = defaultdict(list)
    seats = {o.commune_id: o.pk for o in organisations.values() if o.kind == OrganisationKind.MISSION_LOCALE}
    for organisation in sorted(organisations.values(), key=lambda o: o.pk):
        if organisation.kind != OrganisationKind.MISSION_LOCALE and organisation.commune_id in seats:
            partners_near[seats[organisation.commune_id]].append(organisation)
    now = timezone.now()
    return Context(
        rng=rng,
        today=timezone.localdate(now),
        now=now,
        occupations=Occupation.objects.in_bulk(list(codes)),
        first_partner=first_partner,
        suspected=dict(suspected),
        workers=workers,
        organisations=organisations,
        partners_near=dict(partners_near),
    )


def _date_pathways(ctx: Context, after: int) -> None:
    """The cached dates of each pathway opened by the demo (pk above `after`), from its dated
    events and contacts."""
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    rows = PathwayEvent.objects.filter(pathway_id__gt=after).order_by("at", "pk")
    for pathway_id, kind, at in rows.values_list("pathway_id", "kind", "at"):
        events[pathway_id].append((kind, at))
    for pathway_id, history in events.items():
        staged = [at for kind, at in history if kind != EventKind.EXIT]
        exits = [at for kind, at in history if kind == EventKind.EXIT]
        Pathway.objects.filter(pk=pathway_id).update(
            opened_at=history[0][1],
            stage_since=staged[-1],
            closed_at=exits[-1] if exits else None,
            last_contact_at=ctx.last_contact.get(pathway_id),
        )


def _date_contacts(after: int) -> None:
    """The demo's contact attempts (pk above `after`) were typed in the evening of the day they happened."""
    attempts = ContactAttempt.objects.filter(pk__gt=after)
    for day in set(attempts.values_list("happened_on", flat=True)):
        moment = min(timezone.make_aware(datetime.combine(day, time(18, 0))), timezone.now())
        attempts.filter(happened_on=day).update(recorded_at=moment)


def load_pathways() -> str:
    if ContactAttempt.objects.filter(author__email__endswith="@" + DEMO_DOMAIN).exists():
        return "déjà chargés"
    youths = list(
        Youth.objects.active().exclude(referent=None).select_related("referent").order_by("created_at", "pk")
    )
    ctx = _context(Random(SEED), youths)
    scripted = _scripted(youths, ctx)
    after = Pathway.objects.aggregate(last=Max("pk"))["last"] or 0
    contacts_after = ContactAttempt.objects.aggregate(last=Max("pk"))["last"] or 0
    referents: dict[int, User] = {}
    for youth in youths:
        assert youth.referent is not None and youth.referent_id is not None
        referent = referents.setdefault(youth.referent_id, youth.referent)  # one membership lookup each
        walk = Walk(youth, referent, ctx)
        if youth.pk in scripted:
            scripted[youth.pk](walk)
        elif youth.created_at < ctx.now - timedelta(days=FULL_HISTORY_DAYS):
            walk.take_over()
        else:
            walk.walk(timezone.localdate(youth.created_at) + _days(ctx.rng, *FIRST_CALL_AFTER))
    _date_pathways(ctx, after)
    _date_contacts(contacts_after)
    return _summary()


def _summary() -> str:
    open_ = Pathway.objects.filter(closed_at=None)
    stages = [open_.filter(stage=stage).count() for stage in Stage.values]
    closed = Pathway.objects.exclude(closed_at=None)
    planned = Reapproach.objects.filter(status=ReapproachStatus.PLANNED).count()
    return (
        f"{Pathway.objects.count()} parcours (étapes 1 à 5 : {' / '.join(map(str, stages))}), "
        f"{closed.filter(exit_reason=ExitReason.LOST_AGAIN).count()} perdus de vue à nouveau, "
        f"{closed.count()} sorties, {planned} nouvelles approches prévues, "
        f"{FollowUp.objects.filter(done_on=None, due_on__lte=timezone.localdate()).count()} suivis à faire"
    )


def reset_pathways() -> None:
    """Everything recorded on the pathways: rows pointing at users and organisations (PROTECT) go
    before the accounts and partners they name. The ROME stays, as reference data."""
    Reapproach.objects.all().delete()
    FollowUp.objects.all().delete()
    Outcome.objects.all().delete()
    ProfessionalProject.objects.all().delete()
    ContactAttempt.objects.all().delete()
    PathwayEvent.objects.all().delete()
    Pathway.objects.all().delete()
    Note.objects.all().delete()
    YouthBarrier.objects.all().delete()
