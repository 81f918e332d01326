"""Writes of the programme: campaigns and their rules, projects, their partners and budget lines.

Each write of a project or of a campaign's rules checks the rule itself (not only the form), locks
what two people may change at once, refuses bad input with a French message and leaves a history
record (privacy.audit.record_write: who, when, before and after). Campaigns and projects hold no
personal data of young people."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reperes.network.models import Organisation, User
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction
from reperes.programme.enums import BudgetKind, PartnerRole
from reperes.programme.models import BudgetLine, Campaign, Project, ProjectPartner
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
    locked = Campaign.objects.select_for_update().select_related("rules_updated_by").get(pk=campaign.pk)
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
    elif not policy.possible_project_leads(carrier).filter(pk=lead.pk).exists():
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
        Project.objects.select_for_update()
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
