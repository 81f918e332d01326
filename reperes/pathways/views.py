"""The pathway page of a file, its actions, the caseload and the re-approaches given to partners.

Every action re-renders the pathway page with its form bound when the input is refused, so that
nothing typed is lost; the page itself is the one read of the file it logs."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reperes.network.models import User
from reperes.pathways import selectors, services
from reperes.pathways.enums import ContactOutcome, Stage, barrier_section
from reperes.pathways.forms import (
    BarrierForm,
    ContactForm,
    ExitForm,
    FollowUpForm,
    NoteForm,
    OutcomeForm,
    ProjectForm,
    ReapproachReportForm,
    StageForm,
)
from reperes.pathways.models import Occupation
from reperes.pathways.suggestions import suggested_kinds, suggestions_for
from reperes.privacy import audit, policy
from reperes.privacy.enums import Section
from reperes.registry.enums import Barrier
from reperes.registry.models import Youth
from reperes.typing import HtmxHttpRequest

PAGE_SIZE = 25


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware
    return request.user


def _visible_youth(user: User, youth_id: int) -> Youth:
    return get_object_or_404(
        policy.youths_visible_to(user).select_related("commune", "referent", "mission_locale"), pk=youth_id
    )


def _worked_youth(user: User, youth_id: int) -> Youth:
    youth = _visible_youth(user, youth_id)
    if not policy.can_work_pathway(user, youth):
        raise Http404
    return youth


def _page(
    request: HtmxHttpRequest, youth: Youth, *, bound: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    sections = policy.sections_visible_to(user, youth)
    pathway = selectors.open_pathway(youth)
    works = policy.can_work_pathway(user, youth)
    partners = policy.reapproach_partners(user, youth) if works else None
    kinds = request.GET.getlist("type")
    entries = selectors.timeline(user, youth, kinds=[k for k in kinds if k in selectors.TIMELINE_KINDS])
    barriers = selectors.barriers_of(user, youth)
    suggested = suggestions_for(youth, suggested_kinds(barriers), user, sections=sections)
    for barrier in barriers:  # partners and schemes under each barrier shown, none for the others
        barrier.suggestions = suggested.get(barrier.kind)  # type: ignore[attr-defined]
        # « mobilité — CSAPA » would tell a colleague without the health section about an addiction.
        barrier.partner_label = (  # type: ignore[attr-defined]
            policy.organisation_label(barrier.partner, sections) if barrier.partner else ""
        )
    reported = selectors.reported_barriers(user, youth)
    settable = _barrier_choices(user, youth)
    version = pathway.version if pathway is not None else 0
    forms: dict[str, Any] = {}
    if works and partners is not None:
        forms = {
            "contact": ContactForm(partners=partners),
            "stage": StageForm(
                initial={"version": version, "stage": min(selectors.current_stage(pathway) + 1, Stage.PROJECT)}
            ),
            "exit": ExitForm(initial={"version": version}),
            "barrier": BarrierForm(
                kinds=settable,
                partners=policy.consent_partners(user, youth),
                initial={"version": services.barrier_versions(youth, [kind for kind, _label in settable])},
            )
            if settable
            else None,
            "project": ProjectForm(),
            "outcome": OutcomeForm(),
        }
    if policy.can_add_note(user, youth):
        forms["note"] = NoteForm()
    forms |= bound or {}
    project = pathway.projects.select_related("occupation").first() if pathway is not None else None
    outcome = pathway.outcomes.prefetch_related("follow_ups").first() if pathway is not None else None
    shown = policy.sections_shown(
        sections,
        labelled={entry.section for entry in entries}
        | {barrier_section(b.kind) for b in barriers}
        | {barrier_section(r.kind) for r in reported},
    )
    audit.record_read(user, youth.pk, sections=shown, reason="parcours")
    context = {
        "youth": youth,
        "pathway": pathway,
        "closed": selectors.closed_pathway(youth) if pathway is None else None,
        "stage": selectors.current_stage(pathway),
        "stages": Stage.choices,
        "entries": entries,
        "kinds": selectors.TIMELINE_KINDS,
        "chosen_kinds": kinds,
        "barriers": barriers,
        "reported": reported,
        "project": project,
        "outcome": outcome,
        "forms": forms,
        "works": works,
        "can_refer": policy.can_refer(user, youth),
        "occupations": Occupation.objects.order_by("code").only("code", "label") if works else [],
        "unanswered": services.unanswered_in_a_row(pathway) if pathway is not None else 0,
        "max_attempts": services.max_attempts(),
        "open_form": next(iter(bound or {}), ""),
    }
    return render(request, "pathways/pathway.html", context, status=status)


def _barrier_choices(user: User, youth: Youth) -> list[tuple[str, Any]]:
    settable = set(policy.settable_barriers(user, youth))
    return [(value, label) for value, label in Barrier.choices if value in settable]


@require_safe
def pathway(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _visible_youth(user, youth_id)
    return _page(request, youth)


def _done(youth: Youth, anchor: str = "") -> HttpResponse:
    return redirect(reverse("pathways:pathway", args=[youth.pk]) + (f"#{anchor}" if anchor else ""))


def _run(request: HtmxHttpRequest, youth: Youth, name: str, form: Form, action: Any, done: str) -> HttpResponse:
    """Validates the form, calls the service; a refusal re-renders the page with the form and its reason."""
    if not form.is_valid():
        return _page(request, youth, bound={name: form})
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _page(request, youth, bound={name: form})
    messages.success(request, done)
    return _done(youth, name)


@require_POST
def contact_record(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)
    form = ContactForm(request.POST, partners=policy.reapproach_partners(user, youth))

    def act(data: dict[str, Any]) -> None:
        services.record_contact(
            youth,
            acting_user=user,
            channel=data["channel"],
            outcome=data["outcome"],
            happened_on=data["happened_on"],
            note=data["note"],
            through=data["through"],
            decline_reason=data["decline_reason"],
            reapproach_on=data["reapproach_on"],
            reapproach_by=data["reapproach_by"],
            reapproach_how=data["reapproach_how"],
        )

    return _run(request, youth, "contact", form, act, _("Contact enregistré."))


@require_POST
def stage_change(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)

    def act(data: dict[str, Any]) -> None:
        services.change_stage(
            youth, stage=data["stage"], acting_user=user, version=data["version"], skip_reason=data["skip_reason"]
        )

    return _run(request, youth, "stage", StageForm(request.POST), act, _("Étape enregistrée."))


@require_POST
def pathway_exit(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)

    def act(data: dict[str, Any]) -> None:
        services.exit_pathway(
            youth, reason=data["reason"], note=data["note"], acting_user=user, version=data["version"]
        )

    return _run(request, youth, "exit", ExitForm(request.POST), act, _("Sortie du parcours enregistrée."))


@require_POST
def pathway_reopen(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)
    try:
        services.reopen_pathway(youth, acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le jeune revient dans le parcours, à l'étape « repéré·e »."))
    return _done(youth)


@require_POST
def note_add(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _visible_youth(user, youth_id)
    if not policy.can_add_note(user, youth):
        raise Http404

    def act(data: dict[str, Any]) -> None:
        services.add_note(youth, acting_user=user, text=data["text"], scope=data["scope"])

    return _run(request, youth, "note", NoteForm(request.POST), act, _("Note ajoutée."))


@require_POST
def barrier_set(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)
    kinds = _barrier_choices(user, youth)
    if not kinds:
        raise Http404
    form = BarrierForm(request.POST, kinds=kinds, partners=policy.consent_partners(user, youth))

    def act(data: dict[str, Any]) -> None:
        services.set_barrier(
            youth,
            acting_user=user,
            kind=data["kind"],
            status=data["status"],
            partner=data["partner"],
            detail=data["detail"],
            version=services.barrier_version(data["version"], data["kind"]),
        )

    return _run(request, youth, "barrier", form, act, _("Frein enregistré."))


@require_POST
def project_validate(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)

    def act(data: dict[str, Any]) -> None:
        services.validate_project(
            youth,
            acting_user=user,
            occupation=data["occupation"],
            text=data["text"],
            validated_on=data["validated_on"],
        )

    return _run(request, youth, "project", ProjectForm(request.POST), act, _("Projet professionnel enregistré."))


@require_POST
def outcome_record(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)

    def act(data: dict[str, Any]) -> None:
        services.record_outcome(
            youth,
            acting_user=user,
            kind=data["kind"],
            starts_on=data["starts_on"],
            organisation_name=data["organisation_name"],
            skip_reason=data["skip_reason"],
        )

    return _run(
        request,
        youth,
        "outcome",
        OutcomeForm(request.POST),
        act,
        _("Entrée en formation ou en emploi enregistrée : les suivis à 3 et 6 mois sont prévus."),
    )


@require_POST
def follow_up_record(request: HtmxHttpRequest, youth_id: int) -> HttpResponse:
    user = _user(request)
    youth = _worked_youth(user, youth_id)
    form = FollowUpForm(request.POST)

    def act(data: dict[str, Any]) -> None:
        follow_up = (
            policy.follow_ups_visible_to(user).filter(outcome__pathway__youth=youth, pk=data["follow_up"]).first()
        )
        if follow_up is None:
            raise ValidationError(_("Ce suivi n'existe pas pour ce jeune."))
        services.record_follow_up(follow_up, acting_user=user, still_there=data["still_there"], reason=data["reason"])

    return _run(request, youth, "follow_up", form, act, _("Suivi enregistré."))


# --- The caseload -------------------------------------------------------------------------------


@require_safe
def caseload(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_follow_youths(user):
        raise Http404
    mine_only = request.GET.get("tous") != "1"
    stage_text = request.GET.get("etape", "")
    stage = int(stage_text) if stage_text.isdigit() and int(stage_text) in [*Stage.values, selectors.EXITED] else None
    sort = request.GET.get("tri", "name")
    only_alerts = request.GET.get("alertes") == "1"
    youths = selectors.caseload_youths(user, mine_only=mine_only, sort=sort)
    counts = selectors.caseload_counts(user, mine_only=mine_only)  # counted, never read
    if stage is not None:
        youths = youths.filter(stage_now=stage)  # type: ignore[misc]  # an annotation
    if only_alerts:
        youths = selectors.at_risk(user, youths, mine_only=mine_only)
    paginator = Paginator(youths, PAGE_SIZE)
    # Counted above, in the same grouped query: the « à risque » rule is not run a second time.
    paginator.count = counts.total_at_risk(stage) if only_alerts else counts.total(stage)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    alerts = selectors.alerts_for(user, shown)  # the details, for this page's youths only
    for youth in shown:
        youth.alerts = alerts.get(youth.pk, [])  # type: ignore[attr-defined]
    audit.record_list(user, [youth.pk for youth in shown], reason="file-active")
    context = {
        "page": page,
        "counts": [(value, label, counts.youths[value]) for value, label in Stage.choices],
        "exited_count": counts.youths[selectors.EXITED],
        "alert_count": counts.total_at_risk(stage),
        "mine_only": mine_only,
        "stage": stage,
        "sort": sort,
        "only_alerts": only_alerts,
        "exited": selectors.EXITED,
    }
    return render(request, "pathways/caseload.html", context)


# --- Re-approaches given to an organisation -----------------------------------------------------


@require_safe
def reapproach_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_view_personal_data(user):
        raise Http404
    plans = list(policy.reapproaches_for(user).select_related("youth", "youth__commune").order_by("due_on", "pk"))
    audit.record_list(user, sorted({plan.youth_id for plan in plans}), reason="nouvelles-approches")
    return render(request, "pathways/reapproach_list.html", {"plans": plans})


def reapproach_report(request: HtmxHttpRequest, reapproach_id: int) -> HttpResponse:
    user = _user(request)
    plan = get_object_or_404(
        policy.reapproaches_for(user).select_related("youth", "youth__mission_locale"), pk=reapproach_id
    )
    form = ReapproachReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_reapproach(
                plan,
                acting_user=user,
                channel=form.cleaned_data["channel"],
                outcome=form.cleaned_data["outcome"],
                happened_on=form.cleaned_data["happened_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            agrees = form.cleaned_data["outcome"] == ContactOutcome.REACHED_AGREES
            messages.success(
                request,
                _("Merci : la Mission locale va proposer un rendez-vous.") if agrees else _("Merci, c'est noté."),
            )
            return redirect("pathways:reapproach_list")
    audit.record_read(user, plan.youth_id, sections={Section.IDENTITY}, reason="nouvelle-approche")
    return render(request, "pathways/reapproach_report.html", {"plan": plan, "form": form})
