import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_static.models import StaticDevice

from reperes.csv_export import csv_response
from reperes.network import second_factor
from reperes.network.enums import OrganisationKind
from reperes.network.forms import (
    CoverageForm,
    DirectoryImportForm,
    DirectorySearchForm,
    EmailAuthenticationForm,
    FundingSchemeSearchForm,
    MemberAddForm,
    MemberDeactivateForm,
    MemberSecondFactorResetForm,
    OrganisationForm,
    SecondFactorCodeForm,
    ServiceForm,
)
from reperes.network.interop import InvalidDocument, export_directory, import_directory, read_upload
from reperes.network.models import FundingScheme, Membership, Organisation, Service, User
from reperes.network.selectors import (
    Coverage,
    coverage_of,
    partner_profile,
    search_funding_schemes,
    search_services,
)
from reperes.network.services import (
    Invitation,
    access_history,
    add_member,
    create_service,
    deactivate_member,
    describe_access_changes,
    update_organisation,
    update_service,
)
from reperes.privacy import policy
from reperes.privacy.throttle import allow_second_factor, forget_second_factor_failures
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 20


class LoginView(auth_views.LoginView):
    """Django's login page by e-mail; a throttled attempt gets the same page with status 429."""

    authentication_form = EmailAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = 429
        return response


@login_not_required
def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Stands in for the admin site's own login page, which checks passwords without the login
    throttle: the admin is reached only through the main login page, whatever the method."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    return redirect_to_login(next_url, reverse("login"))


@require_safe
def directory(request: HtmxHttpRequest) -> HttpResponse:
    if not policy.organisations_visible_to(request.user).exists():
        raise Http404
    form = DirectorySearchForm(request.GET or None)
    page = None
    if form.is_valid() and any(form.cleaned_data.values()):
        services = search_services(
            text=form.cleaned_data["q"],
            theme=form.cleaned_data["theme"],
            commune=form.cleaned_data["commune"],
            kind=form.cleaned_data["kind"],
            public=form.cleaned_data["public"],
        )
        page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "network/partials/directory_results.html" if request.htmx else "network/directory.html"
    return render(request, template, context)


@require_safe
def organisation_detail(request: HtmxHttpRequest, organisation_id: int) -> HttpResponse:
    get_object_or_404(policy.organisations_visible_to(request.user), pk=organisation_id)
    organisation = partner_profile(organisation_id)
    context = {
        "organisation": organisation,
        "can_edit": policy.can_edit_organisation(request.user, organisation),
        "can_manage_members": policy.can_manage_members(request.user, organisation),
        "changes": organisation.changes.select_related("user", "service")[:10],
    }
    return render(request, "network/organisation_detail.html", context)


@require_safe
def service_detail(request: HtmxHttpRequest, service_id: int) -> HttpResponse:
    visible = Service.objects.active().filter(organisation__in=policy.organisations_visible_to(request.user))
    service = get_object_or_404(
        visible.select_related("organisation", "commune").prefetch_related("themes", "publics", "types", "communes"),
        pk=service_id,
    )
    context = {
        "service": service,
        "can_edit": policy.can_edit_organisation(request.user, service.organisation),
        "can_refer": policy.can_refer_to_services(request.user) and service.organisation.is_partner,
    }
    return render(request, "network/service_detail.html", context)


@require_safe
def coverage(request: HtmxHttpRequest) -> HttpResponse:
    # « Mission locale d'Alsace du Nord » before « Mission locale Thur-Doller », whatever the case.
    missions = policy.missions_locales_for_coverage(request.user).order_by(Lower("name"), "pk")
    if not missions.exists():
        raise Http404
    form = CoverageForm(request.GET or None, missions=missions)  # the selector names the territory shown
    mission = form.mission
    assert mission.territory is not None  # the policy keeps only those with a territory
    result = coverage_of(mission.territory)
    if request.GET.get("format") == "csv":
        return _coverage_csv(mission, result)  # every commune, whatever the filter
    filters = form.filters()
    context = {
        "form": form,
        "mission": mission,
        "coverage": result,
        "summary": result.summary,
        "groups": result.by_epci(**filters),
        "filtered": any(filters.values()),
        "gaps_only": filters["gaps_only"],
        "several": missions.count() > 1,
    }
    return render(request, "network/coverage.html", context)


def _coverage_csv(mission: Organisation, result: Coverage) -> HttpResponse:
    header = [_("code INSEE"), _("commune"), _("EPCI"), _("population"), _("classe"), _("partenaires de repérage")]
    rows = (
        [
            row.commune.code,
            row.commune.name,
            row.commune.epci.name if row.commune.epci else "",
            row.commune.population,
            row.commune.get_area_class_display(),
            len(row.identifiers),
        ]
        + row.counts
        for row in result.rows
    )
    return csv_response(f"couverture-{mission.pk}.csv", header + [t.label for t in result.themes], rows)


@require_safe
def funding_schemes(request: HtmxHttpRequest) -> HttpResponse:
    if not policy.organisations_visible_to(request.user).exists():
        raise Http404
    form = FundingSchemeSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    schemes = search_funding_schemes(
        audience=filters.get("audience", ""),
        age=filters.get("age"),
        situations=filters.get("situations", []),
        text=filters.get("q", ""),
    )
    context = {"form": form, "schemes": schemes, "filtered": bool(filters and any(filters.values()))}
    template = "network/partials/funding_scheme_results.html" if request.htmx else "network/funding_schemes.html"
    return render(request, template, context)


@require_safe
def funding_scheme_detail(request: HtmxHttpRequest, scheme_id: int) -> HttpResponse:
    if not policy.organisations_visible_to(request.user).exists():
        raise Http404
    scheme = get_object_or_404(FundingScheme.objects.active(), pk=scheme_id)
    return render(request, "network/funding_scheme_detail.html", {"scheme": scheme})


def _editable_organisation(request: HtmxHttpRequest, organisation_id: int) -> Organisation:
    return get_object_or_404(policy.organisations_editable_by(request.user), pk=organisation_id)


def organisation_edit(request: HtmxHttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _editable_organisation(request, organisation_id)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        initial=OrganisationForm.initial_for(organisation),
        mission_locale=organisation.kind == OrganisationKind.MISSION_LOCALE,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            update_organisation(
                organisation,
                acting_user=request.user,  # type: ignore[arg-type]
                version=data.pop("version"),
                themes=form.theme_terms(),
                served_communes=data.pop("served"),
                **form.organisation_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Fiche de la structure enregistrée."))
            return redirect("network:organisation_detail", organisation_id=organisation.pk)
    return render(request, "network/organisation_form.html", {"form": form, "organisation": organisation})


def service_edit(request: HtmxHttpRequest, organisation_id: int, service_id: int | None = None) -> HttpResponse:
    organisation = _editable_organisation(request, organisation_id)
    service = get_object_or_404(organisation.services, pk=service_id) if service_id else None
    initial = ServiceForm.initial_for(service) if service else {"is_active": True}
    form = ServiceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        terms = form.vocabulary_terms()
        themes, publics, types = terms["themes"], terms["publics"], terms["types"]
        try:
            if service is None:
                service = create_service(
                    organisation,
                    acting_user=request.user,  # type: ignore[arg-type]
                    themes=themes,
                    publics=publics,
                    types=types,
                    **form.plain_fields(),
                )
            else:
                update_service(
                    service,
                    acting_user=request.user,  # type: ignore[arg-type]
                    version=form.cleaned_data["version"],
                    themes=themes,
                    publics=publics,
                    types=types,
                    **form.plain_fields(),
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Service enregistré."))
            return redirect("network:service_detail", service_id=service.pk)
    context = {"form": form, "organisation": organisation, "service": service}
    return render(request, "network/service_form.html", context)


@require_safe
def directory_export(request: HtmxHttpRequest) -> HttpResponse:
    if not policy.organisations_visible_to(request.user).exists():
        raise Http404
    document = export_directory()
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="annuaire-data-inclusion.json"'
    return response


def directory_import(request: HtmxHttpRequest) -> HttpResponse:
    """Check a data·inclusion file (dry run) or import it; all or nothing either way."""
    if not policy.can_import_directory(request.user):
        raise Http404
    form = DirectoryImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    report, refused = None, None
    if request.method == "POST" and form.is_valid():
        dry_run = "import" not in request.POST
        try:
            report = import_directory(
                read_upload(form.cleaned_data["file"]),
                acting_user=request.user,  # type: ignore[arg-type]
                dry_run=dry_run,
            )
        except InvalidDocument as error:
            refused = error.report
    context = {"form": form, "report": report, "refused": refused}
    template = "network/partials/import_report.html" if request.htmx else "network/directory_import.html"
    return render(request, template, context)


# --- Members and access (ADR 007) ---------------------------------------------------------------


def _managed_organisations(request: HtmxHttpRequest) -> QuerySet[Organisation]:
    organisations = policy.organisations_managed_by(request.user).order_by("kind", Lower("name"))
    if not organisations.exists():
        raise Http404
    return organisations


def _selected(organisations: QuerySet[Organisation], request: HtmxHttpRequest) -> Organisation:
    """The organisation named by ?structure= among those managed, else the Mission locale."""
    chosen = request.GET.get("structure", "")
    found = organisations.filter(pk=chosen).first() if chosen.isdigit() else None
    mission = policy.coordinated_mission(request.user)
    assert mission is not None  # only a coordinator manages organisations
    return found or mission


def _members_url(organisation: Organisation) -> str:
    return f"{reverse('network:members')}?{urlencode({'structure': organisation.pk})}"


@require_safe
def members(request: HtmxHttpRequest) -> HttpResponse:
    """A coordinator's list of the members of an organisation they manage, to add and remove."""
    organisations = _managed_organisations(request)
    organisation = _selected(organisations, request)
    memberships = organisation.memberships.select_related("user").order_by(
        "-is_active", "user__last_name", "user__first_name"
    )
    context = {
        "organisations": organisations,
        "organisation": organisation,
        "active": [m for m in memberships if m.is_active],
        "former": [m for m in memberships if not m.is_active],
        "resettable": policy.second_factor_resettable(request.user, memberships),
        "can_view_access": policy.can_view_access_overview(request.user),
    }
    return render(request, "network/members.html", context)


def member_add(request: HtmxHttpRequest) -> HttpResponse:
    organisations = _managed_organisations(request)
    initial = {"organisation": _selected(organisations, request)}
    form = MemberAddForm(
        request.POST if request.method == "POST" else None, organisations=organisations, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = add_member(
                data["organisation"],
                acting_user=request.user,  # type: ignore[arg-type]
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                invitation=Invitation(domain=request.get_host(), use_https=request.is_secure()),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s a maintenant le rôle %(role)s (%(org)s). Un e-mail l'invite à choisir son mot de passe.")
                % {
                    "person": membership.user,
                    "role": membership.get_role_display(),
                    "org": membership.organisation.name,
                },
            )
            return redirect(_members_url(membership.organisation))
    return render(request, "network/member_form.html", {"form": form, "organisation": initial["organisation"]})


@require_POST
def member_deactivate(request: HtmxHttpRequest) -> HttpResponse:
    organisations = _managed_organisations(request)
    form = MemberDeactivateForm(
        request.POST, memberships=policy.managed_memberships(request.user).filter(is_active=True)
    )
    if not form.is_valid():
        messages.error(request, str(form.errors["membership"][0]))
        return redirect(_members_url(_selected(organisations, request)))
    membership = form.cleaned_data["membership"]
    try:
        deactivate_member(membership, acting_user=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(person)s n'a plus accès à Repères au titre de sa structure (%(org)s).")
            % {"person": membership.user, "org": membership.organisation.name},
        )
    return redirect(_members_url(membership.organisation))


@require_safe
def access_overview(request: HtmxHttpRequest) -> HttpResponse:
    """« Qui a accès à nos dossiers » : the Mission locale's members, the partners that read some
    of its files and their members, and the history of who granted or removed which access."""
    if not policy.can_view_access_overview(request.user):
        raise Http404
    mission = policy.coordinated_mission(request.user)
    assert mission is not None
    partners = list(
        policy.partners_reading_files_of(mission).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True, user__is_active=True)
                .select_related("user")
                .order_by("user__last_name", "user__first_name"),
                to_attr="active_members",
            )
        )
    )
    staff = (
        mission.memberships.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )
    page = Paginator(access_history([mission, *partners]), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "mission": mission,
        "staff": staff,
        "partners": partners,
        "page": page,
        "changes": describe_access_changes(page.object_list),
        "can_manage": policy.can_manage_members(request.user, mission),
    }
    return render(request, "network/access_overview.html", context)


# --- The second factor (ADR 012) -----------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is checked: the page first asked for, on this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("web:home")


def _verified(request: HttpRequest, device: object) -> None:
    """The session holds the device that checked the code; its key changes (as at login)."""
    forget_second_factor_failures(request.user.pk)  # type: ignore[arg-type]
    django_otp.login(request, device)
    request.session.cycle_key()


def _throttled(form: SecondFactorCodeForm) -> None:
    form.add_error(
        None,
        ValidationError(
            _("Trop de codes incorrects pour ce compte. Réessayez dans 15 minutes, ou utilisez un code de secours."),
            code="throttled",
        ),
    )


def _answer(
    request: HttpRequest, template: str, context: dict[str, object], form: SecondFactorCodeForm
) -> HttpResponse:
    status = 429 if form.has_error(NON_FIELD_ERRORS, code="throttled") else 200
    return render(request, template, context, status=status)


def second_factor_setup(request: HtmxHttpRequest) -> HttpResponse:
    """Sets up the authentication application: first login of an account that must use one, or a
    new phone once verified. Never for a session that has not passed the account's current second
    factor (the password alone would let someone enrol their own phone)."""
    user = request.user
    assert isinstance(user, User)
    current = second_factor.confirmed_app(user)
    if current is not None and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{reverse('second_factor_verify')}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}")
    device = second_factor.pending_app(user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not allow_second_factor(user.pk):
            _throttled(form)
        elif (codes := second_factor.activate(user, device, form.cleaned_data["code"])) is None:
            form.add_error(
                "code", _("Ce code ne correspond pas. Saisissez le code affiché maintenant par l'application.")
            )
        else:
            _verified(request, device)
            context = {"codes": codes, "next": _next_url(request), "activated": current is None}
            return render(request, "registration/second_factor_codes.html", context)
    context = {
        "form": form,
        "qr_code": second_factor.qr_code_svg(device),
        "key": second_factor.display_key(device),
        "replacing": current is not None,
        "next": _next_url(request),
    }
    return _answer(request, "registration/second_factor_setup.html", context, form)


def second_factor_verify(request: HtmxHttpRequest) -> HttpResponse:
    """The code asked after the password, once per session."""
    user = request.user
    assert isinstance(user, User)
    next_url = _next_url(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if not second_factor.has_factor(user):
        return redirect(f"{reverse('second_factor_setup')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
    form = SecondFactorCodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        if not allow_second_factor(user.pk):
            _throttled(form)
        elif (device := second_factor.verify(user, form.cleaned_data["code"])) is None:
            form.add_error(
                "code", _("Code incorrect ou expiré. Saisissez le code affiché maintenant par l'application.")
            )
        else:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = second_factor.remaining_codes(user)
                messages.warning(
                    request,
                    _(
                        "Vous vous êtes connecté·e avec un code de secours : il vous en reste %(left)s. "
                        "Configurez une nouvelle application depuis « Sécurité du compte » "
                        "si vous avez perdu votre téléphone."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    demo_code = None
    app = second_factor.confirmed_app(user)
    if (
        getattr(settings, "REPERES_SECOND_FACTOR_DEMO_HINT", False)
        and app
        and app.name == second_factor.DEMO_DEVICE_NAME
    ):
        demo_code = second_factor.current_code(app)
    context = {"form": form, "next": next_url, "demo_code": demo_code}
    return _answer(request, "registration/second_factor_verify.html", context, form)


@require_safe
def second_factor_overview(request: HtmxHttpRequest) -> HttpResponse:
    """« Sécurité du compte »: the second factor's state, its recovery codes left, and what to do."""
    user = request.user
    assert isinstance(user, User)
    context = {
        "app": second_factor.confirmed_app(user),
        "codes_left": second_factor.remaining_codes(user),
        "required": policy.must_use_second_factor(user),
        "verified": user.is_verified(),  # type: ignore[attr-defined]
    }
    return render(request, "registration/second_factor.html", context)


@require_POST
def second_factor_new_codes(request: HtmxHttpRequest) -> HttpResponse:
    """A new set of recovery codes for a session that passed the second factor."""
    user = request.user
    assert isinstance(user, User)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("second_factor")
    codes = second_factor.renew_codes(user)
    return render(request, "registration/second_factor_codes.html", {"codes": codes, "next": reverse("second_factor")})


@require_POST
def member_second_factor_reset(request: HtmxHttpRequest) -> HttpResponse:
    """A coordinator resets a member's second factor (a lost phone); the history says who did."""
    organisations = _managed_organisations(request)
    memberships = policy.managed_memberships(request.user).filter(is_active=True).exclude(user=request.user.pk)
    form = MemberSecondFactorResetForm(request.POST, memberships=memberships)
    if not form.is_valid():
        messages.error(request, str(form.errors["membership"][0]))
        return redirect(_members_url(_selected(organisations, request)))
    membership = form.cleaned_data["membership"]
    if not policy.can_reset_second_factor(request.user, membership):
        raise Http404
    second_factor.reset(membership.user, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _(
            "Le second facteur de %(person)s est réinitialisé : à sa prochaine connexion, "
            "cette personne configurera une nouvelle application."
        )
        % {"person": membership.user},
    )
    return redirect(_members_url(membership.organisation))
