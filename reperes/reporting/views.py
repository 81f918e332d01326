"""The bilans' pages (thin: they ask the policy, build the bilan, render). No page names a young
person, shows a youth-level figure or links to a file: counts, protected by disclosure control
for everyone but the carrier's coordinator on their own project's page (ADR 008, ADR 009)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.exports.jobs import Export
from reperes.exports.services import start_export
from reperes.network.models import Organisation, User
from reperes.privacy import policy
from reperes.programme.models import Campaign, Project
from reperes.reporting import exports
from reperes.reporting.bilan import Bilan, campaign_bilan, funder_bilan, project_bilan
from reperes.reporting.enums import AssessmentCategory, AssessmentKind
from reperes.reporting.forms import AssessmentForm
from reperes.reporting.models import ProjectAssessment
from reperes.reporting.selectors import assessments_shown, reference_date
from reperes.reporting.services import save_assessment
from reperes.typing import HtmxHttpRequest

FORMATS: dict[str, Export] = {"xlsx": exports.bilan_xlsx, "csv": exports.bilan_csv}


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def _campaign(user: User, campaign_id: int) -> Campaign:
    return get_object_or_404(policy.bilan_campaigns_visible_to(user).select_related("funder"), pk=campaign_id)


def _project(user: User, project_id: int) -> Project:
    return get_object_or_404(
        policy.bilan_projects_visible_to(user).select_related("campaign__funder", "carrier"), pk=project_id
    )


def _funder(request: HtmxHttpRequest, user: User) -> Organisation:
    """The user's funder, or for administrators the one chosen (?financeur=<id>, the first by default)."""
    funders = policy.bilan_funders_visible_to(user).order_by("name", "pk")
    chosen = request.GET.get("financeur", "")
    funder = funders.filter(pk=int(chosen)).first() if chosen.isdigit() else funders.first()
    if funder is None:
        raise Http404
    return funder


def _render(request: HtmxHttpRequest, bilan: Bilan, **context: Any) -> HttpResponse:
    return render(request, "reporting/bilan.html", {"bilan": bilan, **context})


@require_safe
def index(request: HtmxHttpRequest) -> HttpResponse:
    """The campaigns whose bilan the user reads, newest first, each with the projects the user
    reads in it; the bilan across campaigns for a funder."""
    user = _user(request)
    if not policy.can_read_bilans(user):
        raise Http404
    campaigns = list(policy.bilan_campaigns_visible_to(user).select_related("funder").order_by("-starts_on", "-pk"))
    projects = policy.bilan_projects_visible_to(user).filter(campaign__in=campaigns).select_related("carrier")
    by_campaign: dict[int, list[Project]] = {campaign.pk: [] for campaign in campaigns}
    for project in projects.order_by("name", "pk"):
        by_campaign[project.campaign_id].append(project)
    rows = [
        {
            "campaign": campaign,
            "status": campaign.status(),
            "reference_date": reference_date(campaign),
            "projects": by_campaign[campaign.pk],
        }
        for campaign in campaigns
    ]
    funders = list(policy.bilan_funders_visible_to(user).order_by("name", "pk"))
    return render(request, "reporting/index.html", {"rows": rows, "funders": funders})


@require_safe
def campaign(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's bilan, protected for every reader."""
    user = _user(request)
    found = _campaign(user, campaign_id)
    bilan = campaign_bilan(found)
    return _render(
        request,
        bilan,
        assessments=assessments_shown(None, found, user=user),
        export_url=reverse("reporting:campaign_export", args=[found.pk]),
        pdf_url=reverse("reporting:campaign_pdf", args=[found.pk]),
        projects=list(policy.bilan_projects_visible_to(user).filter(campaign=found).order_by("name", "pk")),
    )


@require_safe
def project(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """A project's bilan: exact for the carrier's coordinator (who may still preview the protected
    version the funder reads, `?version=protegee`), protected for everyone else."""
    user = _user(request)
    found = _project(user, project_id)
    may_see_exact = policy.can_view_exact_figures(user, found)
    exact = may_see_exact and request.GET.get("version") != "protegee"
    bilan = project_bilan(found, exact=exact)
    return _render(
        request,
        bilan,
        assessments=assessments_shown(found, None, user=user),
        may_see_exact=may_see_exact,
        can_write_assessment=policy.can_write_assessment(user, found),
        export_url=reverse("reporting:project_export", args=[found.pk]),
        pdf_url=reverse("reporting:project_pdf", args=[found.pk]),
    )


@require_safe
def funder(request: HtmxHttpRequest) -> HttpResponse:
    """The bilan across the funder's campaigns: each campaign's published figures side by side."""
    user = _user(request)
    chosen = _funder(request, user)
    campaigns = list(policy.bilan_campaigns_visible_to(user).filter(funder=chosen).order_by("starts_on", "pk"))
    bilan = funder_bilan(chosen, campaigns)
    query = f"?financeur={chosen.pk}"
    return _render(
        request,
        bilan,
        funder=chosen,
        funders=list(policy.bilan_funders_visible_to(user).order_by("name", "pk")),
        export_url=reverse("reporting:funder_export") + query,
        pdf_url=reverse("reporting:funder_pdf") + query,
    )


# --- Exports ------------------------------------------------------------------------------------


def _download(request: HtmxHttpRequest, parameters: dict[str, Any]) -> HttpResponse:
    """The protected bilan as a CSV (by default) or XLSX file (`?format=xlsx`), made in the request."""
    export = FORMATS.get(request.GET.get("format", "csv"))
    if export is None:
        raise Http404
    made = export.run(parameters, user=_user(request))
    response = HttpResponse(made.content, content_type=made.content_type)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, made.name)
    return response


def _start_pdf(request: HtmxHttpRequest, parameters: dict[str, Any]) -> HttpResponse:
    job = start_export(exports.bilan_pdf, parameters=parameters, acting_user=_user(request))
    messages.success(request, _("Le bilan en PDF est en préparation : il sera prêt dans quelques instants."))
    return redirect("exports:job_detail", job_id=job.pk)


@require_safe
def campaign_export(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    return _download(request, {"scope": "campaign", "id": _campaign(_user(request), campaign_id).pk})


@require_POST
def campaign_pdf(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    return _start_pdf(request, {"scope": "campaign", "id": _campaign(_user(request), campaign_id).pk})


@require_safe
def project_export(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    return _download(request, {"scope": "project", "id": _project(_user(request), project_id).pk})


@require_POST
def project_pdf(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    return _start_pdf(request, {"scope": "project", "id": _project(_user(request), project_id).pk})


@require_safe
def funder_export(request: HtmxHttpRequest) -> HttpResponse:
    return _download(request, {"scope": "funder", "id": _funder(request, _user(request)).pk})


@require_POST
def funder_pdf(request: HtmxHttpRequest) -> HttpResponse:
    return _start_pdf(request, {"scope": "funder", "id": _funder(request, _user(request)).pk})


# --- The qualitative part -----------------------------------------------------------------------


def assessment(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """The coordinator writes one strength or difficulty of the project's partnership; the form
    opens on the entry chosen (`?theme=…&nature=…`). A save from a form opened before someone else's
    save is refused."""
    user = _user(request)
    found = _project(user, project_id)
    if not policy.can_write_assessment(user, found):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    category = source.get("category") or source.get("theme") or AssessmentCategory.ARTICULATION
    kind = source.get("kind") or source.get("nature") or AssessmentKind.STRENGTH
    existing = ProjectAssessment.objects.filter(project=found, category=category, kind=kind).first()
    initial = {
        "category": category,
        "kind": kind,
        "text": existing.text if existing else "",
        "version": existing.updated_at.isoformat() if existing else "",
    }
    form = AssessmentForm(request.POST or None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_assessment(
                found,
                category=data["category"],
                kind=data["kind"],
                text=data["text"],
                version=data["version"] or None,
                acting_user=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            conflict = getattr(error, "code", None) == "concurrent_edit"
        else:
            messages.success(request, _("Bilan qualitatif enregistré."))
            return redirect(reverse("reporting:project", args=[found.pk]) + "#qualitatif")
    context = {
        "project": found,
        "form": form,
        "conflict": conflict,
        "assessments": assessments_shown(found, None, user=user),
    }
    return render(request, "reporting/assessment_form.html", context)
