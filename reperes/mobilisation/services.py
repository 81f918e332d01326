"""Writes of reperes.mobilisation. Each takes the acting user, checks the rule itself (not only the
form), locks what two people may change at once, refuses with a French message and leaves a
history record. A youth first marked present at an action reaches the pathway's stage 3."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.mobilisation.enums import AttendanceStatus
from reperes.mobilisation.models import Action, Attendance, Enrolment, Session
from reperes.network.models import Organisation, User
from reperes.pathways.enums import Stage
from reperes.pathways.services import note_seen, reach_stage
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction
from reperes.registry.models import Youth
from reperes.territory.models import Commune

HISTORY_FIELDS = [
    "title",
    "kind",
    "format",
    "objectives",
    "innovation",
    "commune",
    "starts_on",
    "ends_on",
    "capacity",
    "cost",
    "cofinancing_requested",
]


def _snapshot(action: Action) -> dict[str, Any]:
    data = audit.snapshot(action, HISTORY_FIELDS)
    data["cost"], data["cofinancing_requested"] = str(action.cost), str(action.cofinancing_requested)
    data["partners"] = sorted(action.partners.values_list("pk", flat=True)) if action.pk else []
    return data


def _check_action(
    *,
    starts_on: date,
    ends_on: date,
    capacity: int,
    cost: Decimal,
    cofinancing_requested: Decimal,
    partners: Iterable[Organisation],
    enrolled: int = 0,
) -> None:
    errors: dict[str, str] = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("La fin de l'action est avant son début.")
    if capacity < 1:
        errors["capacity"] = _("Une action a au moins une place.")
    elif capacity < enrolled:
        errors["capacity"] = _("%(n)s jeunes sont déjà inscrits : gardez au moins autant de places.") % {"n": enrolled}
    if cost < 0:
        errors["cost"] = _("Le coût ne peut pas être négatif.")
    if cofinancing_requested < 0 or cofinancing_requested > cost:
        errors["cofinancing_requested"] = _("Le cofinancement demandé est compris entre 0 et le coût de l'action.")
    partners = list(partners)
    if not partners:
        errors["partners"] = _("Choisissez au moins un partenaire qui anime l'action.")
    elif any(not p.is_partner or not p.is_active for p in partners):
        errors["partners"] = _("Seuls des partenaires actifs du réseau animent une action.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_action(
    *,
    acting_user: User,
    title: str,
    kind: str,
    format: str,
    objectives: str,
    innovation: str = "",
    partners: Iterable[Organisation],
    commune: Commune,
    starts_on: date,
    ends_on: date,
    capacity: int,
    cost: Decimal,
    cofinancing_requested: Decimal = Decimal(0),
) -> Action:
    """An action of the acting user's Mission locale."""
    if not policy.can_create_actions(acting_user):
        raise ValidationError(_("Seule l'équipe d'une Mission locale crée une action."), code="forbidden")
    partners = list(partners)
    _check_action(
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        cost=cost,
        cofinancing_requested=cofinancing_requested,
        partners=partners,
    )
    mission = acting_user.organisation
    assert mission is not None
    action = Action(
        title=title.strip(),
        kind=kind,
        format=format,
        objectives=objectives.strip(),
        innovation=innovation.strip(),
        mission_locale=mission,
        commune=commune,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        cost=cost,
        cofinancing_requested=cofinancing_requested,
        created_by=acting_user,
        updated_by=acting_user,
    )
    action.full_clean(exclude=["partners"])
    action.save()
    action.partners.set(partners)
    audit.record_write(action, acting_user=acting_user, action=WriteAction.CREATE, after=_snapshot(action))
    return action


def check_action_version(action: Action, version: str | int | None) -> None:
    """The form carries the version it was built from; a save from a stale one names who saved since."""
    if version is not None and str(version) == str(action.version):
        return
    raise ValidationError(
        _("Cette action a été modifiée entre-temps par %(who)s : rechargez la page pour voir sa version actuelle.")
        % {"who": action.updated_by.get_full_name()},
        code="concurrent_edit",
    )


@transaction.atomic
def update_action(action: Action, *, acting_user: User, version: str | int | None, **fields: Any) -> Action:
    """Change an action (the fields of `create_action`); refused when someone saved it since the
    form was opened, or when fewer places would remain than youths enrolled."""
    locked = Action.objects.select_for_update().select_related("updated_by").get(pk=action.pk)
    if not policy.can_manage_action(acting_user, locked):
        raise ValidationError(_("Seule la Mission locale qui organise l'action la modifie."), code="forbidden")
    check_action_version(locked, version)
    before = _snapshot(locked)
    partners = list(fields.pop("partners", locked.partners.all()))
    for name, value in fields.items():
        if name not in HISTORY_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _check_action(
        starts_on=locked.starts_on,
        ends_on=locked.ends_on,
        capacity=locked.capacity,
        cost=locked.cost,
        cofinancing_requested=locked.cofinancing_requested,
        partners=partners,
        enrolled=locked.enrolments.filter(withdrawn_at=None).count(),
    )
    locked.version += 1
    locked.updated_by, locked.updated_at = acting_user, timezone.now()
    locked.full_clean(exclude=["partners"])
    locked.save()
    locked.partners.set(partners)
    after = _snapshot(locked)
    changed = [name for name in after if before[name] != after[name]]
    if changed:
        audit.record_write(
            locked,
            acting_user=acting_user,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return locked


@transaction.atomic
def add_session(
    action: Action, *, acting_user: User, starts_at: datetime, duration_minutes: int, place: str = ""
) -> Session:
    if not policy.can_manage_action(acting_user, action):
        raise ValidationError(
            _("Seule la Mission locale qui organise l'action en ajoute les séances."), code="forbidden"
        )
    day = timezone.localdate(starts_at)
    if not action.starts_on <= day <= action.ends_on:
        raise ValidationError(
            {
                "starts_at": _("La séance doit avoir lieu pendant l'action (du %(start)s au %(end)s).")
                % {"start": action.starts_on.strftime("%d/%m/%Y"), "end": action.ends_on.strftime("%d/%m/%Y")}
            },
            code="outside",
        )
    if not 1 <= duration_minutes <= 24 * 60:
        raise ValidationError({"duration_minutes": _("Une séance dure entre 1 minute et 24 heures.")}, code="duration")
    session = Session.objects.create(
        action=action,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip(),
        created_by=acting_user,
    )
    audit.record_write(
        session,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after=audit.snapshot(session, ["action", "starts_at", "duration_minutes", "place"]),
    )
    return session


@transaction.atomic
def enrol_youth(action: Action, *, youth: Youth, acting_user: User) -> Enrolment:
    """Enrol a youth whose file the organising Mission locale holds, while places remain. The
    action is locked: two enrolments at once cannot both take the last place."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if not policy.can_enrol_youth(acting_user, locked, youth):
        raise ValidationError(
            _("Vous ne pouvez inscrire que des jeunes dont votre Mission locale suit le dossier."), code="not_held"
        )
    existing = Enrolment.objects.select_for_update().filter(action=locked, youth=youth).first()
    if existing is not None and existing.withdrawn_at is None:
        raise ValidationError(
            _("%(name)s est déjà inscrit·e à cette action.") % {"name": youth.display_name}, code="already"
        )
    if locked.ends_on < timezone.localdate():
        raise ValidationError(_("Cette action est terminée : on ne s'y inscrit plus."), code="ended")
    enrolled = locked.enrolments.filter(withdrawn_at=None).count()
    if enrolled >= locked.capacity:
        raise ValidationError(
            _("L'action est complète (%(n)s places) : augmentez le nombre de places ou choisissez une autre action.")
            % {"n": locked.capacity},
            code="full",
        )
    if existing is not None:  # enrolled again after a withdrawal
        existing.withdrawn_at, existing.enrolled_by, existing.enrolled_at = None, acting_user, timezone.now()
        existing.save(update_fields=["withdrawn_at", "enrolled_by", "enrolled_at"])
        enrolment = existing
    else:
        enrolment = Enrolment.objects.create(action=locked, youth=youth, enrolled_by=acting_user)
    audit.record_write(
        enrolment,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after={"action": locked.pk, "youth": youth.pk},
    )
    return enrolment


@transaction.atomic
def withdraw_enrolment(enrolment: Enrolment, *, acting_user: User) -> Enrolment:
    """The youth leaves the action (stopped coming, moved on): their attendance stays, no sheet
    lists them any more, their absences no longer alert. Undone by enrolling them again."""
    locked = Enrolment.objects.select_for_update().select_related("action", "youth").get(pk=enrolment.pk)
    if not policy.can_manage_action(acting_user, locked.action):
        raise ValidationError(_("Seule la Mission locale qui organise l'action retire un jeune."), code="forbidden")
    if locked.withdrawn_at is not None:
        raise ValidationError(
            _("%(name)s n'est déjà plus inscrit·e à cette action.") % {"name": locked.youth.display_name},
            code="already",
        )
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    audit.record_write(
        locked,
        acting_user=acting_user,
        action=WriteAction.UPDATE,
        before={"withdrawn_at": None},
        after={"withdrawn_at": locked.withdrawn_at.isoformat()},
    )
    return locked


@transaction.atomic
def record_attendance(session: Session, *, acting_user: User, statuses: Mapping[int, str]) -> list[Attendance]:
    """Record the sheet of a session: enrolment pk -> status. Every enrolment named must be an
    active one of the session's action. A youth marked present for the first time moves from
    stage 2 (mobilised) to stage 3 (in a mobilisation action)."""
    locked = Session.objects.select_for_update().select_related("action").get(pk=session.pk)
    if not policy.can_record_attendance(acting_user, locked):
        raise ValidationError(_("Vous ne pouvez pas saisir les présences de cette séance."), code="forbidden")
    if locked.starts_at > timezone.now():
        raise ValidationError(
            _("La séance n'a pas encore commencé : saisissez les présences le jour venu."), code="future"
        )
    if not statuses:
        raise ValidationError(_("Cochez présent, absent ou excusé pour au moins un jeune."), code="empty")
    if any(status not in AttendanceStatus.values for status in statuses.values()):
        raise ValidationError(_("Choisissez présent, absent ou excusé."), code="status")
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(
            action=locked.action, withdrawn_at=None, pk__in=list(statuses)
        ).select_related("youth")
    }
    if set(statuses) - set(enrolments):
        raise ValidationError(
            _("Un des jeunes de la feuille n'est pas inscrit à cette action : rechargez la feuille de présence."),
            code="not_enrolled",
        )
    organisation = acting_user.organisation
    assert organisation is not None
    existing = {a.enrolment_id: a for a in Attendance.objects.select_for_update().filter(session=locked)}
    saved: list[Attendance] = []
    for enrolment_id, status in statuses.items():
        attendance = existing.get(enrolment_id)
        before = {"status": attendance.status} if attendance else {}
        if attendance is not None and attendance.status == status:
            saved.append(attendance)
            continue
        if attendance is None:
            attendance = Attendance(session=locked, enrolment=enrolments[enrolment_id])
        attendance.status, attendance.recorded_by, attendance.organisation = status, acting_user, organisation
        attendance.recorded_at = timezone.now()
        attendance.save()
        audit.record_write(
            attendance,
            acting_user=acting_user,
            action=WriteAction.UPDATE if before else WriteAction.CREATE,
            before=before,
            after={"session": locked.pk, "youth": enrolments[enrolment_id].youth_id, "status": status},
        )
        if status == AttendanceStatus.PRESENT:
            youth = enrolments[enrolment_id].youth
            reach_stage(
                youth,
                stage=Stage.IN_ACTION,
                acting_user=acting_user,
                cause=_("présence à une action de mobilisation"),
                at=locked.starts_at,  # a sheet filled the next day dates the step from the session
            )
            note_seen(youth, at=locked.starts_at)
        saved.append(attendance)
    return saved
