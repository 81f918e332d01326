"""Views of the programme (thin: they ask the policy, call one service, render). No page names a
young person: counts only, protected for readers who never see a person (programme_figures)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.actions import act
from reperes.exports.pdf import pdf_response
from reperes.exports.xlsx import xlsx_response
from reperes.network.models import Organisation, User
from reperes.privacy import policy
from reperes.programme.enums import PartnerRole
from reperes.programme.forms import (
    GRID_BLANK_ROWS,
    GRID_MAX_ROWS,
    PROJECT_FIELDS,
    BudgetForm,
    CampaignRulesForm,
    ClaimForm,
    PartnerForm,
    ProjectForm,
    parse_week_grid,
)
from reperes.programme.models import Campaign, Claim, ClaimStatus, Project, TimeEntry, TimeKind, TimeStatus
from reperes.programme.selectors import (
    actions_of,
    budget_of,
    claim_amounts,
    claim_tables,
    monday_of,
    week_token,
)
from reperes.programme.services import (
    add_partner,
    create_claim,
    create_project,
    percent,
    remove_partner,
    review_hours,
    save_week,
    send_claim,
    set_budget_lines,
    set_campaign_rules,
    submit_week,
    unlock_claim,
    unlock_entry,
    update_project,
)
from reperes.reporting.bilan import programme_figures as bilan_figures
from reperes.typing import HtmxHttpRequest


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def _project(user: User, project_id: int) -> Project:
    return get_object_or_404(
        policy.projects_visible_to(user).select_related("campaign__funder", "carrier__territory", "lead", "territory"),
        pk=project_id,
    )


def _editable_project(user: User, project_id: int) -> Project:
    project = _project(user, project_id)
    if not policy.can_edit_project(user, project):
        raise Http404
    return project


def _add_errors(form: Form, error: ValidationError, field_for: Any = None) -> bool:
    """The service's refusals on the form, on their fields when the form has them; whether it was
    a concurrent edit."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            field = field_for(key) if field_for else key
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    return getattr(error, "code", None) == "concurrent_edit"


@require_safe
def campaign_list(request: HtmxHttpRequest) -> HttpResponse:
    """The campaigns the user sees, each with its rules and the projects the user sees in it."""
    user = _user(request)
    if not policy.can_view_programme(user):
        raise Http404
    campaigns = list(policy.campaigns_visible_to(user).select_related("funder").order_by("-starts_on", "-pk"))
    projects = policy.projects_visible_to(user).filter(campaign__in=campaigns).select_related("carrier", "lead")
    by_campaign: dict[int, list[Project]] = {campaign.pk: [] for campaign in campaigns}
    for project in projects.order_by("name", "pk"):
        by_campaign[project.campaign_id].append(project)
    figures = bilan_figures(campaigns, exact_for=user.organisation if policy.can_view_personal_data(user) else None)
    rows = [
        {
            "campaign": campaign,
            "status": campaign.status(),
            "ceiling": percent(campaign.action_ceiling_percent),
            "can_edit_rules": policy.can_edit_campaign_rules(user, campaign),
            "totals": figures.campaigns.get(campaign.pk),
            "projects": [(project, figures.projects.get(project.pk)) for project in by_campaign[campaign.pk]],
        }
        for campaign in campaigns
    ]
    context = {
        "rows": rows,
        "note": figures.note,
        "protected": not policy.can_view_personal_data(user),
        "can_create": policy.can_create_projects(user) and policy.campaigns_open_to_projects(user).exists(),
    }
    return render(request, "programme/campaign_list.html", context)


@require_safe
def project_detail(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """A project: its carrier, lead, territory, partners and roles, objectives against the youths
    identified and mobilised so far, budget and actions."""
    user = _user(request)
    # Whether the user approves the project's hours, asked in the same query as the project.
    approvable = Exists(policy.projects_approvable_by(user).filter(pk=OuterRef("pk")))
    project = get_object_or_404(
        policy.projects_visible_to(user)
        .select_related("campaign__funder", "carrier__territory", "lead", "territory")
        .annotate(approvable=approvable),
        pk=project_id,
    )
    can_edit = policy.can_edit_project(user, project)
    figures = bilan_figures(
        [project.campaign], exact_for=user.organisation if policy.can_view_personal_data(user) else None
    )
    partners = list(project.partners.select_related("organisation").order_by("organisation__name"))
    lines = budget_of(project)
    actions = list(actions_of(project).order_by("starts_on", "pk"))
    ceiling = project.campaign.action_ceiling_percent
    context = {
        "project": project,
        "campaign": project.campaign,
        "status": project.status(),
        "figures": figures.projects[project.pk],
        "note": figures.note,
        "partners": partners,
        "lines": lines,
        "planned": sum((line.planned for line in lines), Decimal(0)),
        "requested": sum((line.requested for line in lines), Decimal(0)),
        "ceiling": percent(ceiling),
        "actions": {
            "count": len(actions),
            "cost": sum((a.cost for a in actions), Decimal(0)),
            "cofinancing": sum((a.cofinancing_requested for a in actions), Decimal(0)),
        },
        "over_ceiling": [a for a in actions if _over_ceiling(project.campaign, a.cost, a.cofinancing_requested)],
        "can_see_actions": policy.can_see_actions(user),
        "communes": list(project.territory.communes.order_by("name")) if project.territory else None,
        "carrier_communes": project.carrier.territory.communes.count() if project.carrier.territory else 0,
        "can_edit": can_edit,
        "can_review_hours": bool(project.approvable),  # type: ignore[attr-defined]  # annotated above
        "can_see_claims": policy.can_create_claims(user, project)
        or policy.claims_visible_to(user).filter(project=project).exists(),
        "partner_form": PartnerForm(partners=_partner_choices(project)) if can_edit else None,
    }
    return render(request, "programme/project_detail.html", context)


def _over_ceiling(campaign: Campaign, cost: Decimal, requested: Decimal) -> bool:
    ceiling = campaign.action_ceiling(cost)
    return ceiling is not None and requested > ceiling


def _partner_choices(project: Project) -> Any:
    taken = project.partners.values("organisation_id")
    return Organisation.objects.active().partners().exclude(pk__in=taken).order_by("name")


def project_create(request: HtmxHttpRequest) -> HttpResponse:
    """A new project, for a coordinator's own Mission locale (or any, for an administrator)."""
    user = _user(request)
    if not policy.can_create_projects(user):
        raise Http404
    carriers = policy.carriers_for(user).order_by("name")
    form = ProjectForm(
        request.POST or None,
        campaigns=policy.campaigns_open_to_projects(user).select_related("funder").order_by("-starts_on"),
        carriers=carriers,
        leads=policy.possible_project_leads(carriers),
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PROJECT_FIELDS}
        try:
            project = create_project(
                acting_user=user,
                campaign=form.cleaned_data["campaign"],
                carrier=form.cleaned_data["carrier"],
                communes=form.chosen_communes(),
                **data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Projet créé. Ajoutez ses partenaires et son budget."))
            return redirect("programme:project_detail", project_id=project.pk)
    return render(request, "programme/project_form.html", {"form": form, "project": None})


def project_edit(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """Edit a project; a save from a form opened before someone else's save is refused, naming them."""
    user = _user(request)
    project = _editable_project(user, project_id)
    form = ProjectForm(
        request.POST or None,
        initial=ProjectForm.initial_for(project),
        campaigns=None,
        carriers=None,
        leads=policy.possible_project_leads(Organisation.objects.filter(pk=project.carrier_id)),
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PROJECT_FIELDS}
        try:
            update_project(
                project,
                acting_user=user,
                version=form.cleaned_data["version"] or None,
                communes=form.chosen_communes(),
                **data,
            )
        except ValidationError as error:
            conflict = _add_errors(form, error)
        else:
            messages.success(request, _("Projet enregistré."))
            return redirect("programme:project_detail", project_id=project.pk)
    return render(request, "programme/project_form.html", {"form": form, "project": project, "conflict": conflict})


@require_POST
def partner_add(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    user = _user(request)
    project = _editable_project(user, project_id)
    back = redirect(reverse("programme:project_detail", args=[project.pk]) + "#partenaires")
    form = PartnerForm(request.POST, partners=_partner_choices(project))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    organisation, role = form.cleaned_data["organisation"], form.cleaned_data["role"]
    return act(
        request,
        lambda: add_partner(project, acting_user=user, organisation=organisation, role=role),
        done=_("%(name)s est partenaire du projet (%(role)s).")
        % {"name": organisation.name, "role": PartnerRole(role).label},
        then=back,
        refused=back,
    )


@require_POST
def partner_remove(request: HtmxHttpRequest, project_partner_id: int) -> HttpResponse:
    user = _user(request)
    partner = get_object_or_404(
        policy.project_partners_editable_by(user).select_related("organisation"), pk=project_partner_id
    )
    back = redirect(reverse("programme:project_detail", args=[partner.project_id]) + "#partenaires")
    return act(
        request,
        lambda: remove_partner(partner, acting_user=user),
        done=_("%(name)s n'est plus partenaire du projet.") % {"name": partner.organisation.name},
        then=back,
        refused=back,
    )


def budget_edit(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """The project's planned budget, line by line, within the campaign's ceilings."""
    user = _user(request)
    project = _editable_project(user, project_id)
    form = BudgetForm(request.POST or None, initial=BudgetForm.initial_for(project))
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            set_budget_lines(
                project, acting_user=user, version=form.cleaned_data["version"] or None, lines=form.lines()
            )
        except ValidationError as error:
            conflict = _add_errors(form, error, form.field_for)
        else:
            messages.success(request, _("Budget enregistré."))
            return redirect(reverse("programme:project_detail", args=[project.pk]) + "#budget")
    context = {
        "form": form,
        "project": project,
        "campaign": project.campaign,
        "ceiling": percent(project.campaign.action_ceiling_percent),
        "conflict": conflict,
    }
    return render(request, "programme/budget_form.html", context)


def campaign_rules(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's hourly rates and co-financing ceilings, set by its funder."""
    user = _user(request)
    campaign = get_object_or_404(policy.campaigns_visible_to(user).select_related("funder"), pk=campaign_id)
    if not policy.can_edit_campaign_rules(user, campaign):
        raise Http404
    form = CampaignRulesForm(request.POST or None, initial=CampaignRulesForm.initial_for(campaign))
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
        try:
            set_campaign_rules(campaign, acting_user=user, version=form.cleaned_data["version"] or None, **data)
        except ValidationError as error:
            conflict = _add_errors(form, error)
        else:
            messages.success(request, _("Règles de la campagne enregistrées."))
            return redirect(reverse("programme:campaign_list") + f"#campagne-{campaign.pk}")
    return render(request, "programme/campaign_rules.html", {"form": form, "campaign": campaign, "conflict": conflict})


# --- Timesheets and claims ----------------------------------------------------------------------

DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _monday(request: HtmxHttpRequest) -> date:
    raw = request.GET.get("semaine") or request.POST.get("semaine") or ""
    try:
        return monday_of(date.fromisoformat(raw))
    except ValueError:
        return monday_of(timezone.localdate())


def _grid(user: User, monday: date, data: Any = None, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    days = [monday + timedelta(days=offset) for offset in range(7)]
    projects = list(policy.projects_open_to_hours(user).select_related("campaign").order_by("name"))
    entries = list(TimeEntry.objects.filter(person=user).of_week(monday).select_related("project"))
    keys: list[tuple[int, str, str]] = []
    for entry in entries:
        if (key := (entry.project_id, entry.kind, entry.activity)) not in keys:
            keys.append(key)
    by_cell = {(e.project_id, e.kind, e.activity, e.day): e for e in entries}
    errors = errors or {}
    rows = []
    count = max(
        len(keys) + GRID_BLANK_ROWS, int(data.get("rows", 0)) if data and str(data.get("rows")).isdigit() else 0
    )
    for index in range(min(count, GRID_MAX_ROWS)):
        prefix = f"r{index}"
        project_id, kind, activity = keys[index] if index < len(keys) else (None, TimeKind.ENGINEERING, "")
        if data is not None:
            project_id = int(data[f"{prefix}-project"]) if str(data.get(f"{prefix}-project", "")).isdigit() else None
            kind, activity = data.get(f"{prefix}-kind", kind), data.get(f"{prefix}-activity", "")
        cells = []
        for j, day in enumerate(days):
            found = by_cell.get((project_id, kind, activity, day)) if project_id else None
            name = f"{prefix}-d{j}"
            # A posted value comes back as typed, with a point: a number field drops « 3,5 ».
            value = (
                str(data.get(name, "")).strip().replace(",", ".")
                if data is not None
                else (format(found.hours.normalize(), "f") if found else "")
            )
            cells.append(
                {
                    "name": name,
                    "day": day,
                    "value": value,
                    "locked": found is not None and found.status != TimeStatus.DRAFT,
                    "entry": found,
                    "errors": errors.get(name, []),
                }
            )
        rows.append(
            {
                "prefix": prefix,
                "project_id": project_id,
                "kind": kind,
                "activity": activity,
                "cells": cells,
                "errors": [
                    m for field in ("project", "kind", "activity") for m in errors.get(f"{prefix}-{field}", [])
                ],
            }
        )
    day_totals = [sum((e.hours for e in entries if e.day == day), Decimal(0)) for day in days]
    return {
        "monday": monday,
        "days": [{"date": day, "name": DAY_NAMES[j], "total": day_totals[j]} for j, day in enumerate(days)],
        "week_total": sum(day_totals, Decimal(0)),
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "projects": projects,
        "kinds": TimeKind.choices,
        "rows": rows,
        "row_count": len(rows),
        "version": week_token(user, monday),
        "drafts": sum(1 for e in entries if e.status == TimeStatus.DRAFT),
        "rejected": [e for e in entries if e.status == TimeStatus.DRAFT and e.rejection_reason],
        "general_errors": errors.get("__all__", []),
    }


def timesheet(request: HtmxHttpRequest) -> HttpResponse:
    """The user's own week grid: rows of project × kind × activity, a column per day."""
    user = _user(request)
    if not policy.can_enter_hours(user):
        raise Http404
    monday = _monday(request)
    if request.method == "POST":
        rows, bad_cells = parse_week_grid(request.POST)
        errors: dict[str, list[str]] = {name: [message] for name, message in bad_cells.items()}
        if not errors:
            try:
                with transaction.atomic():
                    save_week(acting_user=user, monday=monday, version=request.POST.get("version"), rows=rows)
                    if request.POST.get("submit"):
                        submit_week(acting_user=user, monday=monday)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    errors = {
                        key: [str(m) for e in found for m in e.messages] for key, found in error.error_dict.items()
                    }
                else:
                    errors = {"__all__": [str(m) for m in error.messages]}
            else:
                if request.POST.get("submit"):
                    messages.success(request, _("Semaine soumise au ou à la responsable du projet."))
                else:
                    messages.success(request, _("Heures enregistrées."))
                return redirect(reverse("programme:timesheet") + f"?semaine={monday.isoformat()}")
        context = _grid(user, monday, request.POST, errors)
        return render(request, "programme/timesheet.html", context, status=200)
    return render(request, "programme/timesheet.html", _grid(user, monday))


def time_review(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """The hours submitted to the project's lead: approve them, or send them back with a reason."""
    user = _user(request)
    project = get_object_or_404(policy.projects_approvable_by(user).select_related("campaign"), pk=project_id)
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("entries") if pk.isdigit()]
        approve = request.POST.get("decision") != "reject"
        back = redirect("programme:time_review", project_id=project.pk)
        return act(
            request,
            lambda: review_hours(
                project, acting_user=user, entry_ids=ids, approve=approve, reason=request.POST.get("reason", "")
            ),
            done=_("Heures validées.") if approve else _("Heures renvoyées à leur auteur."),
            then=back,
            refused=back,
        )
    waiting = list(
        project.time_entries.filter(status=TimeStatus.SUBMITTED).select_related("person").order_by("person", "day")
    )
    return render(request, "programme/time_review.html", {"project": project, "entries": waiting})


def claim_list(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """The project's claims; the carrier's coordinator makes a new one over a period."""
    user = _user(request)
    project = _project(user, project_id)
    can_create = policy.can_create_claims(user, project)
    form = ClaimForm(request.POST or None)
    if request.method == "POST":
        if not can_create:
            raise Http404
        if form.is_valid():
            try:
                claim = create_claim(
                    project,
                    acting_user=user,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Demande préparée : vérifiez-la, puis envoyez-la au financeur."))
                return redirect("programme:claim_detail", claim_id=claim.pk)
    claims = policy.claims_visible_to(user).filter(project=project).order_by("-period_start", "-pk")
    context = {"project": project, "claims": list(claims), "form": form if can_create else None}
    return render(request, "programme/claim_list.html", context)


def _claim(user: User, claim_id: int) -> Claim:
    return get_object_or_404(
        policy.claims_visible_to(user).select_related("project__campaign__funder", "project__carrier", "created_by"),
        pk=claim_id,
    )


def _claim_context(user: User, claim: Claim) -> dict[str, Any]:
    amounts = claim_amounts(claim)
    return {
        "claim": claim,
        "project": claim.project,
        "campaign": claim.project.campaign,
        "amounts": amounts,
        "tables": claim_tables(claim, amounts),
        "reconciles": amounts.total == claim.total,
        "can_send": policy.can_create_claims(user, claim.project) and claim.status == ClaimStatus.DRAFT,
        "can_unlock": policy.can_unlock_hours(user, claim.project) and claim.status != ClaimStatus.CANCELLED,
    }


@require_safe
def claim_detail(request: HtmxHttpRequest, claim_id: int) -> HttpResponse:
    """The financial report of a claim: hours by person and kind at the campaign's rates, the
    actions' co-financing, and the totals."""
    user = _user(request)
    return render(request, "programme/claim_detail.html", _claim_context(user, _claim(user, claim_id)))


@require_safe
def claim_xlsx(request: HtmxHttpRequest, claim_id: int) -> HttpResponse:
    user = _user(request)
    claim = _claim(user, claim_id)
    tables = claim_tables(claim, claim_amounts(claim))
    return xlsx_response(f"demande-{claim.pk}.xlsx", tables, title=_("Demande de financement"), stacked=True)


@require_safe
def claim_pdf(request: HtmxHttpRequest, claim_id: int) -> HttpResponse:
    """Rendered at once: a claim is a few pages (one line per person and kind, one per action)."""
    user = _user(request)
    context = _claim_context(user, _claim(user, claim_id))
    context["title"] = _("Demande de financement")
    return pdf_response(f"demande-{claim_id}.pdf", "programme/claim_pdf.html", context, request=request)


@require_POST
def claim_send(request: HtmxHttpRequest, claim_id: int) -> HttpResponse:
    user = _user(request)
    claim = _claim(user, claim_id)
    if not policy.can_create_claims(user, claim.project):
        raise Http404
    back = redirect("programme:claim_detail", claim_id=claim.pk)
    return act(
        request,
        lambda: send_claim(claim, acting_user=user),
        done=_("Demande envoyée au financeur."),
        then=back,
        refused=back,
    )


@require_POST
def claim_unlock(request: HtmxHttpRequest, claim_id: int) -> HttpResponse:
    """Unlock one entry of the claim (« entry » posted) or the whole claim, with a reason."""
    user = _user(request)
    claim = _claim(user, claim_id)
    if not policy.can_unlock_hours(user, claim.project):
        raise Http404
    back = redirect("programme:claim_detail", claim_id=claim.pk)
    reason = request.POST.get("reason", "")
    entry_id = request.POST.get("entry", "")
    if entry_id.isdigit():
        entry = get_object_or_404(claim.entries.all(), pk=int(entry_id))
        return act(
            request,
            lambda: unlock_entry(entry, acting_user=user, reason=reason),
            done=_("Heures déverrouillées et rendues à leur auteur."),
            then=back,
            refused=back,
        )
    return act(
        request,
        lambda: unlock_claim(claim, acting_user=user, reason=reason),
        done=_("Demande annulée : ses heures sont rendues à leurs auteurs."),
        then=back,
        refused=back,
    )
