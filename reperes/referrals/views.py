"""Views of the app (thin: they ask the policy, call one service, render)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from reperes.actions import act
from reperes.network.enums import Role
from reperes.network.models import Organisation, Service, User
from reperes.privacy import audit, policy
from reperes.referrals.enums import ANSWERS, ReferralStatus
from reperes.referrals.forms import AnswerForm, ReferralForm, StatusFilterForm, WithdrawForm, YouthSearchForm
from reperes.referrals.models import Referral
from reperes.referrals.selectors import inbox as inbox_of
from reperes.referrals.selectors import label_partners
from reperes.referrals.services import answer_referral, send_referral, withdraw_referral
from reperes.registry.models import Youth
from reperes.registry.selectors import caseload
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 20
# The youths a search from a service page shows at most.
SEARCH_LIMIT = 20


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def _preselected_service(request: HtmxHttpRequest) -> Service | None:
    raw = request.POST.get("service") or request.GET.get("service")
    if not raw or not str(raw).isdigit():
        return None
    return Service.objects.active().select_related("organisation").filter(pk=int(raw)).first()


def referral_create(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    """Refer a youth held by the user's Mission locale to a partner (and one of its services)."""
    user = _user(request)
    youth = get_object_or_404(policy.youths_visible_to(user).select_related("commune"), pk=youth_id)
    if not policy.can_refer(user, youth):
        raise Http404
    partners = policy.referral_partners(user, youth)
    preselected = _preselected_service(request)
    if preselected is not None and not partners.filter(pk=preselected.organisation_id).exists():
        preselected = None
    serving = partners.filter(serves_commune=True).values("pk")  # type: ignore[misc]  # an annotation
    services = Service.objects.active().select_related("organisation").filter(organisation__in=serving)
    if preselected is not None:
        services = services | Service.objects.filter(pk=preselected.pk)
    services = services.order_by("organisation__name", "name")
    consent = youth.consents.filter(withdrawn_at=None).prefetch_related("share_with").first()
    named_partners: list[Organisation] = list(consent.share_with.all()) if consent else []
    named = {o.pk for o in named_partners}
    can_override = policy.can_override_consent(user, youth)
    initial = {"service": preselected.pk, "to_organisation": preselected.organisation_id} if preselected else {}
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        partners=partners,
        services=services,
        shareable=policy.shareable_sections(user, youth),
        named=named,
        can_override=can_override,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            referral = send_referral(
                youth,
                acting_user=user,
                to_organisation=data["to_organisation"],
                service=data.get("service"),
                reason=data["reason"],
                shared_sections=data.get("shared_sections") or [],
                consent_override_reason=data.get("consent_override_reason") or "",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Orientation envoyée. Le partenaire a 8 jours pour y répondre."))
            return redirect("referrals:detail", referral_id=referral.pk)
    sections = policy.sections_visible_to(user, youth)
    target = preselected.organisation if preselected else None
    audit.record_read(
        user, youth.pk, sections=policy.sections_shown(sections, organisations=named_partners), reason="orientation"
    )
    context = {
        "youth": youth,
        "form": form,
        "preselected": preselected,
        "target_named": target is not None and target.pk in named,
        "named_labels": [policy.organisation_label(o, sections) for o in named_partners],
        "can_override": can_override,
    }
    return render(request, "referrals/referral_form.html", context)


def service_refer(request: HtmxHttpRequest, service_id: int) -> HttpResponse:
    """« Orienter un·e jeune vers ce service »: Mission locale staff search their youths by name
    (in a POST body, never in the URL) and pick one; the form follows with the service chosen."""
    user = _user(request)
    if not policy.can_refer_to_services(user):
        raise Http404
    service = get_object_or_404(Service.objects.active().select_related("organisation"), pk=service_id)
    if not service.organisation.is_partner:
        raise Http404
    form = YouthSearchForm(request.POST if request.method == "POST" else None)
    youths: list[Youth] = []
    if request.method == "POST" and form.is_valid():
        youths = [y for y in caseload(user, query=form.cleaned_data["q"])[:SEARCH_LIMIT] if policy.can_refer(user, y)]
        audit.record_list(user, [y.pk for y in youths], reason="orientation-recherche")
    context = {"service": service, "form": form, "youths": youths, "searched": request.method == "POST"}
    template = "referrals/partials/service_results.html" if request.htmx else "referrals/service_refer.html"
    return render(request, template, context)


@require_safe
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    """A partner: the referrals addressed to its organisation, to answer. Mission locale staff: the
    referrals of their files, with their status."""
    user = _user(request)
    is_partner = policy.has_role(user, Role.PARTNER_WORKER)
    if not (is_partner or policy.can_follow_youths(user)) or policy.organisation_of(user) is None:
        raise Http404
    filters = StatusFilterForm(request.GET or None)
    status = filters.cleaned_data["statut"] if filters.is_valid() else ""
    page = Paginator(inbox_of(user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = list(page.object_list)
    label_partners(user, referrals)
    audit.record_list(user, sorted({r.youth_id for r in referrals}), reason="orientations")
    context = {
        "page": page,
        "referrals": referrals,
        "filters": filters,
        "status": status,
        "is_partner": is_partner,
        "query": f"statut={status}" if status else "",
    }
    return render(request, "referrals/inbox.html", context)


def _visible(user: User, referral_id: int) -> Referral:
    return get_object_or_404(
        policy.referrals_visible_to(user).select_related(
            "youth__commune", "youth__mission_locale", "to_organisation", "service", "from_user", "answered_by"
        ),
        pk=referral_id,
    )


ANSWER_LABELS: dict[str, str | Promise] = {
    ReferralStatus.RECEIVED: gettext_lazy("Bien reçue"),
    ReferralStatus.ACCEPTED: gettext_lazy("Accepter"),
    ReferralStatus.DECLINED: gettext_lazy("Refuser"),
    ReferralStatus.DONE: gettext_lazy("Marquer comme terminée"),
}


@require_safe
def referral_detail(request: HtmxHttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = _visible(user, referral_id)
    youth = referral.youth
    sections = policy.sections_visible_to(user, youth)
    label_partners(user, [referral])
    holds_file = policy.can_edit_youth(user, youth)
    can_answer = policy.can_answer_referral(user, referral)
    answers = [(status, ANSWER_LABELS[status]) for status in ANSWERS.get(referral.status, ())] if can_answer else []
    # The name, the referral (pathway), the partner (a PJJ named says « justice ») and the
    # sections it shares, named only to those who hold them.
    shown = policy.sections_shown(
        sections, organisations=[referral.to_organisation], labelled=set(referral.shared_sections)
    )
    audit.record_read(user, youth.pk, sections=shown, reason="orientation")
    context = {
        "referral": referral,
        "youth": youth,
        "events": list(referral.events.select_related("by")) if holds_file or can_answer else [],
        "holds_file": holds_file,
        "can_view_file": policy.can_view_youth(user, youth),
        "answers": answers,
        "can_withdraw": policy.can_withdraw_referral(user, referral),
        "declined": ReferralStatus.DECLINED,
    }
    return render(request, "referrals/referral_detail.html", context)


@require_POST
def referral_answer(request: HtmxHttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = _visible(user, referral_id)
    if not policy.can_answer_referral(user, referral):
        raise Http404
    form = AnswerForm(request.POST)
    back = redirect("referrals:detail", referral_id=referral.pk)
    if not form.is_valid():
        messages.error(request, _("Choisissez une réponse."))
        return back
    data = form.cleaned_data

    def then(answered: Referral) -> HttpResponse:
        # Closed, the referral and the file are no longer the partner's: back to the inbox.
        return back if answered.is_active else redirect("referrals:inbox")

    return act(
        request,
        lambda: answer_referral(
            referral, status=data["status"], reason=data["reason"], version=data["version"], acting_user=user
        ),
        done=lambda answered: (
            _("Réponse enregistrée : orientation %(status)s.") % {"status": answered.get_status_display()}
        ),
        then=then,
        refused=back,
    )


@require_POST
def referral_withdraw(request: HtmxHttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = _visible(user, referral_id)
    if not policy.can_withdraw_referral(user, referral):
        raise Http404
    form = WithdrawForm(request.POST)
    back = redirect("referrals:detail", referral_id=referral.pk)
    if not form.is_valid():
        messages.error(request, _("Rechargez la page, puis recommencez."))
        return back
    return act(
        request,
        lambda: withdraw_referral(
            referral, acting_user=user, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        ),
        done=_("Orientation retirée : le partenaire ne voit plus le dossier."),
        then=back,
        refused=back,
    )
