from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reperes.network.enums import Role
from reperes.network.models import User
from reperes.web.selectors import home_context

HOME_TEMPLATES: dict[str, str] = {
    Role.COUNSELLOR: "web/home_counsellor.html",
    Role.COORDINATOR: "web/home_coordinator.html",
    Role.PARTNER_WORKER: "web/home_partner.html",
    Role.FUNDER_OFFICER: "web/home_funder.html",
    Role.ADMIN: "web/home_admin.html",
}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware
    template = HOME_TEMPLATES.get(user.role or "", "web/home_no_membership.html")
    return render(request, template, home_context(user))


@login_not_required
@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "web/legal_notice.html")


@login_not_required
@require_safe
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "web/personal_data.html")


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")
