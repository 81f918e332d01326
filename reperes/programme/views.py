"""Views of the programme (thin: they ask the policy, call one service, render). No page names a
young person: counts only, protected for readers who never see a person (programme_figures)."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.actions import act
from reperes.network.models import Organisation, User
from reperes.privacy import policy
from reperes.programme.enums import PartnerRole
from reperes.programme.forms import PROJECT_FIELDS, BudgetForm, CampaignRulesForm, PartnerForm, ProjectForm
from reperes.programme.models import Campaign, Project
from reperes.programme.selectors import actions_of, budget_of, programme_figures
from reperes.programme.services import (
    add_partner,
    create_project,
    percent,
    remove_partner,
    set_budget_lines,
    set_campaign_rules,
    update_project,
)
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
    figures = programme_figures(campaigns, protected=not policy.can_view_personal_data(user))
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
    project = _project(user, project_id)
    can_edit = policy.can_edit_project(user, project)
    figures = programme_figures([project.campaign], protected=not policy.can_view_personal_data(user))
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
