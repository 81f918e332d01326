"""Writes of the programme: campaigns and their rules, projects, their partners and budget lines.

Each write of a project or of a campaign's rules checks the rule itself (not only the form), locks
what two people may change at once, refuses bad input with a French message and leaves a history
record (privacy.audit.record_write: who, when, before and after). Campaigns and projects hold no
personal data of young people."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reperes.network.models import Organisation, User
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction
from reperes.programme.enums import BudgetKind, PartnerRole
from reperes.programme.models import (
    HOURS_PER_DAY,
    QUARTER,
    BudgetLine,
    Campaign,
    Claim,
    ClaimStatus,
    Project,
    ProjectPartner,
    TimeEntry,
    TimeKind,
    TimeStatus,
)
from reperes.programme.selectors import amounts_of, claim_actions, claim_amounts, week_token
from reperes.territory.models import Commune, Territory


@transaction.atomic
def create_campaign(
    *, funder: Organisation, name: str, starts_on: date, ends_on: date, description: str = ""
) -> Campaign:
    """Open a funder's call for projects; refused when its dates overlap another of its campaigns."""
    campaign = Campaign(funder=funder, name=name, starts_on=starts_on, ends_on=ends_on, description=description)
    campaign.full_clean()
    campaign.save()
    return campaign


# --- The campaign's rules -----------------------------------------------------------------------

RULE_FIELDS = ["engineering_rate", "coordination_rate", "action_ceiling_percent", "project_ceiling"]


CENT = Decimal("0.01")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def _concurrent(what: str, who: User | None) -> ValidationError:
    return ValidationError(
        _("%(what)s a été modifié entre-temps par %(who)s : rechargez la page pour voir sa version actuelle.")
        % {"what": what, "who": who.get_full_name() if who else _("quelqu'un d'autre")},
        code="concurrent_edit",
    )


@transaction.atomic
def set_campaign_rules(
    campaign: Campaign,
    *,
    acting_user: User,
    version: str | int | None,
    engineering_rate: Decimal | None,
    coordination_rate: Decimal | None,
    action_ceiling_percent: Decimal | None,
    project_ceiling: Decimal | None = None,
) -> Campaign:
    """Set the hourly rates the funder pays for engineering and coordination, the share of an
    action's cost it co-finances at most (a percentage) and, optionally, the most it pays one
    project. None leaves a rule unset. Refused when someone changed the rules since the form was
    opened."""
    # of=self: PostgreSQL locks no row of the nullable side of an outer join (rules_updated_by).
    locked = Campaign.objects.select_for_update(of=("self",)).select_related("rules_updated_by").get(pk=campaign.pk)
    if not policy.can_edit_campaign_rules(acting_user, locked):
        raise ValidationError(_("Seul le financeur de la campagne en fixe les règles."), code="forbidden")
    if version is None or str(version) != str(locked.rules_version):
        raise _concurrent(_("Le règlement de cette campagne"), locked.rules_updated_by)
    before = {name: _money(getattr(locked, name)) for name in RULE_FIELDS}
    locked.engineering_rate = engineering_rate
    locked.coordination_rate = coordination_rate
    locked.action_ceiling_percent = action_ceiling_percent
    locked.project_ceiling = project_ceiling
    errors = locked.rules_errors()
    if errors:
        raise ValidationError(errors)
    after = {name: _money(getattr(locked, name)) for name in RULE_FIELDS}
    if after == before:
        return locked
    locked.rules_version += 1
    locked.rules_updated_by, locked.rules_updated_at = acting_user, timezone.now()
    locked.save(update_fields=[*RULE_FIELDS, "rules_version", "rules_updated_by", "rules_updated_at"])
    changed = [name for name in after if after[name] != before[name]]
    audit.record_write(
        locked,
        acting_user=acting_user,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return locked


# --- Projects -----------------------------------------------------------------------------------

PROJECT_FIELDS = ["name", "description", "lead", "youths_to_identify", "youths_to_mobilise"]


def _snapshot(project: Project) -> dict[str, Any]:
    data = audit.snapshot(project, ["campaign", "carrier", *PROJECT_FIELDS])
    territory = project.territory
    data["communes"] = sorted(territory.communes.values_list("code", flat=True)) if territory else None
    return data


def _check_project(
    *,
    campaign: Campaign,
    carrier: Organisation,
    lead: User,
    name: str,
    youths_to_identify: int,
    youths_to_mobilise: int,
    communes: Sequence[Commune] | None,
    project: Project | None = None,
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Donnez un nom au projet.")
    if not carrier.is_mission_locale:
        errors["carrier"] = _("Un projet est porté par une Mission locale.")
    elif not policy.possible_project_leads(Organisation.objects.filter(pk=carrier.pk)).filter(pk=lead.pk).exists():
        errors["lead"] = _(
            "Le ou la responsable du projet fait partie de l'équipe de la Mission locale porteuse "
            "(conseiller·ère ou coordinateur·rice en activité)."
        )
    if youths_to_identify < 0 or youths_to_mobilise < 0:
        errors["youths_to_identify" if youths_to_identify < 0 else "youths_to_mobilise"] = _(
            "Un objectif est un nombre de jeunes, positif ou nul."
        )
    elif youths_to_mobilise > youths_to_identify:
        errors["youths_to_mobilise"] = _("On ne peut pas viser plus de jeunes mobilisés que de jeunes repérés.")
    if communes is not None and carrier.is_mission_locale:
        if not communes:
            errors["communes"] = _(
                "Indiquez au moins une commune, ou choisissez tout le territoire de la Mission locale."
            )
        else:
            covered = set(carrier.territory.communes.values_list("code", flat=True)) if carrier.territory else set()
            outside = sorted(c.name for c in communes if c.code not in covered)
            if outside:
                errors["communes"] = _(
                    "Ces communes ne sont pas dans le territoire de la Mission locale porteuse : %(names)s."
                ) % {"names": ", ".join(outside)}
    other = Project.objects.filter(campaign=campaign, carrier=carrier)
    if project is not None:
        other = other.exclude(pk=project.pk)
    if "carrier" not in errors and (existing := other.first()) is not None:
        errors["carrier"] = _("%(carrier)s porte déjà le projet « %(name)s » dans cette campagne.") % {
            "carrier": carrier.name,
            "name": existing.name,
        }
    if errors:
        raise ValidationError(errors)


def _set_communes(project: Project, communes: Sequence[Commune] | None) -> None:
    """The project's own communes, or None for its carrier's whole territory."""
    if communes is None:
        if project.territory_id is not None:
            territory = project.territory
            project.territory = None
            project.save(update_fields=["territory"])
            assert territory is not None
            territory.delete()
        return
    if project.territory is None:
        project.territory = Territory.objects.create(name=f"Territoire du projet {project.pk}")
        project.save(update_fields=["territory"])
    project.territory.communes.set(communes)


@transaction.atomic
def create_project(
    *,
    acting_user: User,
    campaign: Campaign,
    carrier: Organisation,
    name: str,
    lead: User,
    description: str = "",
    youths_to_identify: int = 0,
    youths_to_mobilise: int = 0,
    communes: Sequence[Commune] | None = None,
) -> Project:
    """A Mission locale's project in a campaign: one per Mission locale and campaign. Its territory
    is the carrier's, or the communes given (within the carrier's territory). A coordinator
    creates their own Mission locale's project in a campaign not closed yet; an administrator
    any."""
    if not carrier.is_mission_locale:
        raise ValidationError({"carrier": _("Un projet est porté par une Mission locale.")})
    if not policy.carriers_for(acting_user).filter(pk=carrier.pk).exists():
        raise ValidationError(_("Seule la Mission locale porteuse crée son projet."), code="forbidden")
    if not policy.campaigns_open_to_projects(acting_user).filter(pk=campaign.pk).exists():
        raise ValidationError(_("Cette campagne est close : on n'y ajoute plus de projet."), code="closed")
    # Two coordinators creating the same Mission locale's project at once: the campaign's row is
    # the lock, the unique constraint the last guard.
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_project(
        campaign=campaign,
        carrier=carrier,
        lead=lead,
        name=name,
        youths_to_identify=youths_to_identify,
        youths_to_mobilise=youths_to_mobilise,
        communes=communes,
    )
    project = Project(
        campaign=campaign,
        carrier=carrier,
        name=name.strip(),
        lead=lead,
        description=description.strip(),
        youths_to_identify=youths_to_identify,
        youths_to_mobilise=youths_to_mobilise,
        created_by=acting_user,
        updated_by=acting_user,
    )
    project.full_clean(exclude=["territory"], validate_constraints=False)
    project.save()
    _set_communes(project, communes)
    audit.record_write(project, acting_user=acting_user, action=WriteAction.CREATE, after=_snapshot(project))
    return project


def _locked_project(project: Project, acting_user: User, version: str | int | None) -> Project:
    locked = (
        Project.objects.select_for_update(of=("self",))  # updated_by and territory may be null
        .select_related("campaign", "carrier", "updated_by", "territory")
        .get(pk=project.pk)
    )
    if not policy.can_edit_project(acting_user, locked):
        raise ValidationError(_("Seule la Mission locale porteuse modifie son projet."), code="forbidden")
    if version is None or str(version) != str(locked.version):
        raise _concurrent(_("Ce projet"), locked.updated_by)
    return locked


@transaction.atomic
def update_project(
    project: Project,
    *,
    acting_user: User,
    version: str | int | None,
    communes: Sequence[Commune] | None,
    **fields: Any,
) -> Project:
    """Change a project's name, description, lead, objectives and territory (communes, or None for
    the carrier's whole territory). Its campaign and carrier do not change. Refused when someone
    saved the project since the form was opened."""
    locked = _locked_project(project, acting_user, version)
    before = _snapshot(locked)
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _check_project(
        campaign=locked.campaign,
        carrier=locked.carrier,
        lead=locked.lead,
        name=locked.name,
        youths_to_identify=locked.youths_to_identify,
        youths_to_mobilise=locked.youths_to_mobilise,
        communes=communes,
        project=locked,
    )
    locked.version += 1
    locked.updated_by, locked.updated_at = acting_user, timezone.now()
    locked.full_clean(exclude=["territory"], validate_constraints=False)
    locked.save()
    _set_communes(locked, communes)
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


# --- Partners -----------------------------------------------------------------------------------


def _partners_snapshot(project: Project) -> list[str]:
    return [
        f"{organisation_id}:{role}"
        for organisation_id, role in project.partners.values_list("organisation_id", "role")
    ]


@transaction.atomic
def add_partner(project: Project, *, acting_user: User, organisation: Organisation, role: str) -> ProjectPartner:
    """Associate a partner of the network with the project, in one role; a partner is associated
    once only (its role can be changed by removing it first)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not policy.can_edit_project(acting_user, locked):
        raise ValidationError(
            _("Seule la Mission locale porteuse choisit les partenaires du projet."), code="forbidden"
        )
    if role not in PartnerRole.values:
        raise ValidationError({"role": _("Choisissez le rôle du partenaire dans le projet.")})
    if not organisation.is_partner or not organisation.is_active:
        raise ValidationError({"organisation": _("Seuls des partenaires actifs du réseau sont associés à un projet.")})
    existing = locked.partners.filter(organisation=organisation).first()
    if existing is not None:
        raise ValidationError(
            {
                "organisation": _("%(name)s est déjà partenaire du projet (rôle : %(role)s).")
                % {"name": organisation.name, "role": existing.get_role_display()}
            },
            code="duplicate",
        )
    before = _partners_snapshot(locked)
    partner = ProjectPartner.objects.create(project=locked, organisation=organisation, role=role, added_by=acting_user)
    audit.record_write(
        locked, acting_user=acting_user, before={"partners": before}, after={"partners": _partners_snapshot(locked)}
    )
    return partner


@transaction.atomic
def remove_partner(partner: ProjectPartner, *, acting_user: User) -> None:
    """Take a partner off the project."""
    locked = Project.objects.select_for_update().get(pk=partner.project_id)
    if not policy.can_edit_project(acting_user, locked):
        raise ValidationError(
            _("Seule la Mission locale porteuse choisit les partenaires du projet."), code="forbidden"
        )
    before = _partners_snapshot(locked)
    deleted, _rows = ProjectPartner.objects.filter(pk=partner.pk).delete()
    if not deleted:
        raise ValidationError(_("Ce partenaire a déjà été retiré du projet."), code="gone")
    audit.record_write(
        locked, acting_user=acting_user, before={"partners": before}, after={"partners": _partners_snapshot(locked)}
    )


# --- Budget -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedLine:
    """What a budget form says of one kind of line."""

    planned: Decimal
    requested: Decimal
    label: str = ""


def percent(value: Decimal | None) -> str:
    """« 50 », « 33,5 »: a percentage as French writes it, without trailing zeros."""
    return "" if value is None else format(Decimal(value).normalize(), "f").replace(".", ",")


def _euros(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"


def _check_budget(campaign: Campaign, lines: Mapping[str, PlannedLine]) -> None:
    errors: dict[str, str] = {}
    for kind, line in lines.items():
        if kind not in BudgetKind.values:
            raise ValueError(kind)
        if line.planned < 0 or line.requested < 0:
            errors[kind] = _("Un montant est positif ou nul.")
        elif line.requested > line.planned:
            errors[kind] = _("La part demandée au financeur ne peut pas dépasser le montant prévu.")
        elif kind == BudgetKind.OTHER and line.planned > 0 and not line.label.strip():
            errors[kind] = _("Précisez ce que couvre la ligne « autre ».")
    actions = lines.get(BudgetKind.ACTIONS)
    if BudgetKind.ACTIONS not in errors and actions is not None:
        ceiling = campaign.action_ceiling(actions.planned)
        if ceiling is not None and actions.requested > ceiling:
            errors[BudgetKind.ACTIONS] = _(
                "Le financeur cofinance au plus %(percent)s %% du coût des actions de mobilisation : "
                "%(ceiling)s pour %(planned)s prévus."
            ) % {
                "percent": percent(campaign.action_ceiling_percent),
                "ceiling": _euros(ceiling),
                "planned": _euros(actions.planned),
            }
    total = sum((line.requested for line in lines.values()), Decimal(0))
    if not errors and campaign.project_ceiling is not None and total > campaign.project_ceiling:
        errors["__all__"] = _(
            "Le total demandé au financeur (%(total)s) dépasse le plafond par projet de la campagne (%(ceiling)s)."
        ) % {"total": _euros(total), "ceiling": _euros(campaign.project_ceiling)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_budget_lines(
    project: Project, *, acting_user: User, version: str | int | None, lines: Mapping[str, PlannedLine]
) -> list[BudgetLine]:
    """Replace the project's planned budget: one line per kind given (a kind left out, or planned
    at zero, is dropped). The share asked of the funder stays within each line's amount, within
    the campaign's co-financing ceiling for the mobilisation actions, and within its ceiling per
    project in total. Refused when someone saved the project since the form was opened."""
    locked = _locked_project(project, acting_user, version)
    _check_budget(locked.campaign, lines)
    before = {
        line.kind: [_money(line.planned), _money(line.requested), line.label] for line in locked.budget_lines.all()
    }
    locked.budget_lines.all().delete()
    created = BudgetLine.objects.bulk_create(
        BudgetLine(project=locked, kind=kind, planned=line.planned, requested=line.requested, label=line.label.strip())
        for kind in BudgetKind
        if (line := lines.get(kind)) is not None and (line.planned > 0 or line.requested > 0)
    )
    after = {line.kind: [_money(line.planned), _money(line.requested), line.label] for line in created}
    locked.version += 1
    locked.updated_by, locked.updated_at = acting_user, timezone.now()
    locked.save(update_fields=["version", "updated_by", "updated_at"])
    if after != before:
        audit.record_write(locked, acting_user=acting_user, before={"budget": before}, after={"budget": after})
    return created


# --- Timesheets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    """One row of the week grid: a project, a kind and an activity, and what each day's cell says
    (index 0 is Monday). A day absent from `hours` was not posted and stays as it is; None (or
    zero) clears the cell. `key` names the row's cells in the errors: « <key>-d<index> »."""

    key: str
    project_id: int | None
    kind: str
    activity: str
    hours: Mapping[int, Decimal | None]


def _french_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _hours_error(value: Decimal) -> str | None:
    if value < 0:
        return _("Un nombre d'heures ne peut pas être négatif.")
    if value > HOURS_PER_DAY:
        return _("Une journée compte au plus 24 heures.")
    if value % QUARTER:
        return _("Les heures se comptent par quarts d'heure (0,25 ; 0,5 ; 0,75…).")
    return None


def _locked_days(project_ids: Sequence[int], first: date, last: date) -> dict[int, list[tuple[date, date]]]:
    """The periods of the projects' claims in force that meet these days: hours are no longer added there."""
    periods: dict[int, list[tuple[date, date]]] = {}
    claims = Claim.objects.filter(project_id__in=project_ids, period_start__lte=last, period_end__gte=first).exclude(
        status=ClaimStatus.CANCELLED
    )
    for project_id, start, end in claims.values_list("project_id", "period_start", "period_end"):
        periods.setdefault(project_id, []).append((start, end))
    return periods


def _entry_snapshot(entry: TimeEntry) -> dict[str, Any]:
    return audit.snapshot(entry, ["project", "day", "kind", "activity", "hours", "status", "claim"]) | {
        "hours": str(entry.hours)
    }


@transaction.atomic
def save_week(*, acting_user: User, monday: date, version: str | None, rows: Sequence[GridRow]) -> list[TimeEntry]:
    """Save the acting user's week grid at once: every cell, or none. Each refusal is tied to its
    cell (« <row key>-d<day> ») or to its row's field (« <row key>-project », « -kind »,
    « -activity »): hours negative, over 24, not in quarters, on a day outside the project's
    campaign or in a period already claimed, hours no longer a draft (submitted, approved, claimed)
    that the grid would change, and the sum of a day over 24 h across all projects. Refused too
    when the week changed since the grid was built (another tab). Returns the entries written."""
    if not policy.can_enter_hours(acting_user):
        raise ValidationError(_("Seule l'équipe d'une Mission locale saisit des heures."), code="forbidden")
    # The person's row is the lock: two tabs saving the same week wait for one another.
    User.objects.select_for_update().get(pk=acting_user.pk)
    if version is None or version != week_token(acting_user, monday):
        raise ValidationError(
            _("Vos heures de cette semaine ont changé entre-temps (un autre onglet ?) : rechargez la page."),
            code="concurrent_edit",
        )
    days = [monday + timedelta(days=offset) for offset in range(7)]
    projects = {p.pk: p for p in policy.projects_open_to_hours(acting_user).select_related("campaign")}
    existing = {
        (e.project_id, e.kind, e.activity, e.day): e
        for e in TimeEntry.objects.filter(person=acting_user).of_week(monday)
    }
    locked = _locked_days(list(projects), days[0], days[-1])
    errors: dict[str, str] = {}
    plan: dict[tuple[int, str, str, date], Decimal | None] = {}
    cells_of_day: dict[int, list[str]] = {}
    for row in rows:
        project = projects.get(row.project_id) if row.project_id is not None else None
        activity = " ".join(row.activity.split())
        posted = {j: v for j, v in row.hours.items() if v}
        if project is None:
            if posted or activity:
                errors[f"{row.key}-project"] = _("Choisissez un projet de votre Mission locale.")
            continue
        if row.kind not in TimeKind.values:
            errors[f"{row.key}-kind"] = _("Choisissez ingénierie de projet ou coordination.")
            continue
        if not activity:
            errors[f"{row.key}-activity"] = _("Dites en quelques mots l'activité (100 caractères au plus).")
            continue
        if len(activity) > 100:
            errors[f"{row.key}-activity"] = _("L'activité tient en 100 caractères au plus.")
            continue
        for j, raw in row.hours.items():
            cell, day = f"{row.key}-d{j}", days[j]
            key = (project.pk, row.kind, activity, day)
            if key in plan:
                errors[cell] = _("Cette ligne est en double : regroupez ses heures sur une seule ligne.")
                continue
            value = raw or None
            if value is not None and (message := _hours_error(value)):
                errors[cell] = message
                continue
            entry = existing.get(key)
            if entry is not None and entry.status != TimeStatus.DRAFT:
                if value != entry.hours:
                    errors[cell] = (
                        _("Ces heures sont verrouillées dans une demande de financement.")
                        if entry.status == TimeStatus.CLAIMED
                        else _("Ces heures sont %(status)s : elles ne se modifient plus.")
                        % {"status": entry.get_status_display()}
                    )
                continue
            if value is not None and entry is None:
                campaign = project.campaign
                if not campaign.starts_on <= day <= campaign.ends_on:
                    errors[cell] = _("Ce jour est hors de la campagne du projet (du %(start)s au %(end)s).") % {
                        "start": _french_day(campaign.starts_on),
                        "end": _french_day(campaign.ends_on),
                    }
                    continue
                if any(start <= day <= end for start, end in locked.get(project.pk, [])):
                    errors[cell] = _("Cette période est verrouillée par une demande de financement.")
                    continue
            if value is not None or entry is not None:
                plan[key] = value
                if value is not None:
                    cells_of_day.setdefault(j, []).append(cell)
    final = {key: entry.hours for key, entry in existing.items()}
    for key, value in plan.items():
        if value is None:
            final.pop(key, None)
        else:
            final[key] = value
    for j, day in enumerate(days):
        total = sum((hours for key, hours in final.items() if key[3] == day), Decimal(0))
        if total > HOURS_PER_DAY:
            message = _(
                "Le %(day)s compterait %(total)s h : pas plus de 24 heures par jour, tous projets confondus."
            ) % {"day": _french_day(day), "total": format(total.normalize(), "f").replace(".", ",")}
            for cell in cells_of_day.get(j, []):
                errors.setdefault(cell, message)
    if errors:
        raise ValidationError(errors)
    written = []
    now = timezone.now()
    for key, value in plan.items():
        entry = existing.get(key)
        project_id, kind, activity, day = key
        if entry is None:
            assert value is not None
            entry = TimeEntry.objects.create(
                person=acting_user, project_id=project_id, day=day, kind=kind, activity=activity, hours=value
            )
            audit.record_write(entry, acting_user=acting_user, action=WriteAction.CREATE, after=_entry_snapshot(entry))
            written.append(entry)
        elif value is None:
            audit.record_write(entry, acting_user=acting_user, before=_entry_snapshot(entry), after={"deleted": True})
            entry.delete()
        elif value != entry.hours:
            before = _entry_snapshot(entry)
            entry.hours, entry.updated_at, entry.version = value, now, entry.version + 1
            entry.rejection_reason = ""
            entry.save(update_fields=["hours", "updated_at", "version", "rejection_reason"])
            audit.record_write(entry, acting_user=acting_user, before=before, after=_entry_snapshot(entry))
            written.append(entry)
    return written


def _move(entries: Sequence[TimeEntry], *, acting_user: User, status: str, reason: str = "", **fields: Any) -> None:
    now = timezone.now()
    for entry in entries:
        before = _entry_snapshot(entry)
        entry.status, entry.updated_at, entry.version = status, now, entry.version + 1
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.save(update_fields=["status", "updated_at", "version", *fields])
        after = _entry_snapshot(entry) | ({"reason": reason} if reason else {})
        audit.record_write(entry, acting_user=acting_user, before=before, after=after)


@transaction.atomic
def submit_week(*, acting_user: User, monday: date) -> int:
    """Submit the acting user's draft hours of the week to the projects' leads; how many."""
    drafts = list(
        TimeEntry.objects.select_for_update().filter(person=acting_user, status=TimeStatus.DRAFT).of_week(monday)
    )
    if not drafts:
        raise ValidationError(_("Aucune heure en brouillon à soumettre cette semaine."), code="empty")
    _move(drafts, acting_user=acting_user, status=TimeStatus.SUBMITTED)
    return len(drafts)


@transaction.atomic
def review_hours(
    project: Project, *, acting_user: User, entry_ids: Sequence[int], approve: bool, reason: str = ""
) -> int:
    """The project's lead approves submitted hours, or sends them back to their author as drafts
    with a reason; how many."""
    if not policy.projects_approvable_by(acting_user).filter(pk=project.pk).exists():
        raise ValidationError(_("Seul·e le ou la responsable du projet valide ses heures."), code="forbidden")
    reason = " ".join(reason.split())
    if not approve and not reason:
        raise ValidationError({"reason": _("Dites pourquoi ces heures sont refusées : leur auteur le lira.")})
    entries = list(
        TimeEntry.objects.select_for_update().filter(project=project, status=TimeStatus.SUBMITTED, pk__in=entry_ids)
    )
    if not entries:
        raise ValidationError(_("Choisissez des heures qui attendent une validation."), code="empty")
    now = timezone.now()
    if approve:
        _move(entries, acting_user=acting_user, status=TimeStatus.APPROVED, reviewed_by=acting_user, reviewed_at=now)
    else:
        _move(
            entries,
            acting_user=acting_user,
            status=TimeStatus.DRAFT,
            reason=reason,
            reviewed_by=acting_user,
            reviewed_at=now,
            rejection_reason=reason[:300],
        )
    return len(entries)


# --- Funding claims -----------------------------------------------------------------------------


def _claim_snapshot(claim: Claim) -> dict[str, Any]:
    data = audit.snapshot(claim, ["project", "period_start", "period_end", "status"])
    return data | {name: _money(getattr(claim, name)) for name in ("hours_amount", "actions_amount", "total")}


def _store_amounts(claim: Claim) -> None:
    amounts = claim_amounts(claim)
    claim.hours_amount, claim.actions_amount, claim.total = (
        amounts.hours_amount,
        amounts.actions_amount,
        amounts.total,
    )


@transaction.atomic
def create_claim(project: Project, *, acting_user: User, period_start: date, period_end: date) -> Claim:
    """A claim of the project over a period within its campaign: the approved hours of the period
    are locked into it, at the campaign's rates, with the co-financing of the actions starting in
    the period (claims_amounts). Refused when the campaign's rates are not set, when the period
    meets another claim in force, when hours of the period still wait (draft or submitted: they
    could never be claimed afterwards), and when the period holds nothing to claim."""
    locked = Project.objects.select_for_update().select_related("campaign").get(pk=project.pk)
    if not policy.can_create_claims(acting_user, locked):
        raise ValidationError(
            _("Seule la coordination de la Mission locale porteuse fait ses demandes."), code="forbidden"
        )
    campaign = locked.campaign
    if period_end < period_start:
        raise ValidationError({"period_end": _("La fin de la période précède son début.")})
    if period_start < campaign.starts_on or period_end > campaign.ends_on:
        raise ValidationError(
            _("La période est à l'intérieur de la campagne (du %(start)s au %(end)s).")
            % {"start": _french_day(campaign.starts_on), "end": _french_day(campaign.ends_on)}
        )
    if campaign.engineering_rate is None or campaign.coordination_rate is None:
        raise ValidationError(_("Le financeur n'a pas encore fixé les taux horaires de la campagne."), code="no_rates")
    other = (
        locked.claims.exclude(status=ClaimStatus.CANCELLED)
        .filter(period_start__lte=period_end, period_end__gte=period_start)
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("La période rencontre celle d'une autre demande (du %(start)s au %(end)s).")
            % {"start": _french_day(other.period_start), "end": _french_day(other.period_end)}
        )
    in_period = TimeEntry.objects.select_for_update().filter(
        project=locked, day__gte=period_start, day__lte=period_end
    )
    waiting = in_period.filter(status__in=[TimeStatus.DRAFT, TimeStatus.SUBMITTED]).count()
    if waiting:
        raise ValidationError(
            ngettext(
                "%(count)d saisie d'heures de la période n'est pas encore validée : faites-la valider ou "
                "retirer avant la demande.",
                "%(count)d saisies d'heures de la période ne sont pas encore validées : faites-les valider ou "
                "retirer avant la demande.",
                waiting,
            )
            % {"count": waiting},
            code="waiting",
        )
    approved = list(in_period.filter(status=TimeStatus.APPROVED).select_related("person"))
    actions = list(claim_actions(locked, period_start, period_end))
    if not approved and not actions:
        raise ValidationError(
            _("Rien à demander sur cette période : aucune heure validée ni aucune action de mobilisation."),
            code="empty",
        )
    amounts = amounts_of(locked, approved, actions)
    claim = Claim.objects.create(
        project=locked,
        period_start=period_start,
        period_end=period_end,
        created_by=acting_user,
        hours_amount=amounts.hours_amount,
        actions_amount=amounts.actions_amount,
        total=amounts.total,
    )
    TimeEntry.objects.filter(pk__in=[e.pk for e in approved]).update(
        status=TimeStatus.CLAIMED, claim=claim, updated_at=timezone.now()
    )
    audit.record_write(
        claim,
        acting_user=acting_user,
        action=WriteAction.CREATE,
        after=_claim_snapshot(claim) | {"entries": sorted(e.pk for e in approved)},
    )
    return claim


def _locked_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("project__campaign").get(pk=claim.pk)


@transaction.atomic
def send_claim(claim: Claim, *, acting_user: User) -> Claim:
    """Send a claim in preparation to the campaign's funder, who can read it from then on."""
    locked = _locked_claim(claim)
    if not policy.can_create_claims(acting_user, locked.project):
        raise ValidationError(_("Seule la coordination de la Mission locale porteuse envoie ses demandes."))
    if locked.status != ClaimStatus.DRAFT:
        raise ValidationError(_("Cette demande a déjà été envoyée ou annulée."), code="done")
    before = _claim_snapshot(locked)
    locked.status, locked.sent_at, locked.version = ClaimStatus.SENT, timezone.now(), locked.version + 1
    locked.save(update_fields=["status", "sent_at", "version"])
    audit.record_write(locked, acting_user=acting_user, before=before, after=_claim_snapshot(locked))
    return locked


def _unlock_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValidationError(
            {"reason": _("Dites pourquoi ces heures sont déverrouillées (le motif reste à l'historique).")}
        )
    return reason[:300]


@transaction.atomic
def unlock_entry(entry: TimeEntry, *, acting_user: User, reason: str) -> Claim:
    """Take claimed hours out of their claim, back to their author as a draft, with a reason kept
    in the history of both; the claim's amounts are computed again. The hours can then be
    corrected, but not claimed again in a claim whose period covers them: to claim them again,
    unlock the whole claim and make it anew."""
    locked_entry = TimeEntry.objects.select_for_update().select_related("project").get(pk=entry.pk)
    if not policy.can_unlock_hours(acting_user, locked_entry.project):
        raise ValidationError(_("Seule la coordination de la Mission locale porteuse déverrouille des heures."))
    reason = _unlock_reason(reason)
    if locked_entry.status != TimeStatus.CLAIMED or locked_entry.claim_id is None:
        raise ValidationError(_("Ces heures ne sont pas verrouillées dans une demande."), code="not_claimed")
    claim = _locked_claim(Claim(pk=locked_entry.claim_id))
    before = _claim_snapshot(claim)
    _move([locked_entry], acting_user=acting_user, status=TimeStatus.DRAFT, reason=reason, claim=None)
    _store_amounts(claim)
    claim.version += 1
    claim.save(update_fields=["hours_amount", "actions_amount", "total", "version"])
    audit.record_write(
        claim,
        acting_user=acting_user,
        before=before,
        after=_claim_snapshot(claim) | {"unlocked_entry": locked_entry.pk, "reason": reason},
    )
    return claim


@transaction.atomic
def unlock_claim(claim: Claim, *, acting_user: User, reason: str) -> Claim:
    """Cancel a claim: every hour it held goes back to its author as a draft, the claim keeps its
    period for the record but claims nothing any more, and the reason stays in the history."""
    locked = _locked_claim(claim)
    if not policy.can_unlock_hours(acting_user, locked.project):
        raise ValidationError(_("Seule la coordination de la Mission locale porteuse déverrouille une demande."))
    reason = _unlock_reason(reason)
    if locked.status == ClaimStatus.CANCELLED:
        raise ValidationError(_("Cette demande est déjà annulée."), code="done")
    before = _claim_snapshot(locked)
    entries = list(locked.entries.select_for_update())
    _move(entries, acting_user=acting_user, status=TimeStatus.DRAFT, reason=reason, claim=None)
    locked.status, locked.version = ClaimStatus.CANCELLED, locked.version + 1
    locked.hours_amount = locked.actions_amount = locked.total = Decimal(0)
    locked.save(update_fields=["status", "version", "hours_amount", "actions_amount", "total"])
    audit.record_write(
        locked,
        acting_user=acting_user,
        before=before | {"entries": sorted(e.pk for e in entries)},
        after=_claim_snapshot(locked) | {"reason": reason},
    )
    return locked
