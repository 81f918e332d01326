"""Writes to a youth's pathway. Each takes the acting user, locks what two people may change at
once, refuses an impossible change with a French message, and leaves a history record."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.models import Organisation, User
from reperes.pathways.enums import (
    REACHED,
    UNANSWERED,
    BarrierStatus,
    Channel,
    ContactOutcome,
    EventKind,
    ExitReason,
    NoteScope,
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
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction
from reperes.registry.enums import Barrier
from reperes.registry.models import Youth

FOLLOW_UP_MONTHS = (3, 6)


def max_attempts() -> int:
    """Attempts without an answer before the file asks for another way (a partner, or an exit)."""
    return int(getattr(settings, "REPERES_CONTACT_ATTEMPTS_MAX", 5))


def _open_pathway(youth: Youth, *, acting_user: User | None) -> Pathway:
    """The youth's open pathway, locked; opened at stage 1 the first time something is recorded."""
    pathway = Pathway.objects.select_for_update().filter(youth=youth, closed_at=None).first()
    if pathway is not None:
        return pathway
    if Pathway.objects.filter(youth=youth).exists():
        raise ValidationError(
            _("Le parcours de ce jeune est clos : rouvrez-le avant d'y enregistrer quelque chose."), code="closed"
        )
    Youth.objects.select_for_update().filter(pk=youth.pk).first()  # two first writes at once: one pathway
    pathway = Pathway.objects.filter(youth=youth, closed_at=None).first()
    if pathway is not None:
        return pathway
    pathway = Pathway.objects.create(youth=youth, opened_by=acting_user, opened_at=youth.created_at)
    _event(pathway, kind=EventKind.OPENED, stage=Stage.SPOTTED, acting_user=acting_user, at=youth.created_at)
    return pathway


def _event(
    pathway: Pathway,
    *,
    kind: str,
    acting_user: User | None,
    stage: int | None = None,
    from_stage: int | None = None,
    reason: str = "",
    exit_reason: str = "",
    at: Any = None,
) -> PathwayEvent:
    event = PathwayEvent.objects.create(
        pathway=pathway,
        kind=kind,
        stage=stage,
        from_stage=from_stage,
        reason=reason,
        exit_reason=exit_reason,
        at=at or timezone.now(),
        author=acting_user,
        organisation=acting_user.organisation if acting_user is not None else None,
    )
    audit.record_write(
        event,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after={"pathway": pathway.pk, "kind": kind, "stage": stage, "from_stage": from_stage, "exit": exit_reason},
    )
    return event


def _touch(pathway: Pathway, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(pathway, name, value)
    pathway.version += 1
    pathway.save(update_fields=[*fields, "version"])


def check_pathway_version(pathway: Pathway, version: str | int | None) -> None:
    """A form carries the pathway's version; a save from a stale form names who changed it since."""
    # A pathway opened by this very save (version 0) has no earlier state to compare with.
    if str(version or 0) == str(pathway.version):
        return
    last = pathway.events.select_related("author").order_by("-at", "-pk").first()
    who = last.author.get_full_name() if last is not None and last.author is not None else _("quelqu'un d'autre")
    raise ValidationError(
        _("Ce parcours a été modifié entre-temps par %(who)s : rechargez la page pour voir son état actuel.")
        % {"who": who},
        code="concurrent_edit",
    )


def _move(
    pathway: Pathway, stage: int, *, acting_user: User | None, reason: str = "", at: datetime | None = None
) -> None:
    previous = pathway.stage
    when = timezone.now() if at is None else max(at, pathway.stage_since)
    _event(
        pathway,
        kind=EventKind.STAGE,
        stage=stage,
        from_stage=previous,
        reason=reason,
        acting_user=acting_user,
        at=when,
    )
    _touch(pathway, stage=stage, stage_since=when)


def _check_move(pathway: Pathway, stage: int, skip_reason: str) -> None:
    labels = {"from": Stage(pathway.stage).label, "to": Stage(stage).label}
    if not pathway.is_open:
        raise ValidationError(_("Le parcours est clos : rouvrez-le pour changer d'étape."), code="closed")
    if stage == pathway.stage:
        raise ValidationError(_("Le jeune est déjà à l'étape « %(to)s ».") % labels, code="same")
    if stage < pathway.stage:
        raise ValidationError(
            _(
                "Un parcours ne revient pas en arrière (de « %(from)s » à « %(to)s ») : s'il s'interrompt, "
                "enregistrez une sortie, puis un retour dans le parcours."
            )
            % labels,
            code="backwards",
        )
    if stage > pathway.stage + 1 and not skip_reason.strip():
        raise ValidationError(
            _("Passer de « %(from)s » à « %(to)s » saute une étape : dites pourquoi.") % labels, code="skip"
        )
    if stage >= Stage.PROJECT and not pathway.projects.exists():
        raise ValidationError(
            _("L'étape « projet professionnel validé » demande un projet : enregistrez d'abord le métier visé."),
            code="no_project",
        )
    if stage == Stage.OUTCOME and not pathway.outcomes.exists():
        raise ValidationError(
            _("L'étape « en formation / en emploi » s'atteint en enregistrant l'entrée en formation ou en emploi."),
            code="no_outcome",
        )


@transaction.atomic
def change_stage(
    youth: Youth, *, stage: int, acting_user: User, version: str | int | None, skip_reason: str = ""
) -> Pathway:
    pathway = _open_pathway(youth, acting_user=acting_user)
    check_pathway_version(pathway, version)
    _check_move(pathway, stage, skip_reason)
    _move(pathway, stage, acting_user=acting_user, reason=skip_reason.strip())
    return pathway


@transaction.atomic
def reach_stage(youth: Youth, *, stage: int, acting_user: User | None, cause: str, at: datetime | None = None) -> bool:
    """Moves an open pathway to `stage` when it stands just before it (a first meeting mobilises, a
    first attendance puts in action); does nothing otherwise. `cause` is a short French phrase kept
    on the event (« présence à une action »); `at`, when the step really happened (a session
    recorded the day after), never before the pathway reached its current stage."""
    pathway = Pathway.objects.select_for_update().filter(youth=youth, closed_at=None).first()
    if pathway is None and stage == Stage.MOBILISED:
        pathway = _open_pathway(youth, acting_user=acting_user)
    if pathway is None or pathway.stage != stage - 1:
        return False
    _move(pathway, stage, acting_user=acting_user, reason=cause, at=at)
    return True


def note_seen(youth: Youth, *, at: datetime) -> None:
    """The youth was seen (present at a session): a real contact for the caseload's « sans contact »
    alert. Not an event of its own: the attendance is already on the timeline."""
    pathway = Pathway.objects.select_for_update().filter(youth=youth, closed_at=None).first()
    if pathway is not None and (pathway.last_contact_at is None or pathway.last_contact_at < at):
        _touch(pathway, last_contact_at=at)


@transaction.atomic
def exit_pathway(
    youth: Youth, *, reason: str, acting_user: User, version: str | int | None, note: str = ""
) -> Pathway:
    if reason not in ExitReason.values:
        raise ValidationError(_("Choisissez le motif de la sortie."), code="reason")
    if reason == ExitReason.OTHER and not note.strip():
        raise ValidationError(_("Précisez le motif de la sortie."), code="note")
    pathway = _open_pathway(youth, acting_user=acting_user)
    check_pathway_version(pathway, version)
    _event(pathway, kind=EventKind.EXIT, exit_reason=reason, reason=note.strip(), acting_user=acting_user)
    _touch(pathway, closed_at=timezone.now(), exit_reason=reason)
    _end_reapproaches(pathway, ReapproachStatus.CANCELLED, acting_user=acting_user)
    return pathway


def _end_reapproaches(pathway: Pathway, status: str, *, acting_user: User | None) -> None:
    """The planned re-approaches of the pathway are done (the youth answered) or cancelled (an
    exit), each with its history record."""
    now = timezone.now()
    for plan in Reapproach.objects.select_for_update().filter(pathway=pathway, status=ReapproachStatus.PLANNED):
        plan.status, plan.done_at = status, now if status == ReapproachStatus.DONE else None
        plan.save(update_fields=["status", "done_at"])
        audit.record_write(
            plan,
            acting_user=acting_user,
            action=WriteAction.UPDATE,
            before={"status": ReapproachStatus.PLANNED},
            after={"status": status},
        )


@transaction.atomic
def reopen_pathway(youth: Youth, *, acting_user: User) -> Pathway:
    """A youth who comes back starts a new pathway at stage 1; the closed ones stay in the history."""
    Youth.objects.select_for_update().filter(pk=youth.pk).first()
    if (
        Pathway.objects.filter(youth=youth, closed_at=None).exists()
        or not Pathway.objects.filter(youth=youth).exists()
    ):
        raise ValidationError(_("Le parcours de ce jeune est déjà ouvert."), code="open")
    pathway = Pathway.objects.create(youth=youth, opened_by=acting_user)
    _event(pathway, kind=EventKind.REOPENED, stage=Stage.SPOTTED, acting_user=acting_user)
    return pathway


def unanswered_in_a_row(pathway: Pathway) -> int:
    count = 0
    for outcome in pathway.contact_attempts.order_by("-happened_on", "-pk").values_list("outcome", flat=True):
        if outcome not in UNANSWERED:
            break
        count += 1
    return count


@transaction.atomic
def record_contact(
    youth: Youth,
    *,
    acting_user: User,
    channel: str,
    outcome: str,
    happened_on: date,
    note: str = "",
    through: Organisation | None = None,
    decline_reason: str = "",
    reapproach_on: date | None = None,
    reapproach_by: Organisation | None = None,
    reapproach_how: str = "",
) -> ContactAttempt:
    """One attempt to reach the youth. A first meeting mobilises them (stage 2); a refusal needs its
    reason and a plan to try again; attempts without an answer are capped."""
    organisation = acting_user.organisation
    assert organisation is not None
    today = timezone.localdate()
    if happened_on > today:
        raise ValidationError(_("La date du contact ne peut pas être dans le futur."), code="future")
    if channel == Channel.PARTNER and through is None:
        raise ValidationError(_("Indiquez le partenaire par lequel le contact a eu lieu."), code="through")
    knowing = policy.organisations_knowing(youth)
    for named in (through, reapproach_by if outcome == ContactOutcome.REACHED_DECLINES else None):
        if named is not None and not knowing.filter(pk=named.pk).exists():
            raise ValidationError(
                _(
                    "%(name)s ne connaît pas encore ce jeune : choisissez une structure qui l'a signalé "
                    "ou que son consentement nomme."
                )
                % {"name": named.name},
                code="unknown_partner",
            )
    pathway = _open_pathway(youth, acting_user=acting_user)
    if outcome in UNANSWERED and unanswered_in_a_row(pathway) >= max_attempts():
        raise ValidationError(
            _(
                "%(n)d tentatives sans réponse d'affilée : plutôt qu'une de plus, proposez à un partenaire "
                "qui connaît le jeune de renouer le contact, ou enregistrez une sortie « perdu·e de vue à nouveau »."
            )
            % {"n": max_attempts()},
            code="cap",
        )
    if outcome == ContactOutcome.REACHED_DECLINES:
        if not decline_reason:
            raise ValidationError(_("Indiquez pourquoi le jeune décline."), code="decline_reason")
        if reapproach_on is None or reapproach_by is None or not reapproach_how:
            raise ValidationError(
                _("Un refus appelle une nouvelle approche : quand, par qui et comment renouer le contact."),
                code="reapproach",
            )
        if reapproach_on < happened_on:
            raise ValidationError(_("La nouvelle approche se prévoit après le refus."), code="reapproach_on")
    attempt = ContactAttempt.objects.create(
        youth=youth,
        pathway=pathway,
        happened_on=happened_on,
        channel=channel,
        outcome=outcome,
        decline_reason=decline_reason if outcome == ContactOutcome.REACHED_DECLINES else "",
        through=through,
        note=note.strip(),
        author=acting_user,
        organisation=organisation,
    )
    audit.record_write(
        attempt,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after=audit.snapshot(attempt, ["youth", "happened_on", "channel", "outcome", "decline_reason", "through"]),
    )
    if outcome in REACHED:
        _touch(pathway, last_contact_at=timezone.now())
        _end_reapproaches(pathway, ReapproachStatus.DONE, acting_user=acting_user)
    if outcome == ContactOutcome.REACHED_DECLINES:
        assert reapproach_on is not None and reapproach_by is not None
        plan = Reapproach.objects.create(
            youth=youth,
            pathway=pathway,
            declined=attempt,
            due_on=reapproach_on,
            by_organisation=reapproach_by,
            how=reapproach_how,
            created_by=acting_user,
        )
        audit.record_write(
            plan,
            acting_user=acting_user,
            action=WriteAction.CREATE,
            after=audit.snapshot(plan, ["due_on", "by_organisation", "how"]),
        )
    if outcome == ContactOutcome.MET:
        reach_stage(youth, stage=Stage.MOBILISED, acting_user=acting_user, cause=_("premier entretien"))
    return attempt


@transaction.atomic
def add_note(youth: Youth, *, acting_user: User, text: str, scope: str = NoteScope.SHARED) -> Note:
    text = text.strip()
    if not text:
        raise ValidationError(_("La note est vide."), code="empty")
    if len(text) > 200:
        raise ValidationError(_("Une note tient en 200 caractères au plus."), code="long")
    organisation = acting_user.organisation
    assert organisation is not None
    note = Note.objects.create(youth=youth, text=text, scope=scope, author=acting_user, organisation=organisation)
    audit.record_write(
        note, acting_user=acting_user, action=WriteAction.CREATE, after={"youth": youth.pk, "scope": scope}
    )
    return note


NEW_BARRIER = "new"


def barrier_versions(youth: Youth, kinds: list[str]) -> str:
    """The token a barrier form carries: each kind's version (« housing:2,health:new »), so that a
    save from a page shown before a colleague's change is refused, whichever kind is chosen."""
    known = dict(YouthBarrier.objects.filter(youth=youth, kind__in=kinds).values_list("kind", "version"))
    return ",".join(f"{kind}:{known.get(kind, NEW_BARRIER)}" for kind in kinds)


def barrier_version(token: str, kind: str) -> str:
    """The version of `kind` in a form's token; '' when the form carried none (refused as stale)."""
    versions = dict(part.split(":", 1) for part in token.split(",") if ":" in part)
    return versions.get(kind, "")


@transaction.atomic
def set_barrier(
    youth: Youth,
    *,
    acting_user: User,
    kind: str,
    status: str,
    partner: Organisation | None = None,
    detail: str = "",
    version: str | int | None = None,
) -> YouthBarrier:
    """Confirms, updates or dismisses a barrier. A justice flag never carries a detail (GDPR art. 10)."""
    if kind not in Barrier.values:
        raise ValidationError(_("Frein inconnu."), code="kind")
    if status not in BarrierStatus.values or status == BarrierStatus.REPORTED:
        raise ValidationError(_("Choisissez le statut du frein."), code="status")
    detail = detail.strip()
    if kind == Barrier.JUSTICE and detail:
        raise ValidationError(
            _("Le suivi PJJ / SPIP est un simple signal : n'inscrivez ni infraction ni peine."), code="justice"
        )
    barrier = YouthBarrier.objects.select_for_update().filter(youth=youth, kind=kind).first()
    before: dict[str, Any] = {}
    # `version` is the barrier's version when the form was shown, NEW_BARRIER if it had none then.
    if version is not None and str(version) != (str(barrier.version) if barrier else NEW_BARRIER):
        who = barrier.updated_by.get_full_name() if barrier is not None else _("quelqu'un d'autre")
        raise ValidationError(
            _("Ce frein a été modifié entre-temps par %(who)s : rechargez la page.") % {"who": who},
            code="concurrent_edit",
        )
    if barrier is None:
        barrier = YouthBarrier(youth=youth, kind=kind)
    else:
        before = audit.snapshot(barrier, ["status", "partner", "detail"])
        barrier.version += 1
    barrier.status, barrier.partner, barrier.detail = status, partner, detail
    barrier.updated_by, barrier.updated_at = acting_user, timezone.now()
    barrier.save()
    audit.record_write(
        barrier,
        acting_user=acting_user,
        action=WriteAction.UPDATE if before else WriteAction.CREATE,
        before=before,
        after=audit.snapshot(barrier, ["kind", "status", "partner", "detail"]),
    )
    return barrier


@transaction.atomic
def validate_project(
    youth: Youth, *, acting_user: User, occupation: Occupation, text: str = "", validated_on: date | None = None
) -> ProfessionalProject:
    """Records the validated project; a youth in a mobilisation action then reaches stage 4."""
    validated_on = validated_on or timezone.localdate()
    if validated_on > timezone.localdate():
        raise ValidationError(_("La date de validation ne peut pas être dans le futur."), code="future")
    pathway = _open_pathway(youth, acting_user=acting_user)
    if pathway.stage < Stage.MOBILISED:
        raise ValidationError(
            _("Un projet professionnel se construit avec le jeune : il doit d'abord être mobilisé·e."),
            code="too_early",
        )
    project = ProfessionalProject.objects.create(
        pathway=pathway, occupation=occupation, text=text.strip(), validated_on=validated_on, validated_by=acting_user
    )
    audit.record_write(
        project,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after=audit.snapshot(project, ["occupation", "validated_on"]),
    )
    if pathway.stage == Stage.IN_ACTION:
        _move(pathway, Stage.PROJECT, acting_user=acting_user, reason=_("projet validé"))
    return project


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


@transaction.atomic
def record_outcome(
    youth: Youth,
    *,
    acting_user: User,
    kind: str,
    starts_on: date,
    organisation_name: str = "",
    skip_reason: str = "",
) -> Outcome:
    """Entry into training or employment: stage 5, with follow-ups due 3 and 6 months later."""
    pathway = _open_pathway(youth, acting_user=acting_user)
    if starts_on > timezone.localdate() + timedelta(days=92):
        raise ValidationError(_("Enregistrez l'entrée quand elle est proche : à trois mois au plus."), code="far")
    if pathway.stage < Stage.PROJECT and not skip_reason.strip():
        raise ValidationError(
            _(
                "Le jeune est à l'étape « %(stage)s » : dites pourquoi il ou elle accède à la formation ou à "
                "l'emploi sans projet validé (par exemple, un emploi trouvé seul·e)."
            )
            % {"stage": Stage(pathway.stage).label},
            code="skip",
        )
    outcome = Outcome.objects.create(
        pathway=pathway,
        kind=kind,
        starts_on=starts_on,
        organisation_name=organisation_name.strip(),
        recorded_by=acting_user,
    )
    audit.record_write(
        outcome,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after=audit.snapshot(outcome, ["kind", "starts_on"]),
    )
    FollowUp.objects.bulk_create(
        FollowUp(outcome=outcome, months=months, due_on=add_months(starts_on, months)) for months in FOLLOW_UP_MONTHS
    )
    if pathway.stage != Stage.OUTCOME:
        _move(pathway, Stage.OUTCOME, acting_user=acting_user, reason=skip_reason.strip())
    return outcome


@transaction.atomic
def record_follow_up(follow_up: FollowUp, *, acting_user: User, still_there: bool, reason: str = "") -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_on is not None:
        raise ValidationError(_("Ce suivi est déjà enregistré."), code="done")
    if not still_there and not reason.strip():
        raise ValidationError(_("Dites pourquoi le jeune n'y est plus."), code="reason")
    follow_up.still_there, follow_up.reason = still_there, reason.strip()
    follow_up.done_on, follow_up.done_by = timezone.localdate(), acting_user
    follow_up.save()
    audit.record_write(
        follow_up,
        acting_user=acting_user,
        action=WriteAction.UPDATE,
        after=audit.snapshot(follow_up, ["months", "still_there", "done_on"]),
    )
    return follow_up


# A partner who met a declining youth again without success tries once more a month later.
REAPPROACH_AGAIN_AFTER = timedelta(days=30)


@transaction.atomic
def report_reapproach(
    reapproach: Reapproach, *, acting_user: User, channel: str, outcome: str, happened_on: date, note: str = ""
) -> ContactAttempt:
    """The organisation given a re-approach says how it went: a contact attempt made through it. Still
    declining plans the next try a month later; a youth who agrees is called by the Mission locale."""
    plan = Reapproach.objects.select_for_update().get(pk=reapproach.pk)
    if plan.status != ReapproachStatus.PLANNED:
        raise ValidationError(_("Cette nouvelle approche est déjà enregistrée."), code="done")
    organisation = acting_user.organisation
    again = outcome == ContactOutcome.REACHED_DECLINES
    attempt = record_contact(
        plan.youth,
        acting_user=acting_user,
        channel=Channel.PARTNER if organisation != plan.youth.mission_locale else channel,
        outcome=outcome,
        happened_on=happened_on,
        note=note,
        through=organisation if organisation != plan.youth.mission_locale else None,
        decline_reason=plan.declined.decline_reason if again and plan.declined else ("other" if again else ""),
        reapproach_on=happened_on + REAPPROACH_AGAIN_AFTER if again else None,
        reapproach_by=plan.by_organisation if again else None,
        reapproach_how=plan.how if again else "",
    )
    if outcome not in REACHED:
        return attempt  # still to do: the plan stays planned
    return attempt  # record_contact closed the plan (reached), with its history record
